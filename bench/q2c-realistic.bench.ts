/**
 * Quote-to-cash under the vendors' limits (issue 16): the built apps and the sandbox with its realistic profile
 * (NetSuite answers after its latency within the account's concurrency, 429 beyond; Stripe's rate limits with its
 * 429 body; Salesforce's daily allocation). BENCH_REALISTIC_CONTRACTS bookings, one per account unless
 * BENCH_REALISTIC_ACCOUNTS says otherwise, are activated at once through jsforce, and each runs the whole chain to its
 * saga's completion.
 *
 * Prints one JSON line: bookings/s (overall, from the first Salesforce commit to the last saga completion, and
 * steady, between the 10th and 90th percentile of completions) beside the ceiling each vendor limit allows, computed
 * from the limits the sandbox reports in force and the requests a booking was measured to make (see
 * support/vendor-ceilings.ts); the tightest ceiling and the share of it reached (target ≥ 0.9); the 429s (and
 * Salesforce's REQUEST_LIMIT_EXCEEDED) the sandbox answered; the exceptions process-q2c recorded (target 0) and the
 * sagas not completed. Run after the build: node dist/bench/q2c-realistic.bench.js
 */
import 'reflect-metadata';
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
  PRODUCTION_TIMINGS,
  awaitSagas,
  commitMs,
  percentile,
  printFigures,
  processCpuSeconds,
  runBench,
} from './support/bench';
import type { RequestsPerBooking, VendorLimits } from './support/vendor-ceilings';
import { busiest, shareOfCeiling, vendorCeilings } from './support/vendor-ceilings';

const CONTRACTS = Number.parseInt(process.env.BENCH_REALISTIC_CONTRACTS ?? '200', 10);
const ACCOUNTS = Number.parseInt(process.env.BENCH_REALISTIC_ACCOUNTS ?? String(CONTRACTS), 10);
const TIMEOUT_SECONDS = Number.parseInt(process.env.BENCH_REALISTIC_TIMEOUT_SECONDS ?? '300', 10);
const IDLE_SAMPLE_MS = 10_000;
const TARGET_SHARE = 0.9;
/** jsforce's sObject Collections update: the bench's own activation calls, 200 orders each. */
const ACTIVATION_BATCH = 200;

/** The sandbox's answers: NetSuite's account statistics and fault switches, Stripe's rate limiter, Salesforce's. */
interface NetSuiteStats {
  limit: number;
  inFlight: number;
  maxInFlight: number;
  accepted: number;
  refused: number;
}

interface StripeRateLimits {
  enabled: boolean;
  perSecond: number;
  perEndpointPerSecond: number;
  admitted: number;
  admittedByEndpoint: Record<string, number>;
  refused: Record<string, number>;
}

interface SalesforceStats {
  requests: Record<string, number>;
  refused: number;
}

