// Compiles the monorepo with tsc (type-checked), rewrites the @revline/* aliases, and gives every app the
// entry point `dist/apps/<app>/main.js` each app is started from. Then builds the finance console: its typed client
// from openapi/experience-finance.json, its own typecheck, the Vite bundle into dist/console, and the first-load budget.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APPS, ROOT, STAMP, run } from './lib.mjs';

const CONSOLE_TSCONFIG = join(ROOT, 'apps/experience-finance/console/tsconfig.json');
const CONSOLE_VITE = join(ROOT, 'apps/experience-finance/console/vite.config.mts');

rmSync(STAMP, { force: true });
run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
run(process.execPath, [join(ROOT, 'node_modules/tsc-alias/dist/bin/index.js'), '-p', 'tsconfig.build.json']);
for (const app of APPS) {
  mkdirSync(join(ROOT, 'dist/apps', app), { recursive: true });
  writeFileSync(join(ROOT, 'dist/apps', app, 'main.js'), "'use strict';\nrequire('./src/main.js');\n");
}
run(process.execPath, [join(ROOT, 'scripts/console-schema.mjs')]);
run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', CONSOLE_TSCONFIG, '--noEmit']);
run(process.execPath, [
  join(ROOT, 'node_modules/vite/bin/vite.js'),
  'build',
  '--config',
  CONSOLE_VITE,
  '--logLevel',
  'warn',
]);
run(process.execPath, [join(ROOT, 'scripts/console-budget.mjs')]);
writeFileSync(STAMP, new Date().toISOString());
process.stdout.write('build: dist/ is up to date\n');
