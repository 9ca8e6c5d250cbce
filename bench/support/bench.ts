import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Q2cStack } from '../../test/support/q2c-stack';

/** What every benchmark script shares: its figures as one JSON line each, percentiles, and its exit code. */

export function printFigures(figures: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/** The p-th percentile (nearest rank) of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Runs a benchmark's main and exits: 0 when it finished, 1 with the error on stderr when it did not. */
export function runBench(name: string, main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${name} bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

/** A process's resident memory, peak (VmHWM) or current (VmRSS), from Linux /proc (0 elsewhere), in MB. */
export function processRssMb(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${String(pid)}/status`, 'utf8');
    return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** User + system CPU a process has used so far (Linux /proc; 0 elsewhere), to tell where a run's time goes. */
export function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * User + system CPU used so far by every process of a server, found by its command name (`postgres`,
 * `redis-server`), with what its ended children used (Postgres's backends that closed), from Linux /proc (0
 * elsewhere): the whole server's, whatever database or client it served.
 */
export function serverCpuSeconds(command: string): number {
  let ticks = 0;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return 0;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return ticks / 100;
}

/** Postgres round trips `machineFigures` times. */
const ROUND_TRIPS = 5000;

/**
 * The machine a run measured: its CPU model and cores, and what one Postgres round trip costs on it (one `SELECT`
 * after another on an open connection, the bench's and the server's CPU and the kernel's between them), a unit of
 * the work a message-passing chain repeats: the same build measures differently on machines whose cores or system
 * calls differ, and these tell such runs apart.
 */
export async function machineFigures(stack: Q2cStack): Promise<Record<string, unknown>> {
  await stack.query('SELECT 1');
  const ownBefore = process.cpuUsage();
  const serverBefore = serverCpuSeconds('postgres');
  const started = performance.now();
  for (let i = 0; i < ROUND_TRIPS; i += 1) await stack.query('SELECT $1::int AS n', [i]);
  const wallUs = ((performance.now() - started) * 1000) / ROUND_TRIPS;
  const own = process.cpuUsage(ownBefore);
  const cpuUs =
    (own.user + own.system + (serverCpuSeconds('postgres') - serverBefore) * 1_000_000) / ROUND_TRIPS;
  return {
    cpu: os.cpus().at(0)?.model ?? 'unknown',
    cores: os.availableParallelism(),
    postgresRoundTripUs: Math.round(wallUs),
    postgresRoundTripCpuUs: Math.round(cpuUs),
  };
}

/**
 * When a booking was committed in Salesforce, to the millisecond: its saga's committed_at is the order's
 * SystemModstamp, which Salesforce keeps to the second (up to a second early), so the time the bench asked for the
 * activation (never after the commit) is the closer bound when later.
 */
export function commitMs(committedMs: number, activationRequestedMs: number): number {
  return Math.max(committedMs, activationRequestedMs);
}

/**
 * The completed sagas of these contracts: what a wait polls, one cheap indexed count rather than every row, so that
 * watching a run takes next to nothing from the machine it measures.
 */
export async function completedSagas(stack: Q2cStack, contractIds: readonly string[]): Promise<number> {
  const rows = await stack.query<Array<{ n: number }>>(
    `SELECT count(*)::int AS n FROM "q2c"."sagas" WHERE "contract_id" = ANY($1) AND "status" = 'completed'`,
    [contractIds],
  );
  return rows.at(0)?.n ?? 0;
}

/**
 * Waits until every one of `contractIds`' sagas completed or `timeoutSeconds` pass, counting them every 500 ms,
 * then reads their rows once (`read`) and returns them; every 5 s, `progress(done)` says how far it got (on stderr).
 */
export async function awaitSagas<Row>(
  stack: Q2cStack,
  contractIds: readonly string[],
  timeoutSeconds: number,
  read: () => Promise<Row[]>,
  progress: (done: number) => Promise<string>,
): Promise<Row[]> {
  const deadline = performance.now() + timeoutSeconds * 1000;
  let reported = performance.now();
  for (;;) {
    const done = await completedSagas(stack, contractIds);
    if (done === contractIds.length || performance.now() > deadline) return read();
    if (performance.now() - reported > 5000) {
      reported = performance.now();
      process.stderr.write(`${await progress(done)}\n`);
    }
    await sleep(500);
  }
}

/**
 * Production's timings for a bench's stack, not the test stack's (sweeps every 200–500 ms, 3-second job locks to
 * recover killed workers fast, the Salesforce poll every half second): the stack's background work would be charged
 * to the bookings measured. The SOQL poll under change data capture runs at its production interval too: every poll
 * spends the Salesforce allocation.
 */
export const PRODUCTION_TIMINGS: Readonly<Record<string, string>> = {
  SALESFORCE_POLL_INTERVAL_MS: '30000',
  SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '25',
  SAGA_SWEEP_MS: '10000',
  PARKED_SWEEP_MS: '5000',
  JOB_LOCK_DURATION_MS: '30000',
  JOB_BACKOFF_BASE_MS: '500',
};
