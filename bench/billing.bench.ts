/**
 * Billing benchmark (issue 5): contract-change commands applied per second through the Stripe adapter against the
 * Stripe sandbox, and signed webhook events accepted per second by system-billing. Boots the sandbox and
 * system-billing in-process on loopback, on a fresh database (local Postgres and Redis). Prints JSON lines.
 * Run after the build: node dist/bench/billing.bench.js
 */
import 'reflect-metadata';
import { BillingPort } from '@revline/billing-port';
import type { ContractChange } from '@revline/billing-port';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { createHmac } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Stripe from 'stripe';
import { SANDBOXES } from '../apps/sandbox/src/app.info';
import { StripeSandboxModule } from '../apps/sandbox/src/stripe/stripe-sandbox.module';
import { AppModule } from '../apps/system-billing/src/app.module';
import { APP } from '../apps/system-billing/src/app.info';
import { DATABASE } from '../apps/system-billing/src/database';
import { printFigures, runBench } from './support/bench';

const COMMANDS = Number.parseInt(process.env.BENCH_BILLING_COMMANDS ?? '1500', 10);
const WEBHOOKS = Number.parseInt(process.env.BENCH_BILLING_WEBHOOKS ?? '8000', 10);
const CONCURRENCY = Number.parseInt(process.env.BENCH_BILLING_CONCURRENCY ?? '32', 10);
const MAX_SECONDS = Number.parseInt(process.env.BENCH_BILLING_MAX_SECONDS ?? '30', 10);
const SECRET = 'whsec_revline_sandbox';

/** Runs `total` tasks with bounded concurrency, stopping early at the deadline; returns how many completed. */
async function pool(
  total: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total && performance.now() < deadline) {
      const i = next;
      next += 1;
      await task(i);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return done;
}

interface SenderInput {
  url: string;
  first: number;
  total: number;
  concurrency: number;
  maxSeconds: number;
}

/**
 * Stripe's side of the webhook figure: signs and posts `invoice.finalized` events over keep-alive connections,
 * `concurrency` at a time, and times them from the first send to the last answer. It runs in a worker thread so
 * that the sender's own CPU (Stripe's, in production) is not charged to system-billing's event loop; the server,
 * Postgres and Redis still share this machine's cores with it.
 */
async function sendWebhooks(input: SenderInput): Promise<{ accepted: number; seconds: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.concurrency });
  const post = (i: number) =>
    new Promise<void>((resolve, reject) => {
      const created = Math.floor(Date.now() / 1000);
      const body = JSON.stringify({
        id: `evt_bench_${i}`,
        object: 'event',
        type: 'invoice.finalized',
        created,
        data: {
          object: {
            id: `in_bench_${i}`,
            object: 'invoice',
            customer: 'cus_bench',
            currency: 'usd',
            total: 1000,
            created,
            status_transitions: { finalized_at: created },
            lines: { data: [] },
          },
        },
      });
      const signature = `t=${created},v1=${createHmac('sha256', SECRET).update(`${created}.${body}`).digest('hex')}`;
      const req = httpRequest(
        input.url,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'stripe-signature': signature,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) resolve();
            else reject(new Error(`webhook answered ${res.statusCode ?? '?'}`));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const t0 = performance.now();
  const accepted = await pool(input.total, input.concurrency, t0 + input.maxSeconds * 1000, (i) =>
    post(input.first + i),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { accepted, seconds };
}

function runSender(input: SenderInput): Promise<{ accepted: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(__filename, { workerData: input });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`webhook sender exited ${code}`));
    });
  });
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.STRIPE_EVENTS_POLL_MS = '0';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db = await createTestDatabase(DATABASE);
  const sandbox = await createTestApp(StripeSandboxModule, SANDBOXES[1]?.spec ?? APP, {
    SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
  });
  const port = new URL(sandbox.url).port;
  // The fast sandbox refuses nothing: the Stripe rate limiter is set out of the way, so the bench measures Revline.
  const billing = await createTestApp(AppModule, APP, {
    STRIPE_PORT: port,
    STRIPE_RATE_LIMIT_PER_SECOND: '100000',
    STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '100000',
  });
  try {
    const stripe = new Stripe('sk_test_revline_sandbox', {
      host: '127.0.0.1',
      port: Number(port),
      protocol: 'http',
    });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 10_000,
      recurring: { interval: 'month' },
    });
    const customers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => stripe.customers.create({ name: `Bench ${i}` })),
    );
    const port_ = billing.app.get(BillingPort);
    const today = new Date().toISOString().slice(0, 10);
    const change = (i: number): ContractChange => ({
      contractId: `BENCH-${i}`,
      kind: 'create',
      customer: {
        billingCustomerId: customers[i % customers.length]?.id ?? '',
        name: 'Bench',
        crmAccountId: `A${i}`,
      },
      currency: 'USD',
      effectiveDate: today,
      items: [{ lineId: `L${i}`, priceId: price.id, quantity: 1 + (i % 9) }],
      proration: 'create_prorations',
      rampSteps: [],
    });
    await pool(50, 8, Number.POSITIVE_INFINITY, (i) =>
      port_.applyContractChange(change(COMMANDS + i), `warm-${i}`).then(() => undefined),
    );
    const t0 = performance.now();
    const applied = await pool(COMMANDS, CONCURRENCY, t0 + MAX_SECONDS * 1000, (i) =>
      port_.applyContractChange(change(i), `bench-cmd-${i}`).then(() => undefined),
    );
    const seconds = (performance.now() - t0) / 1000;
    const commandsPerSecond = Math.round(applied / seconds);
    printFigures({
      bench: 'billing-commands',
      commands: applied,
      seconds: Number(seconds.toFixed(3)),
      commandsPerSecond,
      concurrency: CONCURRENCY,
      target: 300,
      pass: commandsPerSecond >= 300,
    });

    const url = new URL('/v1/webhooks/stripe', billing.url).toString();
    const warm = await runSender({ url, first: WEBHOOKS, total: 200, concurrency: 16, maxSeconds: 60 });
    const loop = performance.eventLoopUtilization();
    const sent = await runSender({
      url,
      first: 0,
      total: WEBHOOKS,
      concurrency: CONCURRENCY * 2,
      maxSeconds: MAX_SECONDS,
    });
    const accepted = sent.accepted;
    const busy = performance.eventLoopUtilization(loop);
    const webhooksPerSecond = Math.round(accepted / sent.seconds);
    const [{ count: stored }] = await db.dataSource.query<[{ count: string }]>(
      `SELECT count(*) AS "count" FROM "billing"."stripe_events" WHERE "event_id" LIKE 'evt_bench_%'`,
    );
    if (Number(stored) !== accepted + warm.accepted)
      throw new Error(`${accepted + warm.accepted} webhooks answered 200 but ${stored} events are stored`);
    printFigures({
      bench: 'billing-webhooks',
      events: accepted,
      stored: Number(stored) - warm.accepted,
      serverLoopMsPerEvent: Number((busy.active / Math.max(1, accepted)).toFixed(3)),
      seconds: Number(sent.seconds.toFixed(3)),
      webhooksPerSecond,
      concurrency: CONCURRENCY * 2,
      target: 2000,
      pass: webhooksPerSecond >= 2000,
    });
  } finally {
    await billing.close();
    await sandbox.close();
    await db.drop();
  }
}

if (isMainThread) {
  runBench('billing', main);
} else {
  void sendWebhooks(workerData as SenderInput).then((result) => parentPort?.postMessage(result));
}
