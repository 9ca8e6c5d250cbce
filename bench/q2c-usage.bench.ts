/**
 * Bulk usage ingestion benchmark (issue 7): `POST /v1/usage` with large uploads — 200,000 usage events in a few
 * JSON-lines requests of 50,000 — timed from the first byte sent to the last answer (every row checked, staged
 * once per identifier, batched into billing.report-usage outbox commands and lineage, in one transaction per
 * request). Target ≥ 50,000 events/s. Also the process RSS before and at its peak during the uploads (sampled every
 * 20 ms; the sender's bodies live in the same process, in a worker thread, and are counted too).
 *
 * process-q2c boots in-process on a fresh database (local Postgres and Redis) with the outbox relay off, so the
 * figure is ingestion alone (system-billing's reporting to Stripe is measured by the billing bench). The contracts
 * the rows report against are fixtures: completed booking sagas with a billing customer, written straight into
 * q2c.sagas (not timed). The request body limit is raised to fit 50,000 rows (BODY_LIMIT_BYTES, see the report).
 * Run after the build: node dist/bench/q2c-usage.bench.js
 */
import 'reflect-metadata';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';
import { printFigures, runBench } from './support/bench';

const EVENTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_EVENTS ?? '200000', 10);
const PER_REQUEST = Number.parseInt(process.env.BENCH_Q2C_USAGE_PER_REQUEST ?? '50000', 10);
const CONTRACTS = Number.parseInt(process.env.BENCH_Q2C_USAGE_CONTRACTS ?? '20', 10);
const TARGET_PER_SECOND = 50_000;

interface UploadInput {
  url: string;
  authorization: string;
  events: number;
  perRequest: number;
  contracts: string[];
}

interface UploadResult {
  seconds: number;
  requests: Array<{ rows: number; status: number; ms: number; bytes: number; staged: number }>;
}

/** One JSON-lines body of usage events, `first`..`first + count - 1`, spread over the contracts. */
function body(first: number, count: number, contracts: readonly string[]): string {
  const lines: string[] = [];
  for (let i = first; i < first + count; i += 1) {
    lines.push(
      JSON.stringify({
        identifier: `bench-usage-${String(i)}`,
        contractId: contracts[i % contracts.length],
        productCode: 'API-CALLS',
        quantity: String(1 + (i % 997)),
        occurredAt: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T12:${String(i % 60).padStart(2, '0')}:00Z`,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The uploader: builds every body first (not timed), then posts them one after the other. */
async function upload(input: UploadInput): Promise<UploadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const bodies: Array<{ rows: number; text: string }> = [];
  for (let first = 0; first < input.events; first += input.perRequest) {
    const rows = Math.min(input.perRequest, input.events - first);
    bodies.push({ rows, text: body(first, rows, input.contracts) });
  }
  const post = (text: string) =>
    new Promise<{ status: number; answer: string }>((resolve, reject) => {
      const req = httpRequest(
        input.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-ndjson',
            'content-length': Buffer.byteLength(text),
            authorization: input.authorization,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, answer: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      req.on('error', reject);
      req.end(text);
    });
  const requests: UploadResult['requests'] = [];
  const t0 = performance.now();
  for (const { rows, text } of bodies) {
    const start = performance.now();
    const { status, answer } = await post(text);
    if (status !== 200)
      throw new Error(`upload of ${String(rows)} rows answered ${String(status)}: ${answer}`);
    const staged = (JSON.parse(answer) as { staged: number }).staged;
    requests.push({
      rows,
      status,
      ms: Math.round(performance.now() - start),
      bytes: Buffer.byteLength(text),
      staged,
    });
  }
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { seconds, requests };
}

function runUpload(input: UploadInput): Promise<UploadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: input });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`uploader exited ${String(code)}`));
    });
  });
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db = await createTestDatabase(DATABASE);
  const q2c = await createTestApp(AppModule, APP, {
    OUTBOX_RELAY: 'off',
    BODY_LIMIT_BYTES: String(16 * 1024 * 1024),
  });
  try {
    const key = await seedApiKey(db.dataSource, ['finance.operator'], 'bench-usage');
    const contracts = Array.from(
      { length: CONTRACTS },
      (_, i) => `801BenchUsage${String(i).padStart(5, '0')}`,
    );
    for (const [i, contractId] of contracts.entries()) {
      await db.dataSource.query(
        `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id",
           "committed_at", "data", "completed_at")
         VALUES ($1, $2, 'booking', $3, 'completed', 'done', $4, now(), $5, now())`,
        [
          randomUUID(),
          randomUUID(),
          contractId,
          `bench-usage-${String(i)}`,
          JSON.stringify({ billingCustomerId: `cus_bench_${String(i)}`, invoices: [], creditNotes: [] }),
        ],
      );
    }
    const input = {
      url: new URL('/v1/usage', q2c.url).toString(),
      authorization: bearer(key).authorization,
      contracts,
    };
    // Warm-up: one small upload of identifiers the measured run does not use.
    await runUpload({ ...input, events: 2_000, perRequest: 2_000 });
    await db.dataSource.query(`DELETE FROM "q2c"."usage_events"`);
    await db.dataSource.query(`DELETE FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage'`);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 20);
    const loop = performance.eventLoopUtilization();
    const run = await runUpload({ ...input, events: EVENTS, perRequest: PER_REQUEST });
    const busy = performance.eventLoopUtilization(loop);
    clearInterval(sampler);
    const [{ rows, commands, reported }] = await db.dataSource.query<
      [{ rows: number; commands: number; reported: number }]
    >(
      `SELECT (SELECT count(*) FROM "q2c"."usage_events" WHERE "identifier" LIKE 'bench-usage-%')::int AS rows,
              (SELECT count(*) FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS commands,
              (SELECT coalesce(sum(jsonb_array_length("envelope"->'payload'->'events')), 0)
                 FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS reported`,
    );
    const staged = run.requests.reduce((sum, r) => sum + r.staged, 0);
    if (rows !== EVENTS || staged !== EVENTS || reported !== EVENTS)
      throw new Error(
        `${String(EVENTS)} events uploaded, ${String(staged)} answered staged, ${String(rows)} stored, ${String(reported)} in report commands`,
      );
    const eventsPerSecond = Math.round(EVENTS / run.seconds);
    const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));
    printFigures({
      bench: 'q2c-usage',
      events: EVENTS,
      requests: run.requests.length,
      perRequest: PER_REQUEST,
      requestMs: run.requests.map((r) => r.ms),
      requestMb: Number(((run.requests[0]?.bytes ?? 0) / (1024 * 1024)).toFixed(1)),
      stored: rows,
      reportCommands: commands,
      seconds: Number(run.seconds.toFixed(3)),
      eventsPerSecond,
      serverLoopUtilisation: Number(busy.utilization.toFixed(3)),
      rssBeforeMb: mb(rssBefore),
      rssPeakMb: mb(rssPeak),
      target: TARGET_PER_SECOND,
      pass: eventsPerSecond >= TARGET_PER_SECOND,
    });
  } finally {
    await q2c.close();
    await db.drop();
  }
}

if (isMainThread) {
  runBench('q2c-usage', main);
} else {
  void upload(workerData as UploadInput).then((result) => parentPort?.postMessage(result));
}
