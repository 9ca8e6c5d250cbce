import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig, RetentionConfig } from '@revline/config';
import { Retention } from '@revline/messaging';
import { MetricsService } from '@revline/observability';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase, HARNESS_DATABASE, HarnessModule } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { LINEAGE_RETENTION } from '../apps/process-q2c/src/lineage/lineage.retention';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { STRIPE_EVENTS_RETENTION } from '../apps/system-billing/src/webhooks/stripe-events.retention';

/** The instant the prunes run at: windows count back from here (outbox 30 days, inbox and webhooks 90, lineage 400). */
const NOW = new Date('2026-07-01T00:00:00Z');
const BATCH = 100;

describe('retention: expired outbox, inbox, processed-webhook and lineage rows pruned in batches', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let retention: Retention;

  const count = async (table: string, where = 'true'): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
    );
    return rows[0]?.n ?? 0;
  };
  const pruned = async (table: string): Promise<number> =>
    (await app.get(MetricsService).retentionPruned.get()).values
      .filter((v) => v.labels.table === table)
      .reduce((sum, v) => sum + v.value, 0);

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    for (const database of [Q2C, BILLING]) await runMigrations(appDataSourceOptions(database, db.url));
    Object.assign(process.env, {
      QUEUE_PREFIX: `test-retention-${randomUUID().slice(0, 8)}`,
      OUTBOX_RELAY: 'off',
      RETENTION_ENABLED: 'false',
      RETENTION_BATCH_ROWS: String(BATCH),
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.createApplicationContext(HarnessModule, { logger: false });
    await app.init();
    retention = app.get(Retention);
    // The owning apps' targets, against their own tables migrated into this database.
    retention.register(LINEAGE_RETENTION);
    retention.register(STRIPE_EVENTS_RETENTION);

    const outbox = (key: string, created: string, published: string | null, delivered: string | null) =>
      db.dataSource.query(
        `INSERT INTO harness.outbox (message_id, queue, job, idempotency_key, envelope, created_at, published_at, delivered_at)
         VALUES (gen_random_uuid(), 'billing.commands', 'billing.apply-contract-change', $1, '{}', $2, $3, $4)`,
        [key, created, published, delivered],
      );
    await outbox(
      'delivered-long-ago',
      '2026-05-01T00:00:00Z',
      '2026-05-01T00:00:01Z',
      '2026-05-01T00:00:02Z',
    );
    await outbox('delivered-lately', '2026-06-20T00:00:00Z', '2026-06-20T00:00:01Z', '2026-06-20T00:00:02Z');
    await outbox('never-confirmed', '2025-01-01T00:00:00Z', '2025-01-01T00:00:01Z', null);
    await outbox('never-published', '2025-01-01T00:00:00Z', null, null);
    // 250 expired inbox rows (three batches) and one inside the window.
    await db.dataSource.query(
      `INSERT INTO harness.inbox (consumer, idempotency_key, message_id, processed_at)
       SELECT 'harness', 'old-' || n, gen_random_uuid(), '2026-03-01T00:00:00Z' FROM generate_series(1, 250) n`,
    );
    await db.dataSource.query(
      `INSERT INTO harness.inbox (consumer, idempotency_key, message_id, processed_at)
       VALUES ('harness', 'recent', gen_random_uuid(), '2026-05-01T00:00:00Z')`,
    );
    await db.dataSource.query(
      `INSERT INTO billing.stripe_events (event_id, type, object_id, created, source, stale, received_at)
       VALUES ('evt_old', 'invoice.paid', 'in_1', 1, 'webhook', false, '2026-03-01T00:00:00Z'),
              ('evt_new', 'invoice.paid', 'in_2', 2, 'poller', false, '2026-06-01T00:00:00Z')`,
    );
    await db.dataSource.query(
      `INSERT INTO q2c.lineage (contract_id, system, object_type, external_id, status, correlation_id, occurred_at, recorded_at)
       VALUES ('C-1', 'salesforce', 'Order', 'O-1', 'captured', 'corr-1', '2025-05-01T00:00:00Z', '2025-05-01T00:00:00Z'),
              ('C-1', 'billing', 'Invoice', 'in_1', 'posted', 'corr-1', '2025-06-15T00:00:00Z', '2025-06-15T00:00:00Z')`,
    );
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  it('prunes each kind past its window in batches, never an undelivered outbox row, and counts what it pruned', async () => {
    const first = await retention.pruneOnce(NOW);
    expect(first).toEqual({
      'harness.outbox': 1,
      'harness.inbox': BATCH,
      'q2c.lineage': 1,
      'billing.stripe_events': 1,
    });
    expect(await retention.pruneOnce(NOW)).toMatchObject({ 'harness.inbox': BATCH, 'harness.outbox': 0 });
    expect(await retention.pruneOnce(NOW)).toMatchObject({ 'harness.inbox': 50 });
    expect(Object.values(await retention.pruneOnce(NOW))).toEqual([0, 0, 0, 0]);

    const outboxKeys = await db.dataSource.query<Array<{ idempotency_key: string }>>(
      `SELECT idempotency_key FROM harness.outbox ORDER BY idempotency_key`,
    );
    expect(outboxKeys.map((row) => row.idempotency_key)).toEqual([
      'delivered-lately',
      'never-confirmed',
      'never-published',
    ]);
    expect(await count('harness.inbox')).toBe(1);
    expect(await count('harness.inbox', `idempotency_key = 'recent'`)).toBe(1);
    expect(await count('billing.stripe_events', `event_id = 'evt_new'`)).toBe(1);
    expect(await count('billing.stripe_events')).toBe(1);
    expect(await count('q2c.lineage', `status = 'posted'`)).toBe(1);
    expect(await count('q2c.lineage')).toBe(1);

    expect(await pruned('harness.inbox')).toBe(250);
    expect(await pruned('harness.outbox')).toBe(1);
    expect(await pruned('billing.stripe_events')).toBe(1);
    expect(await pruned('q2c.lineage')).toBe(1);
  });

  it('refuses an inbox window that would not outlast a re-drive by days', () => {
    const saved = process.env.RETENTION_INBOX_DAYS;
    process.env.RETENTION_INBOX_DAYS = '2';
    try {
      expect(() => loadConfig(RetentionConfig)).toThrow(/RETENTION_INBOX_DAYS/);
    } finally {
      if (saved === undefined) Reflect.deleteProperty(process.env, 'RETENTION_INBOX_DAYS');
      else process.env.RETENTION_INBOX_DAYS = saved;
    }
  });
});
