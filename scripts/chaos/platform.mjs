// The platform under test: the built apps (dist/apps/<app>/main.js) as separate processes, each instance on ports
// of its own and reaching Postgres and Redis through proxies of its own; the sandbox beside them (never faulted: it
// is the vendors). Instances can be killed, paused, started again, and doubled (replicas).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, importBuilt } from '../lib.mjs';
import { freePort, sleep, startProxy } from './infra.mjs';

/** The apps that run Revline (the sandbox apart), each with the variable that sets its port. */
export const APP_PORT_VARIABLES = {
  'experience-finance': 'EXPERIENCE_FINANCE_PORT',
  'process-q2c': 'PROCESS_Q2C_PORT',
  'system-salesforce': 'SYSTEM_SALESFORCE_PORT',
  'system-billing': 'SYSTEM_BILLING_PORT',
  'system-erp': 'SYSTEM_ERP_PORT',
};
export const APPS = Object.keys(APP_PORT_VARIABLES);

async function healthy(url, instance, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (instance && instance.child.exitCode !== null)
      throw new Error(`${instance.name} exited before it was healthy:\n${instance.output().slice(-3000)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (error) {
      last = error.message;
    }
    await sleep(250);
  }
  throw new Error(`${url}/health not 200 within ${timeoutMs} ms (last: ${last})`);
}

export async function startPlatform({ postgres, redis, database }) {
  const { nodeArgsFor } = await importBuilt('libs/platform/src/node-heap.js');
  const port = {};
  for (const app of APPS) port[app] = await freePort();
  const sandboxPorts = { salesforce: await freePort(), stripe: await freePort(), netsuite: await freePort() };
  const local = (p) => `http://127.0.0.1:${p}`;
  const adminKey = `rvl_admin_${randomBytes(18).toString('base64url')}`;
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    QUEUE_PREFIX: 'chaos',
    BOOTSTRAP_ADMIN_API_KEY: adminKey,
    SERVICE_API_KEY: `rvl_svc_${randomBytes(18).toString('base64url')}`,
    PROCESS_Q2C_API_KEY: `rvl_svc_${randomBytes(18).toString('base64url')}`,
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '10000000',
    RATE_LIMIT_EXPORTS_PER_MINUTE: '10000000',
    RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE: '10000000',
    STRIPE_RATE_LIMIT_PER_SECOND: '100000',
    STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '100000',
    PROCESS_Q2C_URL: local(port['process-q2c']),
    SYSTEM_SALESFORCE_URL: local(port['system-salesforce']),
    SYSTEM_BILLING_URL: local(port['system-billing']),
    SYSTEM_ERP_URL: local(port['system-erp']),
    SANDBOX_SALESFORCE_PORT: String(sandboxPorts.salesforce),
    SANDBOX_STRIPE_PORT: String(sandboxPorts.stripe),
    SANDBOX_NETSUITE_PORT: String(sandboxPorts.netsuite),
    SANDBOX_PROFILE: 'fast',
    SANDBOX_SEED_CATALOGUE: 'default',
    SANDBOX_STRIPE_WEBHOOK_URLS: `${local(port['system-billing'])}/v1/webhooks/stripe`,
    SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS: '300',
    SANDBOX_STRIPE_WEBHOOK_ATTEMPTS: '20',
    SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    SALESFORCE_LOGIN_URL: local(sandboxPorts.salesforce),
    SALESFORCE_POLL_INTERVAL_MS: '500',
    STRIPE_HOST: '127.0.0.1',
    STRIPE_PORT: String(sandboxPorts.stripe),
    NETSUITE_BASE_URL: local(sandboxPorts.netsuite),
    // Journals at booking: more effects per change for the suite to count (each must be in NetSuite once).
    REVENUE_POSTING: 'at_booking',
    // The monthly job (period recognition under at_booking) every 5 s, so the suite can see it run once per schedule
    // however many replicas run.
    RECOGNISE_PERIOD_CRON: '*/5 * * * * *',
    OUTBOX_RELAY: 'on',
    OUTBOX_POLL_MS: '100',
    // Delivery confirmed by the consumer: a message Redis forgot is queued again after this many seconds.
    OUTBOX_REDELIVER_AFTER_SECONDS: '10',
    PARKED_SWEEP_MS: '500',
    SAGA_SWEEP_MS: '1000',
    // A killed worker's job goes to another after 5 s; retries keep the default backoff (eight attempts over
    // about two minutes), so a vendor failing for a few seconds never exhausts them.
    JOB_LOCK_DURATION_MS: '5000',
  };
  const instances = new Set();
  // Whatever ends the suite (a failed start included), the processes it started end with it.
  const sandbox = { app: 'sandbox', name: 'sandbox', env: {} };
  process.once('exit', () => {
    for (const instance of [...instances, sandbox]) instance.child?.kill('SIGKILL');
  });

  const spawnInstance = (instance) => {
    const env = { ...process.env, ...common, ...instance.env };
    const args = [...nodeArgsFor(instance.app), join(ROOT, 'dist/apps', instance.app, 'main.js')];
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => (output = (output + chunk.toString()).slice(-30_000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    instance.child = child;
    instance.output = () => output;
    instance.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
  };

  /** An instance of `app` on `appPort`, with proxies of its own to Postgres and Redis. */
  const launch = async (app, appPort, name, extraEnv = {}) => {
    const pg = await startProxy(postgres.port);
    const rd = await startProxy(redis.port);
    const instance = {
      app,
      name,
      url: local(appPort),
      proxies: { postgres: pg, redis: rd },
      env: {
        [APP_PORT_VARIABLES[app]]: String(appPort),
        DATABASE_URL: `postgres://postgres@127.0.0.1:${pg.port}/${database}`,
        REDIS_URL: `redis://127.0.0.1:${rd.port}`,
        ...extraEnv,
      },
    };
    spawnInstance(instance);
    instances.add(instance);
    await healthy(instance.url, instance, 120_000);
    return instance;
  };

  spawnInstance(sandbox);
  for (const p of Object.values(sandboxPorts)) await healthy(local(p), sandbox, 120_000);

  const primaries = Object.fromEntries(
    await Promise.all(APPS.map(async (app) => [app, await launch(app, port[app], app)])),
  );

  return {
    adminKey,
    urls: {
      salesforce: local(sandboxPorts.salesforce),
      stripePort: sandboxPorts.stripe,
      netsuite: local(sandboxPorts.netsuite),
      experience: primaries['experience-finance'].url,
      process: primaries['process-q2c'].url,
    },
    sandbox,
    primaries,
    instances: () => [...instances],
    /** kill -9 an instance, and start it again on its port once it has exited; resolves when it is healthy. */
    async restart(instance, signal = 'SIGKILL') {
      instance.child.kill(signal);
      await instance.exited;
      spawnInstance(instance);
      await healthy(instance.url, instance, 120_000);
    },
    /** Stops the event loop of an instance for `ms` (SIGSTOP, then SIGCONT). */
    async pause(instance, ms) {
      instance.child.kill('SIGSTOP');
      await sleep(ms);
      instance.child.kill('SIGCONT');
    },
    /** A second instance of every app: other ports, other proxies, the same Postgres, Redis and queue prefix. */
    async replicate(extraEnv = {}) {
      return Promise.all(
        APPS.map(async (app) => launch(app, await freePort(), `${app} (replica)`, extraEnv)),
      );
    },
    async stopInstance(instance) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) {
        instance.child.kill('SIGTERM');
        await Promise.race([instance.exited, sleep(15_000)]);
        instance.child.kill('SIGKILL');
      }
      instance.proxies?.postgres.close();
      instance.proxies?.redis.close();
      instances.delete(instance);
    },
    async stop() {
      for (const instance of [...instances, sandbox]) {
        instance.child.kill('SIGCONT');
        instance.child.kill('SIGKILL');
        instance.proxies?.postgres.close();
        instance.proxies?.redis.close();
      }
    },
  };
}
