import { createEnvelope, jobIdFor } from '@revline/messaging';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase, eventually, HARNESS_DATABASE } from '@revline/testing';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Spawned } from './support/processes';
import { spawnBuilt } from './support/processes';

const WORKER = 'libs/testing/src/harness/worker-main.js';

describe('a worker killed with SIGKILL in the middle of a job', () => {
  let db: TestDatabase;
  let queue: Queue;
  let redis: Redis;
  const prefix = `test-crash-${randomUUID().slice(0, 8)}`;
  const children: Spawned[] = [];

  const count = async (key: string, kind: string) => {
    const rows = await db.dataSource.query<Array<{ pid: number }>>(
      `SELECT pid FROM harness.harness_effects WHERE key = $1 AND kind = $2 ORDER BY id`,
      [key, kind],
    );
    return rows.map((r) => r.pid);
  };

  const worker = (slowMs: number): Spawned => {
    const spawned = spawnBuilt(WORKER, {
      DATABASE_URL: db.url,
      QUEUE_PREFIX: prefix,
      HARNESS_SLOW_MS: String(slowMs),
      JOB_LOCK_DURATION_MS: '1000',
      OUTBOX_RELAY: 'off',
    });
    children.push(spawned);
    return spawned;
  };

  beforeAll(async () => {
    db = await createTestDatabase(HARNESS_DATABASE);
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
    queue = new Queue('billing.commands', { connection: redis, prefix });
  });

  afterAll(async () => {
    for (const { child } of children) child.kill('SIGKILL');
    await queue.obliterate({ force: true });
    await queue.close();
    await redis.quit();
    await db.drop();
  });

  it('runs the job again in another worker, and its effect happens exactly once', async () => {
    const envelope = createEnvelope(
      'billing.apply-contract-change',
      {
        contractId: 'C-crash',
        changeKind: 'create',
        customer: { name: 'Acme', crmAccountId: '001000000000001AAA' },
        currency: 'USD',
        effectiveDate: '2026-01-01',
        items: [],
        prorationBehavior: 'none',
      },
      { idempotencyKey: `crash-${randomUUID()}` },
    );
    const jobId = jobIdFor(envelope.job, envelope.idempotencyKey);
    await queue.add(envelope.job, envelope, { jobId, attempts: 3 });

    const first = worker(60_000);
    const started = await eventually(async () => {
      const pids = await count(envelope.idempotencyKey, 'started');
      return pids.length > 0 ? pids : undefined;
    });
    expect(started).toEqual([first.child.pid]);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    expect(await count(envelope.idempotencyKey, 'effect')).toEqual([]);

    const second = worker(0);
    const effects = await eventually(async () => {
      const pids = await count(envelope.idempotencyKey, 'effect');
      return pids.length > 0 ? pids : undefined;
    }, 30_000);
    expect(effects).toEqual([second.child.pid]);
    await eventually(async () => (await queue.getJob(jobId))?.finishedOn);
    expect(await (await queue.getJob(jobId))?.getState()).toBe('completed');
    // One more delivery of the same message (say, a replay) still changes nothing.
    await queue.add(envelope.job, envelope, { jobId: `${jobId}-again` });
    await eventually(async () => (await queue.getJob(`${jobId}-again`))?.finishedOn);
    expect(await count(envelope.idempotencyKey, 'effect')).toEqual([second.child.pid]);
  });
});
