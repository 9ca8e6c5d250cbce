/**
 * End-to-end quote-to-cash benchmark (issues 7 and 16). The built apps (process-q2c, system-salesforce,
 * system-billing, system-erp) and the sandbox run as child processes on a fresh database (local Postgres and Redis),
 * as in production and at production's timings (PRODUCTION_TIMINGS), with revenue posted at period close (the
 * default); orders are created and activated in the Salesforce sandbox through jsforce, and each activation runs the
 * whole chain: capture → normalisation → booking saga → Stripe subscription and invoice → NetSuite customer and
 * invoice (carrying the revenue plan) → Salesforce write-back.
 * A contract change counts when its saga completes, read from process-q2c's sagas table.
 *
 * Before anything is measured, BENCH_Q2C_E2E_WARMUP bookings (2000) run to completion: the figures are the apps'
 * steady state, not the first minutes of freshly started processes compiling their code.
 *
 * (a) Throughput: BENCH_Q2C_E2E_CONTRACTS bookings activated at once; contract changes per second from the first
 *     Salesforce commit to the last saga completion, and the steady rate between the 10th and 90th percentile of
 *     completions; per change, each process's CPU and the requests to each vendor, net of the idle background (its
 *     CPU and work a second are printed too, and `grossRevlineCpuMs`, Revline's CPU a change with it left in).
 * (b) Latency at half that rate: bookings activated open loop (every 200 ms, or less often at rates under 5/s) for
 *     BENCH_Q2C_E2E_SECONDS; the sync latency (Salesforce commit → invoice and revenue plan posted in the ERP)
 *     p50/p99 (target p99 ≤ 2 s), and to the saga's completion (the batched write-back included), with the count of
 *     process-q2c's revline_q2c_sync_latency_seconds histogram as a cross-check.
 * (c) The machine: its CPU model and cores and what a Postgres round trip costs on it (machineFigures), to tell
 *     apart runs of the same build on machines that differ.
 * Prints JSON lines. Run after the build: node dist/bench/q2c-e2e.bench.js
 */
import 'reflect-metadata';
import { Redis } from 'ioredis';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  activateOrders,
  createAccounts,
  createDraftOrders,
} from '../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cStack, StackApp } from '../test/support/q2c-stack';
import { startQ2cStack } from '../test/support/q2c-stack';
import {
  awaitSagas,
  commitMs,
  machineFigures,
  percentile,
  printFigures,
  processCpuSeconds,
  PRODUCTION_TIMINGS,
  processRssMb,
  serverCpuSeconds,
  runBench,
} from './support/bench';

const CONTRACTS = Number.parseInt(process.env.BENCH_Q2C_E2E_CONTRACTS ?? '3000', 10);
const SECONDS = Number.parseInt(process.env.BENCH_Q2C_E2E_SECONDS ?? '20', 10);
/** Customers the orders are spread over, in turn (1: every order on one account, each change waiting its turn). */
const ACCOUNTS = Number.parseInt(process.env.BENCH_Q2C_E2E_ACCOUNTS ?? String(CONTRACTS), 10);
/** Bookings run through the chain before anything is measured, so that the figures are the apps' steady state. */
const WARMUP = Number.parseInt(process.env.BENCH_Q2C_E2E_WARMUP ?? '2000', 10);
/** The warm-up's bookings are activated this many at a time, each batch run to completion before the next. */
const WARMUP_BATCH = 500;
const IDLE_SAMPLE_MS = 10_000;
const TIMEOUT_SECONDS = Number.parseInt(process.env.BENCH_Q2C_E2E_TIMEOUT_SECONDS ?? '240', 10);
const TARGET_PER_SECOND = 60;
const TARGET_REVLINE_CPU_MS = 20;
const TARGET_P99_SECONDS = 2;
const TICK_MS = 200;

interface SagaTiming {
  contract_id: string;
  committed_ms: number;
  completed_ms: number | null;
  /** When the ERP confirmed the saga's last command (the invoice and the revenue plan posted). */
  posted_ms: number | null;
  status: string;
}

async function timings(stack: Q2cStack, orderIds: readonly string[]): Promise<SagaTiming[]> {
  return stack.query<SagaTiming[]>(
    `SELECT "contract_id", "status",
            extract(epoch FROM "committed_at") * 1000 AS committed_ms,
            extract(epoch FROM "completed_at") * 1000 AS completed_ms,
            (SELECT extract(epoch FROM max(c."confirmed_at")) * 1000 FROM "q2c"."saga_commands" c
              WHERE c."saga_id" = s."saga_id" AND c."job" LIKE 'erp.%') AS posted_ms
       FROM "q2c"."sagas" s WHERE "contract_id" = ANY($1)`,
    [orderIds],
  );
}

