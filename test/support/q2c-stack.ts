import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions, nodeArgsFor } from '@revline/platform';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase, seedApiKey, UNLIMITED_RATES } from '@revline/testing';
import { Redis } from 'ioredis';
import type { Connection } from 'jsforce';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import Stripe from 'stripe';
import { DATABASE as Q2C } from '../../apps/process-q2c/src/database';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import { loginToSandbox, seedCatalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import { DATABASE as BILLING } from '../../apps/system-billing/src/database';
import { STRIPE_EVENT_TYPES } from '../../apps/system-billing/src/webhooks/stripe-events.poller';
import { DATABASE as ERP } from '../../apps/system-erp/src/database';
import { DATABASE as SALESFORCE } from '../../apps/system-salesforce/src/database';

/**
 * The quote-to-cash stack as it runs in production: the built apps (dist/apps/<app>/main.js) and the sandbox as
 * child processes on free ports, one fresh database, one queue prefix. Each app can be killed and started again.
 * Used by the worker-kill e2e spec and the end-to-end benchmark (so it runs from the sources and from dist/).
 */

export type StackApp = 'sandbox' | 'process-q2c' | 'system-salesforce' | 'system-billing' | 'system-erp';

const APP_PORTS: Record<Exclude<StackApp, 'sandbox'>, string> = {
  'process-q2c': 'PROCESS_Q2C_PORT',
  'system-salesforce': 'SYSTEM_SALESFORCE_PORT',
  'system-billing': 'SYSTEM_BILLING_PORT',
  'system-erp': 'SYSTEM_ERP_PORT',
};

/** The repository root: the nearest folder up with a package.json (from test/support or dist/test/support). */
export function repositoryRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Removes every Redis key under the stack's queue prefix: its jobs, events and locks. */
async function dropQueues(prefix: string): Promise<void> {
  if (!prefix) return;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}:*`, count: 1000 }))
      if ((keys as string[]).length > 0) await redis.unlink(...(keys as string[]));
  } finally {
    redis.disconnect();
  }
}

/**
 * Starts a built app (dist/apps/<app>/main.js) as a child process, with the apps' heap flags (not the sandbox's);
 * `nodeArgs` go after them (a flag given again wins) and before the script.
 */
export function spawnApp(
  root: string,
  app: StackApp,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Running {
  const args = [...nodeArgsFor(app), ...nodeArgs, join(root, 'dist', 'apps', app, 'main.js')];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return { child, output: () => output, exited };
}

export async function waitForHealth(url: string, running: Running, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null || running.child.signalCode !== null)
      throw new Error(`${url} exited before answering /health: ${running.output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
      last = `${String(res.status)} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url}/health did not answer 200 within ${String(timeoutMs)} ms (last: ${last})`);
}

