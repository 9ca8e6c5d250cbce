import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { JobName, JobPayloads } from '@revline/messaging';
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
import { MetricsService } from '@revline/observability';
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
import { In } from 'typeorm';
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

describe('outbox delivery confirmed by the consumer, against real Postgres and Redis', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let queue: Queue;
  let relay: OutboxRelay;
  let redelivery: OutboxRedelivery;

  const count = async (key: string, kind: string): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM harness.harness_effects WHERE key = $1 AND kind = $2`,
      [key, kind],
    );
    return rows[0]?.n ?? 0;
  };
  const rows = (keys: string[]) =>
    db.dataSource.getRepository(OutboxMessageEntity).findBy({ idempotencyKey: In(keys) });
  const one = (key: string) =>
    db.dataSource.getRepository(OutboxMessageEntity).findOneByOrFail({ idempotencyKey: key });
  const redriven = async (): Promise<number> =>
    (await app.get(MetricsService).outboxRedriven.get()).values.reduce((sum, v) => sum + v.value, 0);
  /** Writes messages through the outbox in one committed transaction and returns their keys. */
  const send = async <J extends JobName>(job: J, payload: JobPayloads[J], n: number): Promise<string[]> => {
    const keys = Array.from({ length: n }, () => `delivery-${randomUUID()}`);
    await db.dataSource.transaction(async (manager) => {
      for (const key of keys) await app.get(Outbox).add(manager, job, payload, { idempotencyKey: key });
    });
    return keys;
  };
  /** Makes the rows overdue for a check, as if published before the re-drive window. */
  const overdue = (keys: string[]) =>
    db.dataSource.query(
      `UPDATE harness.outbox SET published_at = published_at - interval '1 hour' WHERE idempotency_key = ANY($1)`,
      [keys],
    );
  const jobId = (key: string) => jobIdFor('billing.apply-contract-change', key);

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    Object.assign(process.env, {
      QUEUE_PREFIX: `test-delivery-${randomUUID().slice(0, 8)}`,
      OUTBOX_RELAY: 'off',
      OUTBOX_REDELIVER_AFTER_SECONDS: '600',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_BASE_MS: '10',
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.createApplicationContext(HarnessModule, { logger: false });
    await app.init();
    relay = app.get(OutboxRelay);
    redelivery = app.get(OutboxRedelivery);
    queue = await app.get(Queues).get('billing.commands');
  });

  afterAll(async () => {
    const redis = await app.get(RedisConnections).producer();
    await redis.del(app.get(DeliveryReceipts).key);
    await queue.obliterate({ force: true });
    await app.close();
    await db.drop();
  });

  it('re-drives messages Redis forgot after accepting them, and each is applied once and confirmed', async () => {
    await queue.pause();
    const keys = await send('billing.apply-contract-change', applyPayload, 3);
    expect(await relay.relayOnce()).toBe(3);
    for (const key of keys) expect(await queue.getJobState(jobId(key))).toBe('waiting');
    // Redis loses every job of the queue after it accepted them (a restart from an AOF a second behind).
    await queue.obliterate({ force: true });
    for (const key of keys) expect(await queue.getJobState(jobId(key))).toBe('unknown');
    expect((await rows(keys)).every((row) => row.publishedAt && !row.deliveredAt)).toBe(true);
    expect((await relay.backlog()).unconfirmed).toBe(3);

    // Within the window nothing is checked; past it, each lost job is queued again under its own id.
    const before = await redriven();
    expect(await redelivery.redriveOnce()).toBe(0);
    await overdue(keys);
    expect(await redelivery.redriveOnce()).toBe(3);
    expect((await redriven()) - before).toBe(3);

    await waitForQueuesIdle([queue]);
    for (const key of keys) expect(await count(key, 'effect')).toBe(1);
    expect(await redelivery.drainReceipts()).toBe(3);
    const confirmed = await rows(keys);
    expect(confirmed.every((row) => row.deliveredAt !== null)).toBe(true);
    expect((await relay.backlog()).unconfirmed).toBe(0);
    expect(await redelivery.redriveOnce()).toBe(0);
  });

  it('a re-drive of a message already applied is confirmed without applying it twice (the inbox)', async () => {
    const [key = ''] = await send('billing.apply-contract-change', applyPayload, 1);
    expect(await relay.relayOnce()).toBe(1);
    await waitForQueuesIdle([queue]);
    expect(await redelivery.drainReceipts()).toBe(1);
    expect(await count(key, 'effect')).toBe(1);

    // The confirmation never arrived, and Redis no longer holds the completed job: the message is sent again.
    await db.dataSource.query(`UPDATE harness.outbox SET delivered_at = NULL WHERE idempotency_key = $1`, [
      key,
    ]);
    await (await queue.getJob(jobId(key)))?.remove();
    await overdue([key]);
    const before = await redriven();
    expect(await redelivery.redriveOnce()).toBe(1);
    expect((await redriven()) - before).toBe(1);
    await waitForQueuesIdle([queue]);
    expect(await count(key, 'started')).toBe(2);
    expect(await count(key, 'effect')).toBe(1);
    await eventually(() => redelivery.drainReceipts());
    const row = await one(key);
    expect(row.deliveredAt).not.toBeNull();
  });

  it('a lost receipt of a job Redis still holds as completed confirms the row without running it again', async () => {
    const [key = ''] = await send('billing.apply-contract-change', applyPayload, 1);
    expect(await relay.relayOnce()).toBe(1);
    await waitForQueuesIdle([queue]);
    // The receipts are lost (the stream gone with a Redis restart).
    await (await app.get(RedisConnections).producer()).del(app.get(DeliveryReceipts).key);
    expect(await redelivery.drainReceipts()).toBe(0);
    await overdue([key]);
    const before = await redriven();
    expect(await redelivery.redriveOnce()).toBe(1);
    expect(await redriven()).toBe(before);
    expect(await count(key, 'started')).toBe(1);
    const row = await one(key);
    expect(row.deliveredAt).not.toBeNull();
  });

  it('a job still waiting in Redis is left alone and its window starts again', async () => {
    await queue.pause();
    const [key = ''] = await send('billing.apply-contract-change', applyPayload, 1);
    expect(await relay.relayOnce()).toBe(1);
    await overdue([key]);
    const before = await redriven();
    expect(await redelivery.redriveOnce()).toBe(1);
    expect(await redriven()).toBe(before);
    const row = await one(key);
    expect(row.deliveredAt).toBeNull();
    expect(Date.now() - (row.publishedAt?.getTime() ?? 0)).toBeLessThan(60_000);
    expect(await redelivery.redriveOnce()).toBe(0);
    await queue.resume();
    await waitForQueuesIdle([queue]);
    expect(await eventually(() => redelivery.drainReceipts())).toBe(1);
    expect(await count(key, 'effect')).toBe(1);
  });

  it('a message due later waits in Redis unchecked until its date has passed by the window', async () => {
    const key = `delivery-${randomUUID()}`;
    await db.dataSource.transaction((manager) =>
      app.get(Outbox).add(manager, 'billing.apply-contract-change', applyPayload, {
        idempotencyKey: key,
        notBefore: new Date(Date.now() + 24 * 3600 * 1000),
      }),
    );
    expect(await relay.relayOnce()).toBe(1);
    expect(await queue.getJobState(jobId(key))).toBe('delayed');
    await overdue([key]);
    expect(await redelivery.redriveOnce()).toBe(0);
    // Once its date is past by the window, it is checked like any other (and found still in Redis).
    await db.dataSource.query(
      `UPDATE harness.outbox SET envelope = jsonb_set(envelope, '{notBefore}', to_jsonb((now() - interval '1 hour')::text))
        WHERE idempotency_key = $1`,
      [key],
    );
    expect(await redelivery.redriveOnce()).toBe(1);
    expect((await one(key)).deliveredAt).toBeNull();
    await (await queue.getJob(jobId(key)))?.remove();
  });

  it('a message parked as an exception by its consumer counts as delivered', async () => {
    const [key = ''] = await send(
      'billing.report-usage',
      { meterEventName: 'api_calls_unmapped', events: [] },
      1,
    );
    expect(await relay.relayOnce()).toBe(1);
    await eventually(() => redelivery.drainReceipts());
    const row = await one(key);
    expect(row.deliveredAt).not.toBeNull();
    expect(await count(key, 'effect')).toBe(0);
  });
});
