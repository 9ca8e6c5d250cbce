import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  DeliveryReceipts,
  jobIdFor,
  Outbox,
  OutboxMessageEntity,
  OutboxRedelivery,
  OutboxRelay,
  Queues,
  RedisConnections,
} from '@revline/messaging';
import type { TestDatabase } from '@revline/testing';
import {
  createTestDatabase,
  eventually,
  HARNESS_DATABASE,
  HarnessModule,
  waitForQueuesIdle,
} from '@revline/testing';
import type { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const applyPayload = {
  contractId: 'C-1',
  changeKind: 'create' as const,
  customer: { name: 'Acme', crmAccountId: '001000000000001AAA' },
  currency: 'USD',
  effectiveDate: '2026-01-01',
  items: [{ priceId: 'price_seats', quantity: '10', lineId: 'L1' }],
  prorationBehavior: 'create_prorations' as const,
};

/**
 * The relay publishes a process's messages as their transactions commit, with no statement of its own, and its poll
 * takes up only rows left unpublished for longer than the grace (a process that died between commit and publish).
 */
describe('outbox: messages published as their transaction commits, against real Postgres and Redis', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let queue: Queue;
  let relay: OutboxRelay;

  /** The app's own DataSource: its relay publishes what commits there (the test's connection is another). */
  const appData = () => app.get(DataSource);
  const key = (name: string) => `on-commit-${name}-${randomUUID()}`;
  const jobId = (k: string) => jobIdFor('billing.apply-contract-change', k);
  const row = (k: string) =>
    db.dataSource.getRepository(OutboxMessageEntity).findOneBy({ idempotencyKey: k });
  const add = (k: string) => (manager: Parameters<Outbox['add']>[0]) =>
    app.get(Outbox).add(manager, 'billing.apply-contract-change', applyPayload, { idempotencyKey: k });
  const effects = async (k: string): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM harness.harness_effects WHERE key = $1 AND kind = 'effect'`,
      [k],
    );
    return rows[0]?.n ?? 0;
  };

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    Object.assign(process.env, {
      QUEUE_PREFIX: `test-on-commit-${randomUUID().slice(0, 8)}`,
      // The loops run: the relay publishes on commit, its poll runs every 50 ms (but leaves rows under the grace).
      OUTBOX_RELAY: 'on',
      OUTBOX_PUBLISH_GRACE_SECONDS: '3600',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_BASE_MS: '10',
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.createApplicationContext(HarnessModule, { logger: false });
    await app.init();
    relay = app.get(OutboxRelay);
    queue = await app.get(Queues).get('billing.commands');
  });

  afterAll(async () => {
    const redis = await app.get(RedisConnections).producer();
    await redis.del(app.get(DeliveryReceipts).key);
    await queue.obliterate({ force: true });
    await app.close();
    await db.drop();
  });

  it('publishes a committed message at once, applies it once, and its receipt marks the row published and delivered', async () => {
    const k = key('commit');
    await appData().transaction(add(k));
    // No relay run claimed it: the row is unpublished, the job in Redis all the same.
    expect((await row(k))?.publishedAt).toBeNull();
    await eventually(async () => (await queue.getJob(jobId(k))) !== undefined, 5_000);
    await waitForQueuesIdle([queue]);
    expect(await effects(k)).toBe(1);
    await eventually(async () => {
      await app.get(OutboxRedelivery).drainReceipts();
      const confirmed = await row(k);
      return confirmed?.deliveredAt != null && confirmed.publishedAt != null;
    }, 10_000);
  });

  it('publishes nothing for a rolled-back transaction, nor for a savepoint released inside one', async () => {
    const rolledBack = key('rollback');
    await expect(
      appData().transaction(async (manager) => {
        await add(rolledBack)(manager);
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');

    const inner = key('savepoint');
    await expect(
      appData().transaction(async (manager) => {
        // A nested transaction is a savepoint: its release is not the commit.
        await manager.transaction(add(inner));
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(await queue.getJob(jobId(inner))).toBeUndefined();
        throw new Error('the outer transaction failed');
      }),
    ).rejects.toThrow('the outer transaction failed');

    // A later commit's publish shows the earlier ones had their chance.
    const later = key('later');
    await appData().transaction(add(later));
    await eventually(async () => (await queue.getJob(jobId(later))) !== undefined, 5_000);
    await waitForQueuesIdle([queue]);
    expect(await queue.getJob(jobId(rolledBack))).toBeUndefined();
    expect(await queue.getJob(jobId(inner))).toBeUndefined();
    expect(await row(rolledBack)).toBeNull();
    expect(await row(inner)).toBeNull();
  });

  it('publishes a message written outside a transaction at once, and one written twice once', async () => {
    const k = key('autocommit');
    await add(k)(appData().manager);
    await eventually(async () => (await queue.getJob(jobId(k))) !== undefined, 5_000);
    await waitForQueuesIdle([queue]);
    // Written again under the same key: the outbox keeps the first row, and nothing new is published.
    await appData().transaction(add(k));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await waitForQueuesIdle([queue]);
    expect(await effects(k)).toBe(1);
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.filter((job) => job.id === jobId(k))).toHaveLength(1);
  });

  it('leaves a row its process did not publish to the poll until the grace is past, then publishes it', async () => {
    // A row committed by a process that died before publishing: written by SQL, which hands nothing to the relay.
    const k = key('orphan');
    const envelope = { ...(await appData().transaction(add(key('template')))) };
    await waitForQueuesIdle([queue]);
    Object.assign(envelope, { messageId: randomUUID(), idempotencyKey: k });
    await db.dataSource.query(
      `INSERT INTO harness.outbox ("message_id", "queue", "job", "idempotency_key", "envelope")
       VALUES ($1, 'billing.commands', 'billing.apply-contract-change', $2, $3::jsonb)`,
      [envelope.messageId, k, JSON.stringify(envelope)],
    );
    // Under the grace, the poll (running every 50 ms) leaves it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await queue.getJob(jobId(k))).toBeUndefined();
    expect((await row(k))?.publishedAt).toBeNull();
    // Past the grace, the next poll publishes and marks it.
    await db.dataSource.query(
      `UPDATE harness.outbox SET "created_at" = now() - interval '2 hours' WHERE "idempotency_key" = $1`,
      [k],
    );
    await eventually(async () => (await row(k))?.publishedAt != null, 5_000);
    await waitForQueuesIdle([queue]);
    expect(await effects(k)).toBe(1);
    expect(await relay.relayOnce()).toBe(0);
  });
});
