/**
 * Salesforce change-capture benchmark (issue 4): orders activated in bursts through the Salesforce sandbox (jsforce,
 * composite updates of 200 — one transaction and one merged change event each), captured by system-salesforce (CDC
 * over CometD, the poller as safety net), read back with their lines, account and products, and queued as
 * `crm.record-changed` (outbox row, then the BullMQ job the relay publishes).
 *
 * Both ends are timed per change: the sandbox's commit time of each activation (the org's commit hook, in
 * milliseconds, the instant Change Data Capture stamps as `commitTimestamp`) and the BullMQ job's timestamp (set
 * when the relay adds it). The outbox row's `created_at` (its transaction's start) is reported beside it.
 * Throughput is changes over the span from the first commit to the last job queued. The draft orders are made
 * beforehand straight in the org store (not timed). Boots the sandbox and system-salesforce in-process on loopback,
 * on a fresh database (local Postgres and Redis). Prints one JSON line.
 * Run after the build: node dist/bench/salesforce.bench.js
 */
import 'reflect-metadata';
import { OutboxMessageEntity, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import type { Connection } from 'jsforce';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { SANDBOXES } from '../apps/sandbox/src/app.info';
import { ADMIN_USER_ID, OrgStore } from '../apps/sandbox/src/salesforce/org/org-store';
import { SalesforceSandboxModule } from '../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import { loginToSandbox, seedCatalogue } from '../apps/sandbox/src/salesforce/testing/seed';
import type { Catalogue } from '../apps/sandbox/src/salesforce/testing/seed';
import { AppModule } from '../apps/system-salesforce/src/app.module';
import { APP } from '../apps/system-salesforce/src/app.info';
import { DATABASE } from '../apps/system-salesforce/src/database';
import { percentile, runBench } from './support/bench';

const CHANGES = Number.parseInt(process.env.BENCH_SF_CHANGES ?? '8000', 10);
/** Orders activated per burst (composite calls of 200, sent together). */
const BURST = Number.parseInt(process.env.BENCH_SF_BURST ?? '400', 10);
/** Offered load: bursts are spaced so that this many activations per second are committed. */
const RATE = Number.parseInt(process.env.BENCH_SF_RATE ?? '1500', 10);
const MAX_SECONDS = Number.parseInt(process.env.BENCH_SF_MAX_SECONDS ?? '60', 10);
const TARGET_PER_SECOND = 1000;
const TARGET_P99_MS = 1000;

/** Draft orders with one line each, written straight into the org store 200 per transaction (not timed). */
function createDrafts(store: OrgStore, catalogue: Catalogue, count: number): string[] {
  const context = {
    userId: ADMIN_USER_ID,
    changeOrigin: 'com/salesforce/api/rest/60.0;client=BenchFixtures',
  };
  const ids: string[] = [];
  for (let start = 0; start < count; start += 200) {
    const tx = store.begin(context);
    for (let i = start; i < Math.min(count, start + 200); i += 1) {
      const orderId = tx.create('Order', {
        AccountId: catalogue.accountId,
        Pricebook2Id: catalogue.pricebookId,
        EffectiveDate: '2026-01-01',
        EndDate: '2026-12-31',
        Status: 'Draft',
      });
      tx.create('OrderItem', {
        OrderId: orderId,
        PricebookEntryId: catalogue.seatsEntryId,
        Quantity: 10,
        UnitPrice: 1200,
      });
      ids.push(orderId);
    }
    store.commit(tx);
  }
  return ids;
}

async function activate(conn: Connection, ids: readonly string[]): Promise<void> {
  const calls: Array<Promise<unknown>> = [];
  for (let i = 0; i < ids.length; i += 200) {
    const batch = ids.slice(i, i + 200).map((Id) => ({ Id, Status: 'Activated' }));
    calls.push(
      conn
        .sobject('Order')
        .update(batch)
        .then((results) => {
          const failed = (results as Array<{ success: boolean }>).filter((r) => !r.success);
          if (failed.length > 0) throw new Error(`activation failed: ${JSON.stringify(failed.at(0))}`);
        }),
    );
  }
  await Promise.all(calls);
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db: TestDatabase = await createTestDatabase(DATABASE);
  const sandbox: TestApp = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec);
  let system: TestApp | undefined;
  try {
    const sales = await loginToSandbox(sandbox.url, { maxRequest: 16 });
    const catalogue = await seedCatalogue(sales);
    const store = sandbox.app.get(OrgStore);
    const ids = createDrafts(store, catalogue, CHANGES);

    // The org's commit instant of each activation, in milliseconds.
    const committedAt = new Map<string, number>();
    store.onCommit((tx) => {
      for (const change of tx.changes) {
        if (
          change.object === 'Order' &&
          change.changedFields.includes('Status') &&
          change.values.Status === 'Activated'
        )
          committedAt.set(change.id, tx.committedAt.getTime());
      }
    });

    system = await createTestApp(AppModule, APP, { SALESFORCE_LOGIN_URL: sandbox.url });
    const deadlineSubscribed = Date.now() + 20_000;
    for (;;) {
      const res = (await (await fetch(`${sandbox.url}/sandbox/cdc`)).json()) as { subscriptions: number };
      if (res.subscriptions > 0) break;
      if (Date.now() > deadlineSubscribed) throw new Error('system-salesforce did not subscribe to CDC');
      await sleep(50);
    }
    const queue = await system.app.get(Queues).get('crm.changes');

    const started = performance.now();
    const deadline = started + MAX_SECONDS * 1000;
    const interval = (BURST / RATE) * 1000;
    let sent = 0;
    for (let burst = 0; sent < ids.length && performance.now() < deadline; burst += 1) {
      const due = started + burst * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const slice = ids.slice(sent, sent + BURST);
      await activate(sales, slice);
      sent += slice.length;
    }
    const sendSeconds = (performance.now() - started) / 1000;

    // Wait until every activation sent is a queued job (or the time is up).
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'completed', 'failed', 'delayed');
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      if (total >= sent || performance.now() > deadline) break;
      await sleep(100);
    }

    const jobs = await queue.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'], 0, -1);
    const queuedAt = new Map<string, number>();
    let duplicates = 0;
    for (const job of jobs) {
      const recordId = (job.data as { payload: { recordId: string } }).payload.recordId;
      if (queuedAt.has(recordId)) duplicates += 1;
      queuedAt.set(recordId, job.timestamp);
    }
    const outbox = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .createQueryBuilder('o')
      .select(['o.idempotencyKey', 'o.createdAt', 'o.envelope'])
      .where('o.job = :job', { job: 'crm.record-changed' })
      .getMany();
    const outboxAt = new Map<string, number>();
    for (const row of outbox) {
      outboxAt.set(
        (row.envelope as { payload: { recordId: string } }).payload.recordId,
        row.createdAt.getTime(),
      );
    }

    const activated = ids.slice(0, sent);
    const toJob: number[] = [];
    const toOutbox: number[] = [];
    let firstCommit = Number.POSITIVE_INFINITY;
    let lastQueued = 0;
    for (const id of activated) {
      const commit = committedAt.get(id);
      const job = queuedAt.get(id);
      const row = outboxAt.get(id);
      if (commit === undefined || job === undefined) continue;
      firstCommit = Math.min(firstCommit, commit);
      lastQueued = Math.max(lastQueued, job);
      toJob.push(job - commit);
      if (row !== undefined) toOutbox.push(row - commit);
    }
    toJob.sort((a, b) => a - b);
    toOutbox.sort((a, b) => a - b);
    const seconds = (lastQueued - firstCommit) / 1000;
    const perSecond = toJob.length / seconds;
    const p99 = percentile(toJob, 99);
    process.stdout.write(
      `${JSON.stringify({
        bench: 'salesforce-change-capture',
        changes: sent,
        queued: toJob.length,
        missing: sent - toJob.length,
        duplicates,
        burst: BURST,
        offeredPerSecond: Math.round(sent / sendSeconds),
        seconds: Number(seconds.toFixed(3)),
        changesPerSecond: Math.round(perSecond),
        commitToQueuedMs: {
          p50: percentile(toJob, 50),
          p95: percentile(toJob, 95),
          p99,
          max: toJob.at(-1) ?? null,
        },
        commitToOutboxMs: { p50: percentile(toOutbox, 50), p99: percentile(toOutbox, 99) },
        target: { changesPerSecond: TARGET_PER_SECOND, p99CommitToQueuedMs: TARGET_P99_MS },
        pass:
          sent === CHANGES &&
          toJob.length === sent &&
          duplicates === 0 &&
          perSecond >= TARGET_PER_SECOND &&
          p99 <= TARGET_P99_MS,
      })}\n`,
    );
    await queue.obliterate({ force: true });
  } finally {
    await system?.close();
    await sandbox.close();
    await db.drop();
  }
}

runBench('salesforce', main);
