/**
 * Experience API list routes (issues 8 and 20): `GET /v1/contracts`, `GET /v1/exceptions`,
 * `GET /v1/reconciliation-breaks` and `GET /v1/reconciliation-runs` through experience-finance → process-q2c over
 * HTTP, each at an open-loop offered load of 200 requests/s for ~10 s, p50/p90/p99 per route. Both apps run built,
 * each in its own process (`dist/apps/<app>/main.js`, as deployed), on a fresh database (local Postgres and Redis)
 * seeded with `BENCH_EXPERIENCE_CONTRACTS` contracts (100,000; two sagas each), 500 open exceptions and one open
 * break per 20 contracts; this process only offers the load. Latency is measured from
 * each request's scheduled send time (no coordinated omission). A route process-q2c does not offer (502 in the
 * warm-up) is reported as skipped. Prints JSON lines. Run after the build: node dist/bench/experience-lists.bench.js
 */
import 'reflect-metadata';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions, nodeArgsFor } from '@revline/platform';
import { bearer, createTestDatabase, seedApiKey, UNLIMITED_RATES } from '@revline/testing';
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { percentile, printFigures, processCpuSeconds, runBench } from './support/bench';

const RATE = Number.parseInt(process.env.BENCH_EXPERIENCE_RATE ?? '200', 10);
const SECONDS = Number.parseInt(process.env.BENCH_EXPERIENCE_SECONDS ?? '10', 10);
const WARMUP_SECONDS = Number.parseInt(process.env.BENCH_EXPERIENCE_WARMUP_SECONDS ?? '2', 10);
const CONTRACTS = Number.parseInt(process.env.BENCH_EXPERIENCE_CONTRACTS ?? '100000', 10);
const EXCEPTIONS = 500;

interface LoadInput {
  urls: string[];
  authorization: string;
  rate: number;
  seconds: number;
}

interface LoadResult {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
  seconds: number;
}

/** The open-loop generator: GETs on a fixed schedule, each timed from its scheduled start. */
async function offerLoad(input: LoadInput): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(input.rate * input.seconds);
  const interval = 1000 / input.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const pending: Array<Promise<void>> = [];
  const send = (i: number, scheduled: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = httpRequest(
        input.urls[i % input.urls.length] ?? '',
        { method: 'GET', agent, headers: { authorization: input.authorization } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - scheduled);
            const status = String(res.statusCode ?? 0);
            statuses[status] = (statuses[status] ?? 0) + 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now() + 5;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) {
      pending.push(send(next, t0 + next * interval));
      next += 1;
    }
    if (next < total) await sleep(Math.max(0, t0 + next * interval - performance.now()));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { latencies, errors, statuses, seconds };
}

