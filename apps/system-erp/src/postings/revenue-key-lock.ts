import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@revline/messaging';
import { createHash } from 'node:crypto';
import { Mutex } from 'redis-semaphore';

/**
 * Serialises the revenue postings of one contract and obligation across every worker (Redis mutex), so two schedule
 * versions of the same period never compute their difference from the same starting point. One lock covers all of
 * the obligation's periods: a batch posts its periods of an obligation under one lock, not one lock each.
 */
@Injectable()
export class RevenueKeyLock {
  constructor(private readonly redis: RedisConnections) {}

  async withLock<T>(contractId: string, obligationId: string, work: () => Promise<T>): Promise<T> {
    const digest = createHash('sha256')
      .update(JSON.stringify([contractId, obligationId]))
      .digest('hex');
    const mutex = new Mutex(
      await this.redis.producer(),
      `${this.redis.prefix}:erp:revenue:${digest.slice(0, 32)}`,
      {
        acquireTimeout: 180_000,
        lockTimeout: 60_000,
        retryInterval: 20,
        onLockLost: () => undefined,
      },
    );
    await mutex.acquire();
    try {
      return await work();
    } finally {
      await mutex.release();
    }
  }
}