/** What the sandbox reports of each vendor's limits and of the requests it admitted and refused so far. */
interface VendorCounters {
  netsuite: NetSuiteStats & { latencyMs: number };
  stripe: StripeRateLimits;
  salesforce: SalesforceStats & { dailyAllocation: number };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${String(res.status)}`);
  return (await res.json()) as T;
}

const sum = (values: Record<string, number>): number => Object.values(values).reduce((s, n) => s + n, 0);

async function readVendors(stack: Q2cStack): Promise<VendorCounters> {
  const netsuite = stack.urls['netsuite-sandbox'];
  const salesforce = stack.urls['salesforce-sandbox'];
  const [netsuiteStats, netsuiteFaults, stripe, salesforceStats, salesforceFaults] = await Promise.all([
    getJson<NetSuiteStats>(`${netsuite}/sandbox/stats`),
    getJson<{ latencyMs: number }>(`${netsuite}/sandbox/faults`),
    getJson<StripeRateLimits>(`${stack.urls['stripe-sandbox']}/sandbox/rate-limits`),
    getJson<SalesforceStats>(`${salesforce}/sandbox/stats`),
    getJson<{ apiLimit: number }>(`${salesforce}/sandbox/faults`),
  ]);
  if (!stripe.enabled) throw new Error('the sandbox is not running its realistic profile');
  return {
    netsuite: { ...netsuiteStats, latencyMs: netsuiteFaults.latencyMs },
    stripe,
    salesforce: { ...salesforceStats, dailyAllocation: salesforceFaults.apiLimit },
  };
}

/** The requests each vendor admitted (Salesforce: counted against the allocation) between two readings. */
function admitted(
  from: VendorCounters,
  to: VendorCounters,
): { netsuite: number; stripe: number; stripeByEndpoint: Record<string, number>; salesforce: number } {
  return {
    netsuite: to.netsuite.accepted - from.netsuite.accepted,
    stripe: to.stripe.admitted - from.stripe.admitted,
    stripeByEndpoint: Object.fromEntries(
      Object.entries(to.stripe.admittedByEndpoint).map(([endpoint, n]) => [
        endpoint,
        n - (from.stripe.admittedByEndpoint[endpoint] ?? 0),
      ]),
    ),
    salesforce: sum(to.salesforce.requests) - sum(from.salesforce.requests),
  };
}

interface SagaRow {
  status: string;
  committed_ms: number;
  completed_ms: number | null;
}

async function sagas(stack: Q2cStack, orderIds: readonly string[]): Promise<SagaRow[]> {
  return stack.query<SagaRow[]>(
    `SELECT "status", (extract(epoch FROM "committed_at") * 1000)::float8 AS committed_ms,
            (extract(epoch FROM "completed_at") * 1000)::float8 AS completed_ms
       FROM "q2c"."sagas" WHERE "contract_id" = ANY($1)`,
    [orderIds],
  );
}

/** Waits until every booking's saga completed (or the timeout); progress on stderr. */
async function awaitCompleted(stack: Q2cStack, orderIds: readonly string[]): Promise<SagaRow[]> {
  return awaitSagas(
    stack,
    orderIds,
    TIMEOUT_SECONDS,
    () => sagas(stack, orderIds),
    async (done) => {
      const netsuite = await getJson<NetSuiteStats>(`${stack.urls['netsuite-sandbox']}/sandbox/stats`);
      return `q2c-realistic: ${String(done)}/${String(orderIds.length)} completed, NetSuite ${String(netsuite.inFlight)} in flight`;
    },
  );
}

const APPS: readonly StackApp[] = [
  'sandbox',
  'system-salesforce',
  'process-q2c',
  'system-billing',
  'system-erp',
];

/** CPU seconds each app's process has used so far (Linux /proc). */
function cpuSeconds(stack: Q2cStack): Record<string, number> {
  return Object.fromEntries(APPS.map((app) => [app, processCpuSeconds(stack.running(app)?.child.pid)]));
}

const round = (n: number | null, digits = 2): number | null =>
  n === null || !Number.isFinite(n) ? null : Number(n.toFixed(digits));

interface StageRow {
  job: string;
  commands: number;
  first_sent_s: number;
  last_confirmed_s: number | null;
  mean_wait_s: number | null;
}

/**
 * Where a booking's time goes: for each command job the sagas sent (billing.*, erp.*), when the first was sent and
 * the last confirmed (seconds from the first Salesforce commit), and the mean time from sent to confirmed.
 */
async function stages(stack: Q2cStack, orderIds: readonly string[], firstCommitMs: number): Promise<unknown> {
  const rows = await stack.query<StageRow[]>(
    `SELECT c."job", count(*)::int AS commands,
            (extract(epoch FROM min(c."sent_at")) - $2 / 1000.0)::float8 AS first_sent_s,
            (extract(epoch FROM max(c."confirmed_at")) - $2 / 1000.0)::float8 AS last_confirmed_s,
            extract(epoch FROM avg(c."confirmed_at" - c."sent_at"))::float8 AS mean_wait_s
       FROM "q2c"."saga_commands" c JOIN "q2c"."sagas" s ON s."saga_id" = c."saga_id"
      WHERE s."contract_id" = ANY($1) GROUP BY 1 ORDER BY 3`,
    [orderIds, firstCommitMs],
  );
  return Object.fromEntries(
    rows.map((r) => [
      r.job,
      {
        commands: r.commands,
        firstSentSeconds: round(r.first_sent_s),
        lastConfirmedSeconds: round(r.last_confirmed_s),
        meanWaitSeconds: round(r.mean_wait_s),
      },
    ]),
  );
}

/** Every exception process-q2c recorded in the run (resolved or not: a 429 must never raise one), by category. */
async function exceptions(stack: Q2cStack): Promise<Record<string, number>> {
  const rows = await stack.query<Array<{ category: string; n: number }>>(
    `SELECT "category", count(*)::int AS n FROM "q2c"."exceptions" GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.category, r.n]));
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  // Under the vendors' pace a booking spans seconds: the test stack's background work would be charged to it.
  const stack = await startQ2cStack({
    LOG_LEVEL: 'error',
    ...PRODUCTION_TIMINGS,
    SANDBOX_PROFILE: 'realistic',
  });
  try {
    const accountIds =
      ACCOUNTS > 1 ? await createAccounts(stack.sales, ACCOUNTS) : [stack.catalogue.accountId];
    const orderIds = await createDraftOrders(stack.sales, stack.catalogue, CONTRACTS, accountIds);

    // The idle background (change capture's polls): what it spends of each vendor's limit a second.
    const idleFrom = await readVendors(stack);
    const idleCpuFrom = cpuSeconds(stack);
    const idleStarted = performance.now();
    await sleep(IDLE_SAMPLE_MS);
    const before = await readVendors(stack);
    const idleSeconds = (performance.now() - idleStarted) / 1000;
    const idleCpuTo = cpuSeconds(stack);
    const idleCores = Object.fromEntries(
      APPS.map((app) => [app, ((idleCpuTo[app] ?? 0) - (idleCpuFrom[app] ?? 0)) / idleSeconds]),
    );
    const idle = admitted(idleFrom, before);

    const cpuBefore = cpuSeconds(stack);
    const started = performance.now();
    const requestedMs = Date.now();
    await activateOrders(stack.sales, orderIds);
    const rows = await awaitCompleted(stack, orderIds);
    const after = await readVendors(stack);
    const runSeconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds(stack);
    const load = os.loadavg()[0];

    const done = rows.filter((r) => r.status === 'completed' && r.completed_ms !== null);
    const firstCommit = commitMs(Math.min(...rows.map((r) => r.committed_ms)), requestedMs);
    const ends = done.map((r) => r.completed_ms ?? 0).sort((a, b) => a - b);
    const seconds = ((ends.at(-1) ?? Number.NaN) - firstCommit) / 1000;
    const p10 = percentile(ends, 10);
    const p90 = percentile(ends, 90);
    const overall = done.length / seconds;
    const steady =
      p90 > p10 ? ends.filter((t) => t > p10 && t <= p90).length / ((p90 - p10) / 1000) : Number.NaN;

    // Requests a booking, net of the idle background over the run; Salesforce's also net of the bench's own
    // activation calls.
    const bookings = Math.max(1, done.length);
    const grown = admitted(before, after);
    const net = (requests: number, idlePerRun: number): number =>
      (requests - (idlePerRun / idleSeconds) * runSeconds) / bookings;
    const activationCalls = Math.ceil(CONTRACTS / ACTIVATION_BATCH);
    const stripeByEndpoint = Object.fromEntries(
      Object.entries(grown.stripeByEndpoint).map(([endpoint, n]) => [
        endpoint,
        net(n, idle.stripeByEndpoint[endpoint] ?? 0),
      ]),
    );
    const requests: RequestsPerBooking = {
      netsuite: net(grown.netsuite, idle.netsuite),
      stripe: net(grown.stripe, idle.stripe),
      stripeBusiestEndpoint: busiest(stripeByEndpoint),
      salesforce: net(grown.salesforce - activationCalls, idle.salesforce),
    };
    const limits: VendorLimits = {
      netsuite: { concurrency: after.netsuite.limit, latencyMs: after.netsuite.latencyMs },
      stripe: { perSecond: after.stripe.perSecond, perEndpointPerSecond: after.stripe.perEndpointPerSecond },
      salesforce: {
        dailyAllocation: after.salesforce.dailyAllocation,
        backgroundPerSecond: idle.salesforce / idleSeconds,
      },
    };
    const ceilings = vendorCeilings(limits, requests);
    // The throughput that counts is the whole run's: completions bunch up (a stage's jobs queue behind the stage
    // before), so the steady rate between the 10th and 90th percentile can run past the ceiling.
    const share = shareOfCeiling(overall, ceilings);
    const raised = await exceptions(stack);
    const exceptionCount = sum(raised);
    // How busy NetSuite's slots were from the first commit to the last completion: the requests it served times
    // its latency, over the slot-seconds the account offered.
    const netsuiteBusy =
      (grown.netsuite * after.netsuite.latencyMs) / 1000 / (after.netsuite.limit * seconds);
    // CPU a booking by app over the run, the idle background included (Revline's: the sandbox apart), and the cores
    // the stack got: when they fall short of what the bookings need at the ceiling, the machine, not a vendor, set
    // the pace.
    const cpuMs = Object.fromEntries(
      APPS.map((app) => [app, (((cpuAfter[app] ?? 0) - (cpuBefore[app] ?? 0)) * 1000) / bookings]),
    );
    printFigures({
      bench: 'q2c-realistic',
      contracts: CONTRACTS,
      accounts: ACCOUNTS,
      completed: done.length,
      notCompleted: CONTRACTS - done.length,
      exceptions: exceptionCount,
      exceptionsByCategory: raised,
      seconds: round(seconds, 3),
      bookingsPerSecond: round(overall),
      steadyBookingsPerSecond: round(steady),
      limits,
      requestsPerBooking: {
        netsuite: round(requests.netsuite),
        stripe: round(requests.stripe),
        stripeBusiestEndpoint: {
          endpoint: requests.stripeBusiestEndpoint.endpoint,
          requests: round(requests.stripeBusiestEndpoint.requests),
        },
        salesforce: round(requests.salesforce),
      },
      ceilingsPerSecond: Object.fromEntries(
        Object.entries(ceilings.perSecond).map(([limit, ceiling]) => [limit, round(ceiling)]),
      ),
      tightest: ceilings.tightest?.limit ?? null,
      tightestPerSecond: round(ceilings.tightest?.perSecond ?? null),
      share: round(share),
      refused: {
        netsuite429: after.netsuite.refused - before.netsuite.refused,
        stripe429: sum(after.stripe.refused) - sum(before.stripe.refused),
        salesforceRequestLimitExceeded: after.salesforce.refused - before.salesforce.refused,
      },
      netsuiteMaxInFlight: after.netsuite.maxInFlight,
      netsuiteBusyShare: round(netsuiteBusy),
      stages: await stages(stack, orderIds, firstCommit),
      cpuMsPerBooking: Object.fromEntries(Object.entries(cpuMs).map(([app, ms]) => [app, round(ms, 1)])),
      revlineCpuMs: round(sum(cpuMs) - cpuMs.sandbox, 1),
      stackCoresUsed: round((sum(cpuMs) * bookings) / 1000 / runSeconds),
      // The idle background in cores, by app: a contended machine slows it down under load, so it is printed
      // beside the run's figures rather than taken out of them.
      stackIdleCores: Object.fromEntries(Object.entries(idleCores).map(([app, c]) => [app, round(c, 3)])),
      machineLoadAverage: round(load),
      target: { share: TARGET_SHARE, exceptions: 0 },
      pass: done.length === CONTRACTS && exceptionCount === 0 && share !== null && share >= TARGET_SHARE,
    });
  } finally {
    await stack.close();
  }
}

runBench('q2c-realistic', main);