export interface Q2cStack {
  db: TestDatabase;
  urls: Record<StackApp | 'salesforce-sandbox' | 'stripe-sandbox' | 'netsuite-sandbox', string>;
  sales: Connection;
  stripe: Stripe;
  catalogue: Catalogue;
  /** An integration admin's API key. */
  admin: string;
  query<T>(sql: string, params?: unknown[]): Promise<T>;
  suiteql(q: string): Promise<Array<Record<string, string>>>;
  running(app: StackApp): Running | undefined;
  /** Starts (or starts again) an app and waits for its /health. */
  start(app: StackApp): Promise<void>;
  /** Kills an app with the signal (SIGKILL: no shutdown hooks) and waits for it to exit. */
  kill(app: StackApp, signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

/** Boots the stack, seeds the Salesforce catalogue, a Stripe price for seats and an approved mapping version. */
export async function startQ2cStack(extraEnv: Record<string, string> = {}): Promise<Q2cStack> {
  const root = repositoryRoot();
  const db = await createTestDatabase(Q2C);
  for (const database of [SALESFORCE, BILLING, ERP])
    await runMigrations(appDataSourceOptions(database, db.url));
  const ports = {
    'process-q2c': await freePort(),
    'system-salesforce': await freePort(),
    'system-billing': await freePort(),
    'system-erp': await freePort(),
    'salesforce-sandbox': await freePort(),
    'stripe-sandbox': await freePort(),
    'netsuite-sandbox': await freePort(),
  };
  const url = (port: number) => `http://127.0.0.1:${String(port)}`;
  const urls: Q2cStack['urls'] = {
    sandbox: url(ports['salesforce-sandbox']),
    'process-q2c': url(ports['process-q2c']),
    'system-salesforce': url(ports['system-salesforce']),
    'system-billing': url(ports['system-billing']),
    'system-erp': url(ports['system-erp']),
    'salesforce-sandbox': url(ports['salesforce-sandbox']),
    'stripe-sandbox': url(ports['stripe-sandbox']),
    'netsuite-sandbox': url(ports['netsuite-sandbox']),
  };
  const bootstrapKey = `stack-admin-${randomBytes(12).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `stack-${randomBytes(4).toString('hex')}`,
    BOOTSTRAP_ADMIN_API_KEY: bootstrapKey,
    LOG_LEVEL: 'warn',
    ...UNLIMITED_RATES,
    ...Object.fromEntries(
      Object.entries(APP_PORTS).map(([app, variable]) => [
        variable,
        String(ports[app as keyof typeof APP_PORTS]),
      ]),
    ),
    EXPERIENCE_FINANCE_PORT: String(await freePort()),
    SANDBOX_SALESFORCE_PORT: String(ports['salesforce-sandbox']),
    SANDBOX_STRIPE_PORT: String(ports['stripe-sandbox']),
    SANDBOX_NETSUITE_PORT: String(ports['netsuite-sandbox']),
    SANDBOX_STRIPE_WEBHOOK_URLS: `${urls['system-billing']}/v1/webhooks/stripe`,
    // The event types system-billing registers its endpoint for on a real account (Stripe sends no others).
    SANDBOX_STRIPE_WEBHOOK_EVENTS: STRIPE_EVENT_TYPES.join(','),
    SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    // `fast` unless the run asks for the vendors' limits (SANDBOX_PROFILE=realistic, or extraEnv).
    SANDBOX_PROFILE: process.env.SANDBOX_PROFILE ?? 'fast',
    SALESFORCE_LOGIN_URL: urls['salesforce-sandbox'],
    SALESFORCE_POLL_INTERVAL_MS: '500',
    STRIPE_HOST: '127.0.0.1',
    STRIPE_PORT: String(ports['stripe-sandbox']),
    NETSUITE_BASE_URL: urls['netsuite-sandbox'],
    OUTBOX_RELAY: 'on',
    OUTBOX_POLL_MS: '50',
    PARKED_SWEEP_MS: '200',
    SAGA_SWEEP_MS: '500',
    SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS: '300',
    JOB_LOCK_DURATION_MS: '3000',
    JOB_BACKOFF_BASE_MS: '50',
    ...extraEnv,
  };
  // system-billing's Stripe limiter follows the sandbox's account: its limits under the realistic profile, none
  // worth pacing for under the fast one (which refuses nothing).
  const seen: Record<string, string | undefined> = { ...process.env, ...env };
  const realistic = seen.SANDBOX_PROFILE === 'realistic';
  env.STRIPE_RATE_LIMIT_PER_SECOND =
    seen.STRIPE_RATE_LIMIT_PER_SECOND ??
    (realistic ? (seen.SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND ?? '100') : '100000');
  env.STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND =
    seen.STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND ??
    (realistic ? (seen.SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND ?? '25') : '100000');
  const processes = new Map<StackApp, Running>();
  // Whatever ends this process (a failed run, a timeout), the apps it started end with it.
  process.once('exit', () => {
    for (const running of processes.values()) running.child.kill('SIGKILL');
  });
  const healthUrl = (app: StackApp) => (app === 'sandbox' ? urls['netsuite-sandbox'] : urls[app]);
  // Profiling hook: Q2C_STACK_CPU_PROF_DIR=<dir> Q2C_STACK_CPU_PROF_APPS=process-q2c[,...] starts those apps with
  // --cpu-prof; they are stopped with SIGTERM (exiting cleanly, which writes the profile) instead of SIGKILL.
  const profileDir = process.env.Q2C_STACK_CPU_PROF_DIR;
  const profiled = new Set(
    (profileDir ? (process.env.Q2C_STACK_CPU_PROF_APPS ?? 'process-q2c') : '').split(','),
  );
  const profileArgs = (app: StackApp): string[] =>
    profileDir && profiled.has(app)
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          '--import',
          'data:text/javascript,process.once("SIGTERM",()=>process.exit(0))',
        ]
      : [];
  // How long an app may take to answer /health: longer on a machine busy with other work (a bench's setting).
  const startTimeoutMs = Number(process.env.Q2C_STACK_START_TIMEOUT_MS ?? 60_000);
  const start = async (app: StackApp): Promise<void> => {
    const running = spawnApp(root, app, env, profileArgs(app));
    processes.set(app, running);
    await waitForHealth(healthUrl(app), running, startTimeoutMs);
    if (app === 'sandbox') {
      await waitForHealth(urls['salesforce-sandbox'], running, startTimeoutMs);
      await waitForHealth(urls['stripe-sandbox'], running, startTimeoutMs);
    }
  };
  const kill = async (app: StackApp, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const running = processes.get(app);
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
    running.child.kill(signal);
    await running.exited;
  };
  const close = async (): Promise<void> => {
    for (const app of [
      'system-salesforce',
      'process-q2c',
      'system-billing',
      'system-erp',
      'sandbox',
    ] as const)
      await kill(app, profileArgs(app).length > 0 ? 'SIGTERM' : 'SIGKILL');
    // Inspection hook: Q2C_STACK_KEEP_DATABASE=1 leaves the run's database in place (its name on stderr).
    if (process.env.Q2C_STACK_KEEP_DATABASE === '1') {
      await db.dataSource.destroy();
      process.stderr.write(`q2c-stack: kept ${db.url}\n`);
    } else await db.drop();
    await dropQueues(env.QUEUE_PREFIX);
  };

  try {
    await start('sandbox');
    await Promise.all((['process-q2c', 'system-billing', 'system-erp'] as const).map((app) => start(app)));
    const stripePort = ports['stripe-sandbox'];
    const stripe = new Stripe('sk_test_revline_sandbox', {
      host: '127.0.0.1',
      port: stripePort,
      protocol: 'http',
    });
    const sales = await loginToSandbox(urls['salesforce-sandbox']);
    const catalogue = await seedCatalogue(sales);
    await start('system-salesforce');
    const admin = await seedApiKey(db.dataSource, ['integration.admin'], 'stack-admin');
    const checker = await seedApiKey(db.dataSource, ['integration.admin'], 'stack-checker');
    await approveSeatPrice(urls['process-q2c'], stripe, admin, checker);
    const erp = tbaClient(urls['netsuite-sandbox']);
    return {
      db,
      urls,
      sales,
      stripe,
      catalogue,
      admin,
      query: <T>(sql: string, params?: unknown[]) => db.dataSource.query<T>(sql, params),
      async suiteql(q: string) {
        const res = await erp('POST', '/services/rest/query/v1/suiteql', { q });
        if (res.status !== 200) throw new Error(`SuiteQL ${String(res.status)}: ${JSON.stringify(res.body)}`);
        return (res.body as { items: Array<Record<string, string>> }).items.map((item) => {
          const row = { ...item };
          delete row.links;
          return row;
        });
      },
      running: (app) => processes.get(app),
      start,
      kill,
      close,
    };
  } catch (error) {
    const outputs = [...processes].map(([app, p]) => `--- ${app}\n${p.output()}`).join('\n');
    await close();
    throw new Error(`the quote-to-cash stack did not start: ${String(error)}\n${outputs}`, { cause: error });
  }
}

/** A Stripe price for seats, billed yearly, put in a new mapping version that a second admin approves. */
async function approveSeatPrice(q2c: string, stripe: Stripe, admin: string, checker: string): Promise<void> {
  const call = async (key: string, method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${q2c}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${String(res.status)} ${await res.text()}`);
    return res.json();
  };
  const product = await stripe.products.create({ name: 'Seat' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 120_000,
    recurring: { interval: 'year' },
  });
  const active = (await call(admin, 'GET', '/v1/mappings/active')) as {
    definition: MappingDefinition;
    version: number;
  };
  const proposal: MappingDefinition = {
    ...active.definition,
    productCatalogue: active.definition.productCatalogue.map((entry) =>
      entry.productCode === 'SEAT'
        ? { ...entry, billingPriceId: price.id, unitPricePeriod: 'year' as const, ssp: '1200' }
        : entry,
    ),
  };
  const proposed = (await call(admin, 'POST', '/v1/mappings/versions', {
    summary: 'Seats billed annually from the Stripe price',
    baseVersion: active.version,
    definition: proposal,
  })) as { version: number };
  await call(checker, 'POST', `/v1/mappings/versions/${String(proposed.version)}/approve`, {
    reason: 'Checked against Stripe',
  });
}