/** Waits until every order's booking saga completed; returns their timings (and how many did not, at timeout). */
async function awaitCompleted(stack: Q2cStack, orderIds: readonly string[]): Promise<SagaTiming[]> {
  return awaitSagas(
    stack,
    orderIds,
    TIMEOUT_SECONDS,
    () => timings(stack, orderIds),
    async (done) => `q2c-e2e: ${String(done)}/${String(orderIds.length)} completed; ${await where(stack)}`,
  );
}

/** Where the unfinished sagas stand (progress on stderr). */
async function where(stack: Q2cStack): Promise<string> {
  const rows = await stack.query<Array<{ at: string; n: number }>>(
    `SELECT "status" || ':' || "step" AS at, count(*)::int AS n FROM "q2c"."sagas"
      WHERE "status" <> 'completed' GROUP BY 1 ORDER BY 1`,
  );
  return rows.map((r) => `${r.at}=${String(r.n)}`).join(' ');
}

/** Open problems anywhere in the chain: a run with exceptions is not a clean figure. */
async function exceptions(stack: Q2cStack): Promise<number> {
  const rows = await stack.query<Array<{ n: number }>>(
    `SELECT ((SELECT count(*) FROM "q2c"."exceptions" WHERE "status" <> 'resolved')
      + (SELECT count(*) FROM "billing"."exceptions" WHERE "status" <> 'resolved')
      + (SELECT count(*) FROM "erp"."exceptions" WHERE "status" <> 'resolved'))::int AS n`,
  );
  return rows.at(0)?.n ?? -1;
}

