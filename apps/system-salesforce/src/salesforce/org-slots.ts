import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections, TransientError } from '@revline/messaging';
import { Semaphore, TimeoutError } from 'redis-semaphore';
import { SalesforceConfig } from '../config';

/** One of the org's slots, held in Redis by this process. */
interface HeldSlot {
  semaphore: Semaphore;
  acquiredAt: number;
  uses: number;
}

interface Waiter {
  resolve: (slot: HeldSlot) => void;
  reject: (error: Error) => void;
}

/** A slot passes from one local call to the next at most this often, or this long, before it is released. */
const HANDOFF_USES = 25;
const HANDOFF_MS = 1_000;
/** A held slot expires this long after its holder stops refreshing it (a crashed replica). */
const LOCK_TIMEOUT_MS = 60_000;

/**
 * The org-wide limit on concurrent API calls, shared by every replica through a Redis semaphore on the app's
 * Redis (the approach of system-erp's NetSuite account slots): a call runs only while it holds one of the org's
 * slots. Slots expire if their holder dies and are refreshed while held. Inside one process, calls queue in memory
 * and a finished call hands its slot to the next (a few times, then gives it back so other replicas get their
 * turn), so a busy process neither polls Redis nor leaves a slot idle between calls.
 */
@Injectable()
export class OrgSlots {
  private readonly logger = new Logger(OrgSlots.name);
  private readonly waiters: Waiter[] = [];
  private acquiring = 0;
  private held = 0;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: SalesforceConfig,
  ) {}

  /** The semaphore's key: one per org, under the app's queue prefix. */
  key(orgId: string): string {
    return `${this.redis.prefix}:salesforce:${orgId}:slots`;
  }

  async withSlot<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    const slot = await new Promise<HeldSlot>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump(orgId);
    });
    try {
      return await work();
    } finally {
      this.giveBack(orgId, slot);
    }
  }

  /** Starts Redis acquisitions for waiters no slot is coming for, up to the org's limit. */
  private pump(orgId: string): void {
    while (
      this.waiters.length > this.acquiring &&
      this.held + this.acquiring < this.config.SALESFORCE_MAX_CONCURRENCY
    ) {
      this.acquiring += 1;
      this.acquire(orgId).then(
        (slot) => {
          this.acquiring -= 1;
          this.held += 1;
          const waiter = this.waiters.shift();
          if (waiter) waiter.resolve(slot);
          else this.release(orgId, slot);
        },
        (error: unknown) => {
          this.acquiring -= 1;
          this.waiters.shift()?.reject(error instanceof Error ? error : new Error(String(error)));
          this.pump(orgId);
        },
      );
    }
  }

  private giveBack(orgId: string, slot: HeldSlot): void {
    slot.uses += 1;
    const fresh = slot.uses < HANDOFF_USES && Date.now() - slot.acquiredAt < HANDOFF_MS;
    const next = fresh ? this.waiters.shift() : undefined;
    if (next) next.resolve(slot);
    else this.release(orgId, slot);
  }

  private release(orgId: string, slot: HeldSlot): void {
    this.held -= 1;
    slot.semaphore.release().then(
      () => {
        this.pump(orgId);
      },
      (error: unknown) => {
        this.logger.warn(`Releasing a Salesforce slot failed (it expires on its own): ${String(error)}`);
        this.pump(orgId);
      },
    );
  }

  private async acquire(orgId: string): Promise<HeldSlot> {
    const client = await this.redis.producer();
    const semaphore = new Semaphore(client, this.key(orgId), this.config.SALESFORCE_MAX_CONCURRENCY, {
      acquireTimeout: this.config.SALESFORCE_SLOT_WAIT_MS,
      lockTimeout: LOCK_TIMEOUT_MS,
      refreshInterval: Math.floor(LOCK_TIMEOUT_MS / 3),
      retryInterval: 5,
      // The call in hand finishes regardless; the default would throw from a timer and crash the process.
      onLockLost: (error) => {
        this.logger.warn(`Salesforce slot lost while held: ${error.message}`);
      },
    });
    try {
      await semaphore.acquire();
    } catch (error) {
      if (error instanceof TimeoutError)
        throw new TransientError(
          `No Salesforce API slot came free within ${String(this.config.SALESFORCE_SLOT_WAIT_MS)} ms`,
        );
      throw error;
    }
    return { semaphore, acquiredAt: Date.now(), uses: 0 };
  }
}
