// Compiles the monorepo with tsc (type-checked), rewrites the @revline/* aliases, and gives every app the
// entry point `dist/apps/<app>/main.js` each app is started from.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, ROOT, STAMP, run } from './lib.mjs';

rmSync(STAMP, { force: true });
run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
run(process.execPath, [join(ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', 'tsconfig.build.json']);
for (const app of APPS) {
  mkdirSync(join(ROOT, 'dist/apps', app), { recursive: true });
  writeFileSync(join(ROOT, 'dist/apps', app, 'main.js'), "'use strict';\nrequire('./src/main.js');\n");
}
writeFileSync(STAMP, new Date().toISOString());
process.stdout.write('build: dist/ is up to date\n');
