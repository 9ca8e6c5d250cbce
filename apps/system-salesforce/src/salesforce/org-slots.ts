import { Injectable } from '@nestjs/common';
import { RedisConnections, SharedSlots, TransientError } from '@revline/messaging';
import { SalesforceConfig } from '../config';

/** A held slot expires this long after its holder stops refreshing it (a crashed replica). */
const LOCK_TIMEOUT_MS = 60_000;

/**
 * The org-wide limit on concurrent API calls, shared by every replica (see SharedSlots); one semaphore per org,
 * keyed by the org id Salesforce answers at login.
 */
@Injectable()
export class OrgSlots {
  private readonly byOrg = new Map<string, SharedSlots>();

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: SalesforceConfig,
  ) {}

  withSlot<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    let slots = this.byOrg.get(orgId);
    if (!slots) {
      slots = new SharedSlots(this.redis, {
        key: `${this.redis.prefix}:salesforce:${orgId}:slots`,
        limit: () => this.config.SALESFORCE_MAX_CONCURRENCY,
        acquireTimeoutMs: this.config.SALESFORCE_SLOT_WAIT_MS,
        lockTimeoutMs: LOCK_TIMEOUT_MS,
        label: 'Salesforce',
        timeoutError: (waitedMs) =>
          new TransientError(`No Salesforce API slot came free within ${waitedMs} ms`),
      });
      this.byOrg.set(orgId, slots);
    }
    return slots.withSlot(work);
  }
}
