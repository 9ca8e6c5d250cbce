// Creates the database when missing, then runs every schema's migrations: the platform schema first, then each
// app's own. Safe to run from many places at once (each schema migrates under an advisory lock). Then, for each app
// given a database URL of its own (`PROCESS_Q2C_DATABASE_URL`, …), makes that URL's user a role owning only the app's
// schema (see libs/platform/src/app-roles.ts).
import { APPS, buildIsStale, importBuilt } from './lib.mjs';

const DATABASE_APPS = APPS.filter((a) => a !== 'sandbox');

/** The apps' own database URLs from the environment: `{ 'process-q2c': url, … }`, only those set. */
export async function appUrlsFromEnv(env = process.env) {
  const { appDatabaseUrlVariable } = await importBuilt('libs/platform/src/index.js');
  return Object.fromEntries(
    DATABASE_APPS.map((app) => [app, env[appDatabaseUrlVariable(app)]]).filter(([, url]) => Boolean(url)),
  );
}

/** Each database app's schema, by app. */
export async function appSchemas() {
  const entries = [];
  for (const app of DATABASE_APPS) {
    const { DATABASE } = await importBuilt(`apps/${app}/src/database.js`);
    entries.push([app, DATABASE.schema]);
  }
  return Object.fromEntries(entries);
}

export async function migrateAll(databaseUrl = process.env.DATABASE_URL, appUrls = undefined) {
  if (buildIsStale()) throw new Error('dist/ is missing or stale: run `npm run build` first');
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  const { ensureDatabase } = await importBuilt('libs/persistence/src/index.js');
  const { runMigrations } = await importBuilt('libs/persistence/src/index.js');
  const { appDataSourceOptions, applyAppRoles, PLATFORM_DATABASE } = await importBuilt(
    'libs/platform/src/index.js',
  );
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/revline';
  await ensureDatabase(adminUrl);
  const report = { platform: await runMigrations(appDataSourceOptions(PLATFORM_DATABASE)) };
  for (const app of DATABASE_APPS) {
    const { DATABASE } = await importBuilt(`apps/${app}/src/database.js`);
    report[app] = await runMigrations(appDataSourceOptions(DATABASE));
  }
  const urls = appUrls ?? (await appUrlsFromEnv());
  const schemas = await appSchemas();
  const grants = Object.entries(urls).map(([app, url]) => ({ schema: schemas[app], url }));
  const roles = grants.length ? await applyAppRoles(adminUrl, grants) : [];
  return { report, roles };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  migrateAll()
    .then(({ report, roles }) => {
      for (const [schema, applied] of Object.entries(report)) {
        process.stdout.write(`migrate: ${schema}: ${applied.length ? applied.join(', ') : 'up to date'}\n`);
      }
      if (roles.length) process.stdout.write(`migrate: roles: ${roles.join(', ')}\n`);
    })
    .catch((error) => {
      process.stderr.write(`migrate failed: ${error.message}\n`);
      process.exit(1);
    });
}
