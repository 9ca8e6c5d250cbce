/**
 * The inbox at scale (issue 21, retention): a handler's inbox check and insert (`Inbox.runOnce`, the path every
 * consumed message takes) timed on an empty inbox and again with BENCH_INBOX_ROWS (10,000,000) rows in it, for a
 * new message (insert) and a repeat (the duplicate the insert finds); then retention's prune batches of
 * RETENTION_BATCH_ROWS expired rows (half the filled rows are past the 90-day window). The rows are generated in
 * SQL (generate_series) with random keys, as idempotency keys are. Uses its own database on the local Postgres and
 * drops it at the end. Prints JSON lines. Run after the build: node dist/bench/inbox-retention.bench.js
 */
import 'reflect-metadata';
import { loadConfig, RetentionConfig } from '@revline/config';
import { Inbox, messagingRetentionTargets, RetentionRepository } from '@revline/messaging';
import type { AppDatabase } from '@revline/platform';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { percentile, printFigures, runBench } from './support/bench';

const ROWS = Number.parseInt(process.env.BENCH_INBOX_ROWS ?? '10000000', 10);
const SAMPLES = Number.parseInt(process.env.BENCH_INBOX_SAMPLES ?? '2000', 10);
const PRUNE_BATCHES = 10;
const CONSUMER = 'bench';
const DAY_MS = 24 * 3600 * 1000;

const BENCH_DATABASE: AppDatabase = { schema: 'bench', messaging: true };

interface Timings {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function summarise(samples: number[]): Timings {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return {
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Times `Inbox.runOnce` for each key, one after another, as a handler calls it; checks every outcome. */
async function timeRunOnce(inbox: Inbox, keys: readonly string[], expectApplied: boolean): Promise<Timings> {
  const samples: number[] = [];
  for (const key of keys) {
    const start = performance.now();
    const outcome = await inbox.runOnce(CONSUMER, { idempotencyKey: key, messageId: randomUUID() }, () =>
      Promise.resolve(key),
    );
    samples.push(performance.now() - start);
    if (outcome.applied !== expectApplied)
      throw new Error(
        `runOnce(${key}) applied ${String(outcome.applied)}, expected ${String(expectApplied)}`,
      );
  }
  return summarise(samples);
}

/** Times the new and repeated messages of one round at the inbox's present size. */
async function round(inbox: Inbox, label: string, existing: readonly string[]): Promise<void> {
  const fresh = Array.from({ length: SAMPLES }, () => randomUUID());
  // A warm-up of the connection pool and the plans, not measured.
  await timeRunOnce(inbox, fresh.slice(0, 50), true);
  const insert = await timeRunOnce(inbox, fresh.slice(50), true);
  const duplicate = await timeRunOnce(inbox, existing.length > 0 ? existing : fresh.slice(50), false);
  printFigures({ bench: 'inbox-retention', inboxRows: label, samples: SAMPLES - 50, insert, duplicate });
}

async function main(): Promise<void> {
  const db = await createTestDatabase(BENCH_DATABASE);
  try {
    const inbox = new Inbox(db.dataSource);
    await round(inbox, 'empty', []);

    const fillStart = performance.now();
    // Keys are md5s (random order in the primary key, as real idempotency keys); processed_at spread over 180 days.
    await db.dataSource.query(
      `INSERT INTO bench.inbox (consumer, idempotency_key, message_id, processed_at)
       SELECT $1, md5(n::text), md5('m' || n)::uuid, now() - (n % 180) * interval '1 day' - (n % 86400) * interval '1 second'
         FROM generate_series(1, $2::int) n`,
      [CONSUMER, ROWS],
    );
    const fillSeconds = (performance.now() - fillStart) / 1000;
    await db.dataSource.query(`VACUUM ANALYZE bench.inbox`);
    const sizes = await db.dataSource.query<Array<{ table: string; indexes: string }>>(
      `SELECT pg_size_pretty(pg_table_size('bench.inbox')) AS "table",
              pg_size_pretty(pg_indexes_size('bench.inbox')) AS "indexes"`,
    );
    printFigures({
      bench: 'inbox-retention',
      filledRows: ROWS,
      fillSeconds: Math.round(fillSeconds),
      tableSize: sizes[0]?.table,
      indexSize: sizes[0]?.indexes,
    });

    // Repeats of rows spread over the whole table, most of them not in cache.
    const picks = Array.from({ length: SAMPLES - 50 }, () => 1 + Math.floor(Math.random() * ROWS));
    const keys = await db.dataSource.query<Array<{ key: string }>>(
      `SELECT md5(n::text) AS key FROM unnest($1::int[]) n`,
      [picks],
    );
    await round(
      inbox,
      String(ROWS),
      keys.map((k) => k.key),
    );

    const config = loadConfig(RetentionConfig);
    const target = messagingRetentionTargets('bench').find((t) => t.table === 'inbox');
    if (!target) throw new Error('no inbox retention target');
    const cutoff = new Date(Date.now() - target.days(config) * DAY_MS);
    const repository = new RetentionRepository();
    const batches: number[] = [];
    let deleted = 0;
    for (let i = 0; i < PRUNE_BATCHES; i++) {
      const start = performance.now();
      deleted += await repository.pruneBatch(
        db.dataSource.manager,
        target,
        cutoff,
        config.RETENTION_BATCH_ROWS,
      );
      batches.push(performance.now() - start);
    }
    // The handler path again, while the table holds the dead rows of the batches just pruned.
    const afterPrune = await timeRunOnce(
      inbox,
      Array.from({ length: 500 }, () => randomUUID()),
      true,
    );
    printFigures({
      bench: 'inbox-retention',
      pruneBatchRows: config.RETENTION_BATCH_ROWS,
      pruneBatches: PRUNE_BATCHES,
      deleted,
      pruneBatch: summarise(batches),
      insertAfterPrune: afterPrune,
    });
  } finally {
    await db.drop();
  }
}

runBench('inbox-retention', main);
