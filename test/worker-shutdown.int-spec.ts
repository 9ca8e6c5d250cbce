import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Outbox, OutboxRelay } from '@revline/messaging';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase, eventually, HARNESS_DATABASE, HarnessModule } from '@revline/testing';
import { Queue } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** A handler that does not finish (HARNESS_SLOW_MS) holds the shutdown no longer than WORKER_SHUTDOWN_GRACE_MS. */
describe('worker shutdown with a job in hand', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;
  const prefix = `test-shutdown-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    Object.assign(process.env, {
      QUEUE_PREFIX: prefix,
      OUTBOX_RELAY: 'off',
      HARNESS_SLOW_MS: '60000',
      WORKER_SHUTDOWN_GRACE_MS: '500',
      LOG_LEVEL: 'silent',
    });
    app = await NestFactory.createApplicationContext(HarnessModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    Reflect.deleteProperty(process.env, 'HARNESS_SLOW_MS');
    Reflect.deleteProperty(process.env, 'WORKER_SHUTDOWN_GRACE_MS');
    await db.drop();
  });

  it('shuts down after the grace period without the job, leaving it active for another instance to take as stalled', async () => {
    const key = `shutdown-${randomUUID()}`;
    const payload = {
      contractId: 'C-1',
      changeKind: 'create' as const,
      customer: { name: 'Acme', crmAccountId: '001000000000001AAA' },
      currency: 'USD',
      effectiveDate: '2026-01-01',
      items: [{ priceId: 'price_seats', quantity: '10', lineId: 'L1' }],
      prorationBehavior: 'create_prorations' as const,
    };
    await db.dataSource.transaction((manager) =>
      app.get(Outbox).add(manager, 'billing.apply-contract-change', payload, { idempotencyKey: key }),
    );
    await app.get(OutboxRelay).relayOnce();
    await eventually(async () => {
      const [row] = await db.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM harness.harness_effects WHERE key = $1 AND kind = 'started'`,
        [key],
      );
      return row.n > 0;
    });
    const started = performance.now();
    await app.close();
    const closedInMs = performance.now() - started;
    // Well under the handler's minute: the grace, then the rest of the shutdown.
    expect(closedInMs).toBeLessThan(15_000);
    expect(closedInMs).toBeGreaterThanOrEqual(450);
    const [effects] = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM harness.harness_effects WHERE key = $1 AND kind = 'effect'`,
      [key],
    );
    expect(effects.n).toBe(0);
    // The job is still active in Redis, its lock left to expire: another instance takes it as stalled.
    const queue = new Queue('billing.commands', {
      prefix,
      connection: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' },
    });
    try {
      expect(await queue.getActiveCount()).toBe(1);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
