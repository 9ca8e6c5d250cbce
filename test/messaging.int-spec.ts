import type { INestApplicationContext } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Envelope } from '@revline/messaging';
import {
  createEnvelope,
  ExceptionEntity,
  HandlerRegistrationError,
  jobIdFor,
  Outbox,
  OutboxMessageEntity,
  OutboxRelay,
  OutboxRepository,
  Queues,
} from '@revline/messaging';
import { PlatformModule } from '@revline/platform';
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
import { DataSource, In, IsNull } from 'typeorm';
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

describe('messaging: outbox, relay, inbox, retries and parking against real Postgres and Redis', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  let queue: Queue;
  let relay: OutboxRelay;

  const effects = async (key: string, kind: string): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM harness.harness_effects WHERE key = $1 AND kind = $2`,
      [key, kind],
    );
    return rows[0]?.n ?? 0;
  };

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    Object.assign(process.env, {
      QUEUE_PREFIX: `test-msg-${randomUUID().slice(0, 8)}`,
      OUTBOX_RELAY: 'off',
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
    await queue.obliterate({ force: true });
    await app.close();
    await db.drop();
  });

  it('queues nothing when the transaction that wrote the message rolls back', async () => {
    const key = `rollback-${randomUUID()}`;
    await expect(
      db.dataSource.transaction(async (manager) => {
        await app
          .get(Outbox)
          .add(manager, 'billing.apply-contract-change', applyPayload, { idempotencyKey: key });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await db.dataSource.getRepository(OutboxMessageEntity).countBy({ idempotencyKey: key })).toBe(0);
    expect(await relay.relayOnce()).toBe(0);
    expect(await queue.getJob(jobIdFor('billing.apply-contract-change', key))).toBeUndefined();
  });

  it('queues a committed message exactly once, even when the relay crashes after publishing and before marking', async () => {
    const key = `commit-${randomUUID()}`;
    await db.dataSource.transaction((manager) =>
      app.get(Outbox).add(manager, 'billing.apply-contract-change', applyPayload, { idempotencyKey: key }),
    );
    // The same state change emitted twice keeps one outbox row.
    await db.dataSource.transaction((manager) =>
      app.get(Outbox).add(manager, 'billing.apply-contract-change', applyPayload, { idempotencyKey: key }),
    );
    expect(await db.dataSource.getRepository(OutboxMessageEntity).countBy({ idempotencyKey: key })).toBe(1);

    relay.afterPublish = () => Promise.reject(new Error('relay killed after publishing'));
    await expect(relay.relayOnce()).rejects.toThrow('relay killed');
    relay.afterPublish = () => Promise.resolve();
    const row = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .findOneByOrFail({ idempotencyKey: key });
    expect(row.publishedAt).toBeNull();

    expect(await relay.relayOnce()).toBe(1);
    expect(await relay.relayOnce()).toBe(0);
    await waitForQueuesIdle([queue]);
    expect(await effects(key, 'effect')).toBe(1);
    const jobs = await queue.getJobs(['completed', 'failed', 'waiting', 'active', 'delayed']);
    expect(jobs.filter((job) => (job.data as Envelope).idempotencyKey === key)).toHaveLength(1);
  });

  it('claims the oldest unpublished messages within a batch, at least one, and leaves them unpublished on rollback', async () => {
    await relay.relayOnce();
    const keys = [1, 2, 3].map((n) => `claim-${String(n)}-${randomUUID()}`);
    await db.dataSource.transaction(async (manager) => {
      for (const key of keys)
        await app
          .get(Outbox)
          .add(manager, 'billing.apply-contract-change', applyPayload, { idempotencyKey: key });
    });
    // Claims in a transaction of the app's own data source, then rolls it back.
    const claim = async (limit: number, maxBytes: number): Promise<string[]> => {
      const runner = app.get(DataSource).createQueryRunner();
      await runner.startTransaction();
      try {
        const rows = await app.get(OutboxRepository).claimBatch(runner.manager, limit, maxBytes);
        return rows.map((row) => row.envelope.idempotencyKey);
      } finally {
        await runner.rollbackTransaction();
        await runner.release();
      }
    };
    // A batch of one byte still moves the oldest message; a batch of two rows, the two oldest, in order.
    expect(await claim(500, 1)).toEqual([keys[0]]);
    expect(await claim(2, 8 * 1024 * 1024)).toEqual(keys.slice(0, 2));
    expect(await claim(500, 8 * 1024 * 1024)).toEqual(keys);
    const unpublished = await db.dataSource
      .getRepository(OutboxMessageEntity)
      .countBy({ idempotencyKey: In(keys), publishedAt: IsNull() });
    expect(unpublished).toBe(3);
    expect(await relay.relayOnce()).toBe(3);
    await waitForQueuesIdle([queue]);
  });

  it('applies a message delivered twice only once (the inbox)', async () => {
    const envelope = createEnvelope('billing.apply-contract-change', applyPayload, {
      idempotencyKey: `twice-${randomUUID()}`,
    });
    await queue.add(envelope.job, envelope, { jobId: `first-${envelope.messageId}` });
    await queue.add(envelope.job, envelope, { jobId: `redelivered-${envelope.messageId}` });
    await waitForQueuesIdle([queue]);
    expect(await effects(envelope.idempotencyKey, 'started')).toBe(2);
    expect(await effects(envelope.idempotencyKey, 'effect')).toBe(1);
  });

  it('parks a business error as an exception at once, without retrying it', async () => {
    const envelope = createEnvelope(
      'billing.report-usage',
      { meterEventName: 'api_calls_unmapped', events: [] },
      { idempotencyKey: `park-${randomUUID()}`, correlationId: 'corr-park' },
    );
    await app.get(Queues).publish([envelope]);
    const exception = await eventually(() =>
      db.dataSource.getRepository(ExceptionEntity).findOneBy({ idempotencyKey: envelope.idempotencyKey }),
    );
    expect(exception).toMatchObject({
      category: 'unmapped_product',
      status: 'open',
      correlationId: 'corr-park',
      reason: 'No billing price is mapped for meter api_calls_unmapped',
    });
    await waitForQueuesIdle([queue]);
    expect(await effects(envelope.idempotencyKey, 'attempt')).toBe(1);
  });

  it('retries a transient error with backoff until it passes, leaving no exception', async () => {
    const envelope = createEnvelope(
      'billing.issue-credit',
      { invoiceId: 'in_1', reason: 'duplicate', lines: [] },
      { idempotencyKey: `flaky-${randomUUID()}` },
    );
    await app.get(Queues).publish([envelope]);
    await eventually(() => effects(envelope.idempotencyKey, 'effect'));
    expect(await effects(envelope.idempotencyKey, 'attempt')).toBe(3);
    expect(
      await db.dataSource.getRepository(ExceptionEntity).countBy({ idempotencyKey: envelope.idempotencyKey }),
    ).toBe(0);
  });

  it('turns a transient error that outlasts its attempts into a retries_exhausted exception', async () => {
    const envelope = createEnvelope(
      'billing.issue-credit',
      { invoiceId: 'in_2', reason: 'order_change', lines: [] },
      { idempotencyKey: `exhausted-${randomUUID()}` },
    );
    await app.get(Queues).publish([envelope]);
    const exception = await eventually(() =>
      db.dataSource.getRepository(ExceptionEntity).findOneBy({ idempotencyKey: envelope.idempotencyKey }),
    );
    expect(exception?.category).toBe('retries_exhausted');
    expect(exception?.reason).toContain('after 3 attempts');
    expect(await effects(envelope.idempotencyKey, 'attempt')).toBe(3);
  });

  const forwarded = (job: string, key: string) =>
    db.dataSource.getRepository(OutboxMessageEntity).findOneBy({ job, idempotencyKey: key });
  const settle = (sourceExceptionId: string, action: 'retry' | 'resolve') =>
    app
      .get(Queues)
      .publish([
        createEnvelope(
          'billing.settle-exception',
          { sourceExceptionId, action, reason: 'Fixed at the vendor', actor: 'close team' },
          { idempotencyKey: `settle-${sourceExceptionId}-${action}` },
        ),
      ]);

  it('forwards a system API exception in its outbox; a workbench retry runs the job again and its success clears it', async () => {
    const envelope = createEnvelope(
      'billing.issue-credit',
      { invoiceId: 'in_3', reason: 'fraudulent', lines: [] },
      { idempotencyKey: `forwarded-${randomUUID()}`, correlationId: 'corr-forwarded' },
    );
    await app.get(Queues).publish([envelope]);
    const exception = await eventually(() =>
      db.dataSource.getRepository(ExceptionEntity).findOneBy({ idempotencyKey: envelope.idempotencyKey }),
    );
    if (!exception) throw new Error('no exception');
    expect(exception.category).toBe('retries_exhausted');
    const raised = await forwarded('system.exception-raised', `billing:exception:${exception.id}:1`);
    expect(raised?.queue).toBe('system.exceptions');
    expect(raised?.envelope).toMatchObject({
      correlationId: 'corr-forwarded',
      payload: {
        system: 'billing',
        sourceExceptionId: exception.id,
        occurrences: 1,
        category: 'retries_exhausted',
        job: 'billing.issue-credit',
        queue: 'billing.commands',
        idempotencyKey: envelope.idempotencyKey,
        envelope: { messageId: envelope.messageId },
      },
    });

    await settle(exception.id, 'retry');
    await eventually(async () => (await effects(envelope.idempotencyKey, 'effect')) === 1);
    const settled = await eventually(async () => {
      const row = await db.dataSource.getRepository(ExceptionEntity).findOneBy({ id: exception.id });
      return row?.status === 'resolved' ? row : undefined;
    });
    expect(settled).toMatchObject({ resolution: 'The retried job succeeded', occurrences: 1 });
    expect(await effects(envelope.idempotencyKey, 'attempt')).toBe(4);
    const cleared = await forwarded(
      'system.exception-cleared',
      `billing:exception:${exception.id}:1:cleared`,
    );
    expect(cleared?.envelope).toMatchObject({
      payload: { system: 'billing', sourceExceptionId: exception.id, occurrences: 1 },
    });
  });

  it("a workbench resolve closes the system API's own exception with the operator's reason, once", async () => {
    const envelope = createEnvelope(
      'billing.report-usage',
      { meterEventName: 'api_calls_resolved', events: [] },
      { idempotencyKey: `resolve-${randomUUID()}` },
    );
    await app.get(Queues).publish([envelope]);
    const exception = await eventually(() =>
      db.dataSource.getRepository(ExceptionEntity).findOneBy({ idempotencyKey: envelope.idempotencyKey }),
    );
    if (!exception) throw new Error('no exception');
    expect(await forwarded('system.exception-raised', `billing:exception:${exception.id}:1`)).not.toBeNull();
    await settle(exception.id, 'resolve');
    const resolved = await eventually(async () => {
      const row = await db.dataSource.getRepository(ExceptionEntity).findOneBy({ id: exception.id });
      return row?.status === 'resolved' ? row : undefined;
    });
    expect(resolved?.resolution).toBe('Fixed at the vendor (by close team)');
    await waitForQueuesIdle([queue]);
    expect(await effects(envelope.idempotencyKey, 'attempt')).toBe(1);
  });

  it('refuses to start an app that consumes a queue whose jobs have no handler', async () => {
    @Module({
      imports: [
        PlatformModule.forApp({ database: HARNESS_DATABASE, messaging: { consumes: ['erp.events'] } }),
      ],
    })
    class Unhandled {}
    const starting = NestFactory.createApplicationContext(Unhandled, { logger: false, abortOnError: false });
    await expect(starting).rejects.toThrow(HandlerRegistrationError);
    await expect(starting).rejects.toThrow(/erp.posted \(queue erp.events\) has no handler/);
  });
});
