// Creates the database when missing, then runs every schema's migrations: the platform schema first, then each
// app's own. Safe to run from many places at once (each schema migrates under an advisory lock).
import { APPS, buildIsStale, importBuilt } from './lib.mjs';

export async function migrateAll(databaseUrl = process.env.DATABASE_URL) {
  if (buildIsStale()) throw new Error('dist/ is missing or stale: run `npm run build` first');
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  const { ensureDatabase } = await importBuilt('libs/persistence/src/index.js');
  const { runMigrations } = await importBuilt('libs/persistence/src/index.js');
  const { appDataSourceOptions, PLATFORM_DATABASE } = await importBuilt('libs/platform/src/index.js');
  await ensureDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/revline');
  const report = { platform: await runMigrations(appDataSourceOptions(PLATFORM_DATABASE)) };
  for (const app of APPS.filter((a) => a !== 'sandbox')) {
    const { DATABASE } = await importBuilt(`apps/${app}/src/database.js`);
    report[app] = await runMigrations(appDataSourceOptions(DATABASE));
  }
  return report;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateAll()
    .then((report) => {
      for (const [schema, applied] of Object.entries(report)) {
        process.stdout.write(`migrate: ${schema}: ${applied.length ? applied.join(', ') : 'up to date'}\n`);
      }
    })
    .catch((error) => {
      process.stderr.write(`migrate failed: ${error.message}\n`);
      process.exit(1);
    });
}