function freePort(): Promise<number> {
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

interface RunningApp {
  url: string;
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Starts a built app in its own process and waits until /health answers. */
async function startApp(app: string, portVariable: string, env: Record<string, string>): Promise<RunningApp> {
  const port = await freePort();
  // The heap flags every app runs with, and any a profiling run adds (BENCH_APP_NODE_ARGS, e.g. --cpu-prof).
  const flags = [...nodeArgsFor(app), ...(process.env.BENCH_APP_NODE_ARGS ?? '').split(' ').filter(Boolean)];
  const child: ChildProcess = spawn(
    process.execPath,
    [...flags, join(__dirname, '..', 'apps', app, 'main.js')],
    {
      env: { ...process.env, ...env, [portVariable]: String(port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${String(port)}`;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  for (let i = 0; i < 240; i += 1) {
    if (child.exitCode !== null) throw new Error(`${app} exited ${String(child.exitCode)} while starting`);
    const healthy = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (healthy) return { url, pid: child.pid, stop };
    await sleep(250);
  }
  await stop();
  throw new Error(`${app} was not healthy within a minute`);
}

/** Contracts with a booking and an amendment saga each (some parked, some in flight), and open exceptions. */
async function seed(dataSource: DataSource): Promise<void> {
  await dataSource.query(
    `INSERT INTO "q2c"."contracts" ("contract_id", "salesforce_account_id", "currency", "term_start", "term_end", "status", "lines", "last_event_id")
     SELECT '801Bench' || lpad(i::text, 8, '0'), '001Bench' || lpad((i % 200)::text, 8, '0'), 'USD', '2026-01-01', '2026-12-31',
            'active', '[]'::jsonb, gen_random_uuid()
       FROM generate_series(1, $1) i`,
    [CONTRACTS],
  );
  await dataSource.query(
    `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at", "data", "completed_at")
     SELECT gen_random_uuid(), gen_random_uuid(), CASE WHEN k = 1 THEN 'booking' ELSE 'expansion' END,
            '801Bench' || lpad(i::text, 8, '0'),
            CASE WHEN k = 2 AND i % 10 = 0 THEN 'parked' WHEN k = 2 AND i % 10 = 1 THEN 'waiting' ELSE 'completed' END,
            'done', gen_random_uuid()::text, now() - interval '1 hour', '{"invoices":[],"creditNotes":[],"pending":[]}'::jsonb,
            now() - interval '1 hour' + make_interval(secs => 1 + (i % 7))
       FROM generate_series(1, $1) i CROSS JOIN generate_series(1, 2) k`,
    [CONTRACTS],
  );
  await dataSource.query(
    `INSERT INTO "q2c"."exceptions" ("queue", "job", "idempotency_key", "envelope", "category", "reason", "correlation_id", "details")
     SELECT 'crm.changes', 'crm.record-changed', 'bench-' || i, '{}'::jsonb,
            (ARRAY['unmapped_product', 'customer_mismatch', 'invalid_dates'])[1 + i % 3],
            'Seeded for the benchmark', gen_random_uuid()::text,
            jsonb_build_object('contractId', '801Bench' || lpad(i::text, 8, '0'))
       FROM generate_series(1, $1) i`,
    [EXCEPTIONS],
  );
  const runId = '0199a0c4-1111-7c2a-9b1d-3f4e5a6b7c8d';
  await dataSource.query(
    `INSERT INTO "q2c"."reconciliation_runs" ("run_id", "scope", "period", "trigger", "status", "finished_at")
     VALUES ($1, 'all', '2026-01', 'on_demand', 'completed', now())`,
    [runId],
  );
  await dataSource.query(
    `INSERT INTO "q2c"."reconciliation_breaks" ("break_id", "checkpoint", "category", "period", "contract_id",
       "object_type", "object_id", "field", "expected", "actual", "difference", "currency", "customer_id", "unit",
       "first_run_id", "last_run_id", "status")
     SELECT gen_random_uuid(), (ARRAY['salesforce-billing', 'billing-erp'])[1 + i % 2],
            (ARRAY['amount_mismatch', 'missing_in_erp'])[1 + i % 2], '2026-01', '801Bench' || lpad(i::text, 8, '0'),
            'Invoice', 'in_bench_' || i, 'total', '10000', '9900', '100', 'USD', 'cus_bench_' || (i % 200), 'money',
            $1, $1, 'open'
       FROM generate_series(1, $2, 20) i`,
    [runId, CONTRACTS],
  );
  // Vacuumed and analyzed, as a live database's tables are: otherwise autovacuum takes up the fresh rows (and a core)
  // while the first route is measured.
  await dataSource.query(
    `VACUUM (ANALYZE) "q2c"."contracts", "q2c"."sagas", "q2c"."exceptions", "q2c"."reconciliation_breaks", "q2c"."reconciliation_runs"`,
  );
}

const ROUTES = [
  { route: 'GET /v1/contracts', paths: ['/v1/contracts?limit=50', '/v1/contracts?status=parked&limit=50'] },
  {
    route: 'GET /v1/exceptions',
    paths: ['/v1/exceptions?limit=100', '/v1/exceptions?category=unmapped_product&status=open&limit=100'],
  },
  {
    route: 'GET /v1/reconciliation-breaks',
    paths: [
      '/v1/reconciliation-breaks?limit=100',
      '/v1/reconciliation-breaks?checkpoint=billing-erp&limit=100',
    ],
  },
  { route: 'GET /v1/reconciliation-runs', paths: ['/v1/reconciliation-runs?limit=50'] },
];

async function main(): Promise<void> {
  const db = await createTestDatabase(Q2C);
  await runMigrations(appDataSourceOptions(EXPERIENCE, db.url));
  await seed(db.dataSource);
  const env = {
    DATABASE_URL: db.url,
    LOG_LEVEL: 'error',
    ...UNLIMITED_RATES,
    QUEUE_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
    RECONCILIATION_CRON: 'off',
  };
  const q2c = await startApp('process-q2c', 'PROCESS_Q2C_PORT', env);
  const experience = await startApp('experience-finance', 'EXPERIENCE_FINANCE_PORT', {
    ...env,
    PROCESS_Q2C_URL: q2c.url,
    PROCESS_Q2C_API_KEY: `rvl_svc_${randomBytes(24).toString('base64url')}`,
  }).catch(async (error: unknown) => {
    await q2c.stop();
    throw error;
  });
  try {
    const key = await seedApiKey(db.dataSource, ['finance.viewer'], 'bench-finance');
    for (const { route, paths } of ROUTES) {
      const input = {
        urls: paths.map((p) => new URL(p, experience.url).toString()),
        authorization: bearer(key).authorization,
        rate: RATE,
      };
      const warm = await offerLoad({ ...input, seconds: WARMUP_SECONDS });
      if ((warm.statuses['502'] ?? 0) === warm.latencies.length) {
        printFigures({
          bench: 'experience-lists',
          route,
          skipped: 'process-q2c does not offer this route yet (502)',
        });
        continue;
      }
      if (warm.errors > 0 || (warm.statuses['200'] ?? 0) !== warm.latencies.length)
        throw new Error(
          `${route} warm-up answered ${JSON.stringify(warm.statuses)} with ${String(warm.errors)} errors`,
        );
      const cpuBefore = [processCpuSeconds(experience.pid), processCpuSeconds(q2c.pid)];
      const run = await offerLoad({ ...input, seconds: SECONDS });
      const cpuMs = (pid: number | undefined, before: number): number =>
        Number((((processCpuSeconds(pid) - before) * 1000) / run.latencies.length).toFixed(2));
      const sorted = [...run.latencies].sort((a, b) => a - b);
      const ok = run.statuses['200'] ?? 0;
      printFigures({
        bench: 'experience-lists',
        route,
        requests: run.latencies.length,
        ok,
        errors: run.errors,
        statuses: run.statuses,
        offeredPerSecond: RATE,
        achievedPerSecond: Math.round(ok / run.seconds),
        seconds: Number(run.seconds.toFixed(3)),
        p50Ms: Number(percentile(sorted, 50).toFixed(2)),
        p90Ms: Number(percentile(sorted, 90).toFixed(2)),
        p99Ms: Number(percentile(sorted, 99).toFixed(2)),
        maxMs: Number((sorted.at(-1) ?? Number.NaN).toFixed(2)),
        // CPU per request of each app (Postgres's and this process's apart), which the machine's other load does not move.
        cpuMsPerRequest: {
          'experience-finance': cpuMs(experience.pid, cpuBefore[0]),
          'process-q2c': cpuMs(q2c.pid, cpuBefore[1]),
        },
        seeded: { contracts: CONTRACTS, exceptions: EXCEPTIONS, breaks: Math.ceil(CONTRACTS / 20) },
      });
    }
  } finally {
    await experience.stop();
    await q2c.stop();
    await db.drop();
  }
}

runBench('experience-lists', main);
