/**
 * Real-time order validation benchmark (issue 7): `POST /v1/orders/validate` latency under an open-loop offered
 * load of 1,000 requests/s for ~10 s (target p99 ≤ 20 ms). process-q2c boots in-process on a fresh database (local
 * Postgres and Redis); the load generator runs in a worker thread on loopback, so its CPU is not charged to the
 * app's event loop (both still share this machine's cores). Open loop: each request has a scheduled send time on a
 * fixed 1 ms grid and its latency is measured from that time, not from when it was actually sent, so a stalled
 * server cannot hide its queueing (no coordinated omission). The bodies alternate the §2 booking (customer master
 * lookup) and the expansion (contract lookup), with distinct order and account ids. Prints JSON lines.
 * Run after the build: node dist/bench/q2c-validate.bench.js
 */
import 'reflect-metadata';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';
import { bookingRecord, expansionRecord } from '../apps/process-q2c/src/shared/order-examples';
import { percentile, printFigures, runBench } from './support/bench';

const RATE = Number.parseInt(process.env.BENCH_Q2C_VALIDATE_RATE ?? '1000', 10);
const SECONDS = Number.parseInt(process.env.BENCH_Q2C_VALIDATE_SECONDS ?? '10', 10);
const WARMUP_SECONDS = Number.parseInt(process.env.BENCH_Q2C_VALIDATE_WARMUP_SECONDS ?? '3', 10);
const TARGET_P99_MS = 20;

interface LoadInput {
  url: string;
  authorization: string;
  rate: number;
  seconds: number;
  bodies: string[];
}

interface LoadResult {
  latencies: number[];
  errors: number;
  statuses: Record<string, number>;
  invalid: number;
  seconds: number;
}

/** The open-loop generator: sends on schedule whatever the answers do, and times each from its scheduled start. */
async function offerLoad(input: LoadInput): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(input.rate * input.seconds);
  const interval = 1000 / input.rate;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let invalid = 0;
  const pending: Array<Promise<void>> = [];
  const send = (i: number, scheduled: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const body = input.bodies[i % input.bodies.length] ?? '{}';
      const req = httpRequest(
        input.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            authorization: input.authorization,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            latencies.push(performance.now() - scheduled);
            const status = String(res.statusCode ?? 0);
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (res.statusCode === 200) {
              const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { valid?: unknown };
              if (typeof answer.valid !== 'boolean') invalid += 1;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
      req.end(body);
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
  return { latencies, errors, statuses, invalid, seconds };
}

function runLoad(input: LoadInput): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: input });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited ${String(code)}`));
    });
  });
}

/** Booking and expansion bodies with distinct ids, as internal tools would send them. */
function bodies(count: number): string[] {
  return Array.from({ length: count }, (_, i) => {
    const id = String(i).padStart(6, '0');
    const overrides = { Id: `801Bench${id}`, AccountId: `001Bench${id}` };
    return JSON.stringify(i % 2 === 0 ? bookingRecord(overrides) : expansionRecord(overrides));
  });
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db = await createTestDatabase(DATABASE);
  const q2c = await createTestApp(AppModule, APP, {});
  try {
    const key = await seedApiKey(db.dataSource, ['finance.viewer'], 'bench-tools');
    const input = {
      url: new URL('/v1/orders/validate', q2c.url).toString(),
      authorization: bearer(key).authorization,
      rate: RATE,
      bodies: bodies(500),
    };
    const warm = await runLoad({ ...input, seconds: WARMUP_SECONDS });
    if (warm.errors > 0 || (warm.statuses['200'] ?? 0) !== warm.latencies.length)
      throw new Error(`warm-up answered ${JSON.stringify(warm.statuses)} with ${String(warm.errors)} errors`);
    const loop = performance.eventLoopUtilization();
    const run = await runLoad({ ...input, seconds: SECONDS });
    const busy = performance.eventLoopUtilization(loop);
    const sorted = [...run.latencies].sort((a, b) => a - b);
    const ok = run.statuses['200'] ?? 0;
    const p99 = percentile(sorted, 99);
    printFigures({
      bench: 'q2c-validate',
      requests: run.latencies.length,
      ok,
      errors: run.errors,
      badAnswers: run.invalid,
      statuses: run.statuses,
      offeredPerSecond: RATE,
      achievedPerSecond: Math.round(ok / run.seconds),
      seconds: Number(run.seconds.toFixed(3)),
      p50Ms: Number(percentile(sorted, 50).toFixed(2)),
      p90Ms: Number(percentile(sorted, 90).toFixed(2)),
      p99Ms: Number(p99.toFixed(2)),
      maxMs: Number((sorted.at(-1) ?? Number.NaN).toFixed(2)),
      serverLoopUtilisation: Number(busy.utilization.toFixed(3)),
      target: { p99Ms: TARGET_P99_MS, perSecond: RATE },
      pass:
        run.errors === 0 &&
        run.invalid === 0 &&
        ok === run.latencies.length &&
        ok >= RATE * SECONDS * 0.99 &&
        p99 <= TARGET_P99_MS,
    });
  } finally {
    await q2c.close();
    await db.drop();
  }
}

if (isMainThread) {
  runBench('q2c-validate', main);
} else {
  void offerLoad(workerData as LoadInput).then((result) => parentPort?.postMessage(result));
}
