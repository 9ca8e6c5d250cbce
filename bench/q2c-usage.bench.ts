/**
 * Bulk usage ingestion benchmark (issue 18): `POST /v1/usage` streamed, JSON lines generated as they are sent.
 *  - one request of 1,000,000 events (BENCH_Q2C_USAGE_EVENTS), timed from the first byte sent to the answer;
 *  - the same number of events in requests of 20,000 (BENCH_Q2C_USAGE_PER_REQUEST), four at a time
 *    (BENCH_Q2C_USAGE_CONCURRENCY): 50 requests for 1,000,000;
 * each event read, checked, COPYed into the request's staging area, applied once per identifier with its
 * billing.report-usage outbox commands and lineage, in one transaction per request. Target ≥ 50,000 events/s each.
 * Also the peak resident memory of process-q2c (≤ 250 MB), and the Stripe requests the events cost as
 * system-billing reports them today (one meter event request per event, from the outbox's report commands).
 *
 * process-q2c boots in this process on a fresh database (local Postgres and Redis) with the outbox relay off, so
 * the figures are ingestion's alone; the sender runs in a child process, so this process's RSS is process-q2c's
 * (sampled every 20 ms; VmHWM too). The contracts are fixtures (bench/support/usage-fixtures.ts), not timed.
 * Run after the build: node dist/bench/q2c-usage.bench.js
 */
import 'reflect-metadata';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { fork } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';
import { printFigures, processRssMb, runBench } from './support/bench';
import { seedUsageContracts, usageLinesStream } from './support/usage-fixtures';

const EVENTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_EVENTS ?? '1000000', 10);
const PER_REQUEST = Number.parseInt(process.env.BENCH_Q2C_USAGE_PER_REQUEST ?? '20000', 10);
const CONCURRENCY = Number.parseInt(process.env.BENCH_Q2C_USAGE_CONCURRENCY ?? '4', 10);
const CONTRACTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_CONTRACTS ?? '20', 10);
const TARGET_PER_SECOND = 50_000;
const RSS_LIMIT_MB = 250;
const UPLOAD_ROLE = 'q2c-usage-upload';

interface UploadInput {
  url: string;
  authorization: string;
  prefix: string;
  events: number;
  perRequest: number;
  concurrency: number;
  contracts: string[];
}

interface UploadResult {
  seconds: number;
  requestMs: number[];
  staged: number;
}

/** One streamed request of events `first`..`first + count - 1`. */
function postLines(input: UploadInput, agent: Agent, first: number, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      input.url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/x-ndjson', authorization: input.authorization },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`${String(res.statusCode)}: ${answer.slice(0, 500)}`));
          else resolve((JSON.parse(answer) as { staged: number }).staged);
        });
      },
    );
    req.on('error', reject);
    pipeline(usageLinesStream(input.prefix, first, count, input.contracts), req).catch(reject);
  });
}

/** The sender (a child process): the requests, `concurrency` at a time, each body generated as it is sent. */
async function upload(input: UploadInput): Promise<UploadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const starts: number[] = [];
  for (let first = 0; first < input.events; first += input.perRequest) starts.push(first);
  const requestMs: number[] = [];
  let staged = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let first = starts.shift(); first !== undefined; first = starts.shift()) {
      const start = performance.now();
      staged += await postLines(input, agent, first, Math.min(input.perRequest, input.events - first));
      requestMs.push(Math.round(performance.now() - start));
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  agent.destroy();
  return { seconds: (performance.now() - t0) / 1000, requestMs, staged };
}

function runUpload(input: UploadInput): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(__filename, [UPLOAD_ROLE], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
async function measured(input: UploadInput): Promise<UploadResult & { rssPeakMb: number }> {
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
    const rssBeforeMb = processRssMb(process.pid, 'VmRSS');
    const one = await measured({
      ...base,
      prefix: 'one',
      events: EVENTS,
      perRequest: EVENTS,
      concurrency: 1,
    });
    const split = await measured({
      ...base,
      prefix: 'split',
      events: EVENTS,
      perRequest: PER_REQUEST,
      concurrency: CONCURRENCY,
    });
    const [{ rows, commands, reported }] = await db.dataSource.query<
      [{ rows: number; commands: number; reported: number }]
    >(
      `SELECT (SELECT count(*) FROM "q2c"."usage_events" WHERE "identifier" ~ '^(one|split)-')::int AS rows,
              (SELECT count(*) FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS commands,
              (SELECT coalesce(sum(jsonb_array_length("envelope"->'payload'->'events')), 0)
                 FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS reported`,
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
      // system-billing sends one meter event request per event today (aggregation is billing's part of issue 18).
      stripeRequestsPer1MEvents: Math.round((reported / (2 * EVENTS)) * 1_000_000),
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

if (process.argv[2] === UPLOAD_ROLE) {
  process.once('message', (input: UploadInput) => {
    upload(input).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
    );
  });
} else {
  runBench('q2c-usage', main);
}
