// The finance console's first-load budget: the gzipped JavaScript of the entry chunk and every chunk it imports
// statically (what the browser must fetch before the first page renders) stays under 300 KB. Routes load lazily, so
// their chunks are not counted. Run by `npm run build` after vite (`--dir <dir>` checks another build); exits 1 over
// budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ROOT } from './lib.mjs';

export const CONSOLE_DIST = join(ROOT, 'dist/console');
export const FIRST_LOAD_BUDGET_BYTES = 300 * 1024;

/** The entry chunk and its static imports, each with its gzipped size, read from Vite's manifest. */
export function firstLoad(dir = CONSOLE_DIST) {
  const manifest = JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8'));
  const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
  if (!entry) throw new Error('console-budget: the Vite manifest names no entry chunk');
  const seen = new Set();
  const walk = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const next of manifest[key].imports ?? []) walk(next);
  };
  walk(entry);
  const chunks = [...seen].map((key) => {
    const file = manifest[key].file;
    return { file, gzipBytes: gzipSync(readFileSync(join(dir, file)), { level: 9 }).length };
  });
  return { chunks, gzipBytes: chunks.reduce((sum, c) => sum + c.gzipBytes, 0) };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const at = process.argv.indexOf('--dir');
  const { chunks, gzipBytes } = firstLoad(at > 0 ? process.argv[at + 1] : CONSOLE_DIST);
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  const line = `console-budget: first load ${kb(gzipBytes)} gzipped JS in ${chunks.length} chunks (budget ${kb(FIRST_LOAD_BUDGET_BYTES)})\n`;
  if (gzipBytes > FIRST_LOAD_BUDGET_BYTES) {
    process.stderr.write(
      `${line}over budget:\n${chunks.map((c) => `  ${c.file} ${kb(c.gzipBytes)}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  process.stdout.write(line);
}
