// Writes every app's OpenAPI document to openapi/<app>.json and the canonical model's JSON Schemas to
// openapi/schemas/<Event>.json, from the built code. With --check it writes nothing and fails when the
// committed documents differ from what the code describes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, ROOT, buildIsStale, importBuilt } from './lib.mjs';

const check = process.argv.includes('--check');
if (buildIsStale()) {
  process.stderr.write('openapi: dist/ is missing or stale: run `npm run build` first\n');
  process.exit(1);
}
process.env.LOG_LEVEL = 'silent';

const documents = new Map();
const { describeHttpApp } = await importBuilt('libs/http/src/index.js');
for (const app of APPS) {
  const info = await importBuilt(`apps/${app}/src/app.info.js`);
  const entries =
    app === 'sandbox'
      ? info.SANDBOXES
      : [{ module: (await importBuilt(`apps/${app}/src/app.module.js`)).AppModule, spec: info.APP }];
  for (const { module, spec } of entries) {
    documents.set(`${spec.name}.json`, await describeHttpApp(module, spec));
  }
}
const { canonicalJsonSchemas } = await importBuilt('libs/canonical/src/index.js');
for (const [name, schema] of Object.entries(canonicalJsonSchemas()))
  documents.set(`schemas/${name}.json`, schema);

const outDir = join(ROOT, 'openapi');
const drift = [];
for (const [file, document] of documents) {
  const text = `${JSON.stringify(document, null, 2)}\n`;
  const path = join(outDir, file);
  const committed = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
  if (committed === text) continue;
  drift.push(committed === undefined ? `${file} (missing)` : `${file} (differs)`);
  if (!check) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
  }
}
const expected = new Set(documents.keys());
for (const dir of ['', 'schemas']) {
  const full = join(outDir, dir);
  if (!existsSync(full)) continue;
  for (const file of readdirSync(full).filter((f) => f.endsWith('.json'))) {
    const key = dir ? `${dir}/${file}` : file;
    if (!expected.has(key)) drift.push(`${key} (no longer produced by the code)`);
  }
}
// The console's generated client types follow the experience document (scripts/console-schema.mjs).
const schema = spawnSync(
  process.execPath,
  [join(ROOT, 'scripts/console-schema.mjs'), ...(check ? ['--check'] : [])],
  {
    stdio: 'inherit',
  },
);
if (schema.status !== 0) process.exit(1);
if (check && drift.length > 0) {
  process.stderr.write(
    `openapi: the committed documents differ from the code; run \`npm run openapi\` and commit:\n  ${drift.join('\n  ')}\n`,
  );
  process.exit(1);
}
process.stdout.write(
  check
    ? 'openapi: committed documents match the code\n'
    : `openapi: wrote ${drift.length} of ${documents.size} documents\n`,
);
process.exit(0);
