/**
 * Bulk usage ingestion benchmark (issue 18): `POST /v1/usage` streamed, JSON lines generated as they are sent.
 *  - one request of 1,000,000 events (BENCH_Q2C_USAGE_EVENTS), timed from the first byte sent to the answer;
 *  - the same number of events in requests of 20,000 (BENCH_Q2C_USAGE_PER_REQUEST), four at a time
 *    (BENCH_Q2C_USAGE_CONCURRENCY): 50 requests for 1,000,000;
 * each event read, checked, COPYed into the request's staging area, applied once per identifier with its
 * billing.report-usage outbox commands and lineage, in one transaction per request. Target ≥ 50,000 events/s each.
 * Also the peak resident memory of process-q2c (≤ 250 MB), and the Stripe requests the events cost as
 * system-billing reports them, an entry of the outbox's report commands being one customer's usage of one meter on one
 * UTC day, summed: one `/v1/billing/meter_events` request per entry, or with STRIPE_METER_EVENT_STREAM=on one
 * meter event stream request per 100 entries of a command (and a session per 15 minutes, left out).
 *
 * process-q2c boots in this process on a fresh database (local Postgres and Redis) with the outbox relay off, so
 * the figures are ingestion's alone; the sender (support/usage-sender.ts) runs in a child process, so this process's RSS is process-q2c's
 * (sampled every 20 ms; VmHWM too). The contracts are fixtures (bench/support/usage-fixtures.ts), not timed.
 * Run after the build: node dist/bench/q2c-usage.bench.js
 */
import 'reflect-metadata';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import type { TestDatabase } from '@revline/testing';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';
import { printFigures, processRssMb, runBench } from './support/bench';
import { seedUsageContracts } from './support/usage-fixtures';
import type { UploadInput, UploadResult } from './support/usage-sender';

const EVENTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_EVENTS ?? '1000000', 10);
const PER_REQUEST = Number.parseInt(process.env.BENCH_Q2C_USAGE_PER_REQUEST ?? '20000', 10);
const CONCURRENCY = Number.parseInt(process.env.BENCH_Q2C_USAGE_CONCURRENCY ?? '4', 10);
const CONTRACTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_CONTRACTS ?? '20', 10);
const TARGET_PER_SECOND = 50_000;
const RSS_LIMIT_MB = 250;

function runUpload(input: UploadInput): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'support', 'usage-sender.js'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (message: { result?: UploadResult; error?: string }) => {
      if (message.result) resolve(message.result);
      else reject(new Error(message.error ?? 'the sender failed'));
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the sender exited ${String(code)}`));
    });
    child.send(input);
  });
}

/** Runs one scenario, sampling this process's RSS (process-q2c's) the while. */
async function measured(db: TestDatabase, input: UploadInput): Promise<UploadResult & { rssPeakMb: number }> {
  // Each run starts after a checkpoint, so the dirty pages the previous one left are not written out in its time.
  await db.dataSource.query('CHECKPOINT');
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await runUpload(input);
    return { ...result, rssPeakMb: Math.round(peak / (1024 * 1024)) };
  } finally {
    clearInterval(sampler);
  }
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db = await createTestDatabase(DATABASE);
  const q2c = await createTestApp(AppModule, APP, { OUTBOX_RELAY: 'off' });
  try {
    const key = await seedApiKey(db.dataSource, ['finance.operator'], 'bench-usage');
    const contracts = await seedUsageContracts(db.dataSource, 'BenchUsage', CONTRACTS);
    const base = {
      url: new URL('/v1/usage', q2c.url).toString(),
      authorization: bearer(key).authorization,
      contracts,
    };
    // Warm-up: one small upload of identifiers the measured runs do not use.
    await runUpload({ ...base, prefix: 'warm', events: 2_000, perRequest: 2_000, concurrency: 1 });
    await db.dataSource.query(`DELETE FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage'`);
    const rssBeforeMb = processRssMb(process.pid, 'VmRSS');
    const one = await measured(db, {
      ...base,
      prefix: 'one',
      events: EVENTS,
      perRequest: EVENTS,
      concurrency: 1,
    });
    const split = await measured(db, {
      ...base,
      prefix: 'split',
      events: EVENTS,
      perRequest: PER_REQUEST,
      concurrency: CONCURRENCY,
    });
    const [{ rows, commands, reported, streamed }] = await db.dataSource.query<
      [{ rows: number; commands: number; reported: number; streamed: number }]
    >(
      `SELECT (SELECT count(*) FROM "q2c"."usage_events" WHERE "identifier" ~ '^(one|split)-')::int AS rows,
              (SELECT count(*) FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS commands,
              (SELECT coalesce(sum(jsonb_array_length("envelope"->'payload'->'events')), 0)
                 FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS reported,
              (SELECT coalesce(sum(ceil(jsonb_array_length("envelope"->'payload'->'events') / 100.0)), 0)
                 FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS streamed`,
    );
    if (one.staged !== EVENTS || split.staged !== EVENTS || rows !== 2 * EVENTS)
      throw new Error(
        `${String(2 * EVENTS)} events sent, ${String(one.staged + split.staged)} answered staged, ${String(rows)} stored`,
      );
    const perSecond = (r: UploadResult) => Math.round(EVENTS / r.seconds);
    const rssPeakMb = Math.max(one.rssPeakMb, split.rssPeakMb, processRssMb(process.pid, 'VmHWM'));
    printFigures({
      bench: 'q2c-usage',
      events: EVENTS,
      oneRequest: { seconds: Number(one.seconds.toFixed(3)), eventsPerSecond: perSecond(one) },
      split: {
        requests: split.requestMs.length,
        perRequest: PER_REQUEST,
        concurrency: CONCURRENCY,
        seconds: Number(split.seconds.toFixed(3)),
        eventsPerSecond: perSecond(split),
        requestMsMax: Math.max(...split.requestMs),
      },
      reportCommands: commands,
      stripeRequestsPer1MEvents: {
        meterEvents: Math.round((reported / (2 * EVENTS)) * 1_000_000),
        meterEventStream: Math.round((streamed / (2 * EVENTS)) * 1_000_000),
      },
      rssBeforeMb,
      rssPeakMb,
      rssLimitMb: RSS_LIMIT_MB,
      target: TARGET_PER_SECOND,
      pass:
        perSecond(one) >= TARGET_PER_SECOND &&
        perSecond(split) >= TARGET_PER_SECOND &&
        rssPeakMb <= RSS_LIMIT_MB,
    });
  } finally {
    await q2c.close();
    await db.drop();
  }
}

runBench('q2c-usage', main);