/** The sum of a metric's samples (every label set) on an app's /metrics. */
async function metricSum(stack: Q2cStack, url: string, prefix: string): Promise<number> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${stack.admin}` } });
  if (!res.ok) throw new Error(`${url}/metrics answered ${String(res.status)}`);
  return (await res.text())
    .split('\n')
    .filter((line) => line.startsWith(prefix))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1) ?? 0), 0);
}

async function histogramCount(stack: Q2cStack): Promise<number> {
  return metricSum(stack, stack.urls['process-q2c'], 'revline_q2c_sync_latency_seconds_count');
}

const VENDORS = ['salesforce', 'stripe', 'netsuite'] as const;

/**
 * Counters of the work the chain asks of Postgres (transactions committed and rows written in the bench's
 * database), Redis (commands run, all clients) and each vendor sandbox (HTTP requests served).
 */
async function workCounts(stack: Q2cStack, redis: Redis): Promise<Record<string, number>> {
  const pg = (
    await stack.query<Array<{ transactions: number; rows: number }>>(
      `SELECT xact_commit::float8 AS transactions, (tup_inserted + tup_updated + tup_deleted)::float8 AS rows
         FROM pg_stat_database WHERE datname = current_database()`,
    )
  ).at(0);
  const commands = [...(await redis.info('commandstats')).matchAll(/calls=(\d+)/g)].reduce(
    (sum, m) => sum + Number(m[1]),
    0,
  );
  const counts: Record<string, number> = {
    postgresTransactions: pg?.transactions ?? 0,
    postgresRowsWritten: pg?.rows ?? 0,
    redisCommands: commands,
  };
  for (const vendor of VENDORS)
    counts[`${vendor}Requests`] = await metricSum(
      stack,
      stack.urls[`${vendor}-sandbox`],
      'revline_http_requests_total{',
    );
  return counts;
}

interface WorkSample {
  at: number;
  counts: Record<string, number>;
  /** CPU seconds used so far by each process (cpuSeconds). */
  cpu: Record<string, number>;
}

async function sampleWork(stack: Q2cStack, redis: Redis): Promise<WorkSample> {
  // Postgres publishes a backend's counters up to a second after its transactions commit.
  await sleep(1500);
  return { at: performance.now(), counts: await workCounts(stack, redis), cpu: cpuSeconds(stack) };
}

/** Each counter's growth from one sample to the next, and the seconds between them. */
function growth(from: WorkSample, to: WorkSample): { grown: Record<string, number>; seconds: number } {
  const grown = Object.fromEntries(
    Object.entries(to.counts).map(([name, n]) => [name, n - (from.counts[name] ?? 0)]),
  );
  return { grown, seconds: (to.at - from.at) / 1000 };
}

/** Rounded to one decimal, each counter divided by `by`. */
const per = (counts: Record<string, number>, by: number): Record<string, number> =>
  Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, Number((n / by).toFixed(1))]));

interface IdleBackground {
  /** Each counter's growth a second. */
  work: Record<string, number>;
  /** Each process's CPU milliseconds a second. */
  cpuMs: Record<string, number>;
}

/**
 * What the chain does a second while idle, before its first booking: the outbox relays' polls, the sweeps, the
 * capture's polls of Salesforce and the workers' waits, which run whatever the load, and the CPU each process spends
 * on them.
 */
async function idleBackground(stack: Q2cStack, redis: Redis): Promise<IdleBackground> {
  const from = await sampleWork(stack, redis);
  await sleep(IDLE_SAMPLE_MS);
  const to = await sampleWork(stack, redis);
  const { grown, seconds } = growth(from, to);
  const cpuMs = Object.fromEntries(
    Object.entries(to.cpu).map(([name, s]) => [name, ((s - (from.cpu[name] ?? 0)) * 1000) / seconds]),
  );
  return { work: per(grown, seconds), cpuMs: per(cpuMs, 1) };
}

/** Each counter's growth since `before` less the idle background over the same time, per contract change. */
async function workPerChange(
  stack: Q2cStack,
  redis: Redis,
  before: WorkSample,
  idle: Record<string, number>,
  changes: number,
): Promise<Record<string, number>> {
  const { grown, seconds } = growth(before, await sampleWork(stack, redis));
  const net = Object.fromEntries(
    Object.entries(grown).map(([name, n]) => [name, n - (idle[name] ?? 0) * seconds]),
  );
  return per(net, changes);
}

const APPS: readonly StackApp[] = [
  'sandbox',
  'system-salesforce',
  'process-q2c',
  'system-billing',
  'system-erp',
];

/** The servers the chain shares, by the command name of their processes. */
const SERVERS = { postgres: 'postgres', redis: 'redis-server' } as const;

/** CPU seconds each app's process, and each server's processes, have used so far (Linux /proc). */
function cpuSeconds(stack: Q2cStack): Record<string, number> {
  return {
    ...Object.fromEntries(APPS.map((app) => [app, processCpuSeconds(stack.running(app)?.child.pid)])),
    ...Object.fromEntries(
      Object.entries(SERVERS).map(([name, command]) => [name, serverCpuSeconds(command)]),
    ),
  };
}

/**
 * Where the machine's time went per contract change: each process's CPU milliseconds over the phase, less what it
 * spends idle over as long (`idle`), divided by the changes completed; their sum, and the rate the machine's cores
 * could reach at that cost if the Node processes had them to themselves (the idle background kept running);
 * Postgres's and Redis's CPU per change (the whole servers', so any other work on them is in it), and the rate the
 * cores allow with them counted. `grossRevlineCpuMs` is Revline's CPU a change with its idle background left in.
 * The peak resident memory of each process so far.
 */
function cost(
  stack: Q2cStack,
  before: WorkSample,
  idle: Record<string, number>,
  changes: number,
): Record<string, unknown> {
  const after = cpuSeconds(stack);
  const seconds = (performance.now() - before.at) / 1000;
  const usedMs = (n: string) => ((after[n] ?? 0) - (before.cpu[n] ?? 0)) * 1000;
  const netBy = (names: readonly string[]) =>
    per(Object.fromEntries(names.map((n) => [n, usedMs(n) - (idle[n] ?? 0) * seconds])), changes);
  const perChange = netBy(APPS);
  const servers = netBy(Object.keys(SERVERS));
  const sum = (figures: Record<string, number>) => Object.values(figures).reduce((s, ms) => s + ms, 0);
  const total = sum(perChange);
  const machine = total + sum(servers);
  const revline = total - perChange.sandbox;
  const revlineApps = APPS.filter((app) => app !== 'sandbox');
  const grossRevline = revlineApps.reduce((s, app) => s + usedMs(app), 0) / changes;
  const idleApps = APPS.reduce((s, app) => s + (idle[app] ?? 0), 0);
  const idleMachine = idleApps + Object.keys(SERVERS).reduce((s, n) => s + (idle[n] ?? 0), 0);
  const cores = os.availableParallelism();
  return {
    cpuMsPerChange: { ...perChange, total: Number(total.toFixed(1)) },
    revlineCpuMs: Number(revline.toFixed(1)),
    grossRevlineCpuMs: Number(grossRevline.toFixed(1)),
    revlineCpuTargetMs: TARGET_REVLINE_CPU_MS,
    cpuCeilingPerSecond: Math.round((cores * 1000 - idleApps) / total),
    serverCpuMsPerChange: servers,
    machineCpuMsPerChange: Number(machine.toFixed(1)),
    machineCeilingPerSecond: Math.round((cores * 1000 - idleMachine) / machine),
    peakRssMb: Object.fromEntries(
      APPS.map((app) => [app, processRssMb(stack.running(app)?.child.pid, 'VmHWM')]),
    ),
  };
}

/**
 * Runs WARMUP bookings (on accounts of their own) to their completion first, WARMUP_BATCH at a time: a process just
 * started spends its first thousand or so bookings compiling its hot code (V8's optimising compiler, which runs a
 * function's optimisation only after many calls) and filling its caches and pools, a cost it pays once, not per change.
 */
async function warmUp(stack: Q2cStack): Promise<void> {
  if (WARMUP <= 0) return;
  const accountIds = ACCOUNTS > 1 ? await createAccounts(stack.sales, WARMUP) : [stack.catalogue.accountId];
  const orderIds = await createDraftOrders(stack.sales, stack.catalogue, WARMUP, accountIds);
  const started = performance.now();
  let completed = 0;
  for (let from = 0; from < orderIds.length; from += WARMUP_BATCH) {
    const batch = orderIds.slice(from, from + WARMUP_BATCH);
    await activateOrders(stack.sales, batch);
    completed += (await awaitCompleted(stack, batch)).filter((r) => r.status === 'completed').length;
  }
  printFigures({
    bench: 'q2c-e2e',
    phase: 'warm-up',
    contracts: WARMUP,
    completed,
    seconds: Number(((performance.now() - started) / 1000).toFixed(3)),
  });
  if (completed < WARMUP)
    throw new Error(`q2c-e2e: ${String(WARMUP - completed)} warm-up bookings did not complete`);
  await settled(stack);
}

/**
 * Waits (60 s at most) until every app's outbox holds no message its consumer has yet to confirm: the idle
 * background is then sampled on an idle chain, not on the warm-up's last confirmations.
 */
async function settled(stack: Q2cStack): Promise<void> {
  const deadline = performance.now() + 60_000;
  const open = async () =>
    (
      await stack.query<Array<{ n: number }>>(
        `SELECT (SELECT count(*) FROM "q2c"."outbox" WHERE "delivered_at" IS NULL)
              + (SELECT count(*) FROM "salesforce"."outbox" WHERE "delivered_at" IS NULL)
              + (SELECT count(*) FROM "billing"."outbox" WHERE "delivered_at" IS NULL)
              + (SELECT count(*) FROM "erp"."outbox" WHERE "delivered_at" IS NULL) AS n`,
      )
    ).at(0)?.n ?? 0;
  while ((await open()) > 0 && performance.now() < deadline) await sleep(500);
}

async function throughput(
  stack: Q2cStack,
  redis: Redis,
  accountIds: readonly string[],
  idle: IdleBackground,
): Promise<number> {
  const orderIds = await createDraftOrders(stack.sales, stack.catalogue, CONTRACTS, accountIds);
  const workBefore = await sampleWork(stack, redis);
  const started = performance.now();
  const requestedMs = Date.now();
  await activateOrders(stack.sales, orderIds);
  const activatedSeconds = (performance.now() - started) / 1000;
  const rows = await awaitCompleted(stack, orderIds);
  const done = rows.filter((r) => r.completed_ms !== null && r.status === 'completed');
  const firstCommit = commitMs(Math.min(...rows.map((r) => r.committed_ms)), requestedMs);
  const ends = done.map((r) => r.completed_ms ?? 0).sort((a, b) => a - b);
  const lastCompletion = ends.at(-1) ?? Number.NaN;
  const seconds = (lastCompletion - firstCommit) / 1000;
  const p10 = percentile(ends, 10);
  const p90 = percentile(ends, 90);
  const steadyCount = ends.filter((t) => t > p10 && t <= p90).length;
  const perSecond = done.length / seconds;
  const steadyPerSecond = p90 > p10 ? steadyCount / ((p90 - p10) / 1000) : Number.NaN;
  printFigures({
    bench: 'q2c-e2e',
    phase: 'throughput',
    contracts: CONTRACTS,
    accounts: ACCOUNTS,
    completed: done.length,
    notCompleted: CONTRACTS - done.length,
    exceptions: await exceptions(stack),
    activationSeconds: Number(activatedSeconds.toFixed(3)),
    seconds: Number(seconds.toFixed(3)),
    changesPerSecond: Number(perSecond.toFixed(2)),
    steadyChangesPerSecond: Number(steadyPerSecond.toFixed(2)),
    ...cost(stack, workBefore, idle.cpuMs, done.length),
    workPerChange: await workPerChange(stack, redis, workBefore, idle.work, done.length),
    idleWorkPerSecond: idle.work,
    idleCpuMsPerSecond: idle.cpuMs,
    target: { perSecond: TARGET_PER_SECOND },
    pass: done.length === CONTRACTS && perSecond >= TARGET_PER_SECOND,
  });
  return done.length === CONTRACTS ? perSecond : done.length / Math.max(seconds, TIMEOUT_SECONDS);
}

async function latency(stack: Q2cStack, accountIds: readonly string[], rate: number): Promise<void> {
  // One activation call per tick: every 200 ms, or less often when the rate is under one order per tick.
  const tickMs = Math.max(TICK_MS, 1000 / rate);
  const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
  const ticks = Math.max(2, Math.round((SECONDS * 1000) / tickMs));
  const orderIds = await createDraftOrders(stack.sales, stack.catalogue, perTick * ticks, accountIds);
  const countBefore = await histogramCount(stack);
  const t0 = performance.now();
  let late = 0;
  const requestedMs = new Map<string, number>();
  for (let tick = 0; tick < ticks; tick += 1) {
    const due = t0 + tick * tickMs;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    else late += 1;
    const batch = orderIds.slice(tick * perTick, (tick + 1) * perTick);
    for (const id of batch) requestedMs.set(id, Date.now());
    await activateOrders(stack.sales, batch);
  }
  const offeredSeconds = (performance.now() - t0) / 1000;
  const rows = await awaitCompleted(stack, orderIds);
  const completed = rows.filter((r) => r.completed_ms !== null && r.status === 'completed');
  const committed = (r: SagaTiming) => commitMs(r.committed_ms, requestedMs.get(r.contract_id) ?? 0);
  // Sync latency as the target reads it: commit → invoice and revenue plan posted in the ERP.
  const latencies = completed
    .map((r) => ((r.posted_ms ?? r.completed_ms ?? 0) - committed(r)) / 1000)
    .sort((a, b) => a - b);
  // And to the saga's completion, the Salesforce write-back (batched for up to a second) included.
  const toCompletion = completed
    .map((r) => ((r.completed_ms ?? 0) - committed(r)) / 1000)
    .sort((a, b) => a - b);
  const p99 = percentile(latencies, 99);
  printFigures({
    bench: 'q2c-e2e',
    phase: 'latency',
    offeredPerSecond: Number(((perTick * 1000) / tickMs).toFixed(2)),
    achievedOfferedPerSecond: Number((orderIds.length / offeredSeconds).toFixed(2)),
    lateTicks: late,
    contracts: orderIds.length,
    completed: latencies.length,
    exceptions: await exceptions(stack),
    histogramCount: (await histogramCount(stack)) - countBefore,
    p50Seconds: Number(percentile(latencies, 50).toFixed(3)),
    p90Seconds: Number(percentile(latencies, 90).toFixed(3)),
    p99Seconds: Number(p99.toFixed(3)),
    maxSeconds: Number((latencies.at(-1) ?? Number.NaN).toFixed(3)),
    completedP50Seconds: Number(percentile(toCompletion, 50).toFixed(3)),
    completedP99Seconds: Number(percentile(toCompletion, 99).toFixed(3)),
    target: { p99Seconds: TARGET_P99_SECONDS },
    pass: latencies.length === orderIds.length && p99 <= TARGET_P99_SECONDS,
  });
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  const stack = await startQ2cStack({ LOG_LEVEL: 'error', ...PRODUCTION_TIMINGS });
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    const accountIds =
      ACCOUNTS > 1 ? await createAccounts(stack.sales, ACCOUNTS) : [stack.catalogue.accountId];
    // Sampled before any booking: after one, the chain works through its last steps for seconds after the sagas
    // complete, which a sample taken then would count as background.
    const idle = await idleBackground(stack, redis);
    await warmUp(stack);
    // A database in service has its statistics (autovacuum keeps them); a minute-old one has not yet, and Postgres
    // would plan the measured run for the nearly empty tables it saw at the start.
    await stack.query('VACUUM ANALYZE');
    const rate = await throughput(stack, redis, accountIds, idle);
    await latency(stack, accountIds, Math.max(0.05, rate / 2));
    // Last: its round trips would be counted in the idle background's transactions (a backend reports its counters
    // up to ten seconds after it goes idle).
    printFigures({ bench: 'q2c-e2e', phase: 'machine', ...(await machineFigures(stack)) });
  } finally {
    redis.disconnect();
    await stack.close();
  }
}

runBench('q2c-e2e', main);
