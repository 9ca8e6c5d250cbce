// `npm run migration:generate -- <app> <Name>`: TypeORM's generator, run against the app's own DataSource
// (the one Nest uses), writing a timestamped migration into apps/<app>/src/migrations/. Add it to the app's
// DATABASE.migrations; test/schema-drift.int-spec.ts then proves entities and migrations agree.
import { join } from 'node:path';
import { APPS, ROOT, run } from './lib.mjs';

const [app, name] = process.argv.slice(2);
if (!APPS.includes(app) || app === 'sandbox' || !/^[A-Z][A-Za-z0-9]+$/.test(name ?? '')) {
  process.stderr.write('usage: npm run migration:generate -- <app> <PascalCaseName>\n');
  process.exit(2);
}
run(process.execPath, [join(ROOT, 'scripts/build.mjs')]);
run(process.execPath, [
  join(ROOT, 'node_modules/typeorm/cli.js'),
  'migration:generate',
  '--pretty',
  '-d',
  join(ROOT, 'dist/apps', app, 'src/data-source.js'),
  join(ROOT, 'apps', app, 'src/migrations', name),
]);
