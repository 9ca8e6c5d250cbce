import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJsonSchemas } from './json-schema';

/** Writes every canonical JSON Schema to `<dir>/<Name>.json`; returns the file paths. */
export function writeCanonicalSchemas(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return Object.entries(canonicalJsonSchemas()).map(([name, schema]) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
    return file;
  });
}

if (require.main === module) {
  const dir = process.argv[2] ?? join(process.cwd(), 'openapi', 'schemas');
  const files = writeCanonicalSchemas(dir);
  process.stdout.write(`${JSON.stringify({ wrote: files.length, dir })}\n`);
}
