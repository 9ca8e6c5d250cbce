import { Injectable } from '@nestjs/common';
import { RedisConnections, SharedSlots } from '@revline/messaging';
import { NetSuiteConfig } from './netsuite.config';

/** No slot came free in time: the account is saturated; the work is retried later. */
export class SlotTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(`No NetSuite request slot came free within ${waitedMs} ms`);
    this.name = 'SlotTimeoutError';
  }
}

/** NetSuite's account-wide concurrency limit, shared by every worker of every process (see SharedSlots). */
@Injectable()
export class AccountSlots {
  private readonly slots: SharedSlots;

  constructor(redis: RedisConnections, config: NetSuiteConfig) {
    this.slots = new SharedSlots(redis, {
      key: `${redis.prefix}:netsuite:${config.NETSUITE_ACCOUNT}:slots`,
      limit: () => config.NETSUITE_CONCURRENCY_LIMIT,
      acquireTimeoutMs: config.NETSUITE_SLOT_WAIT_MS,
      lockTimeoutMs: config.NETSUITE_REQUEST_TIMEOUT_MS + 10_000,
      label: 'NetSuite',
      timeoutError: (waitedMs) => new SlotTimeoutError(waitedMs),
    });
  }

  withSlot<T>(work: () => Promise<T>): Promise<T> {
    return this.slots.withSlot(work);
  }
}
