import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@revline/messaging';
import { Semaphore, TimeoutError } from 'redis-semaphore';
import { NetSuiteConfig } from './netsuite.config';

/** No slot came free in time: the account is saturated; the work is retried later. */
export class SlotTimeoutError extends Error {
  constructor(waitedMs: number) {
    super(`No NetSuite request slot came free within ${waitedMs} ms`);
    this.name = 'SlotTimeoutError';
  }
}

/** One of the account's slots, held in Redis by this process. */
interface HeldSlot {
  semaphore: Semaphore;
  acquiredAt: number;
  uses: number;
}

interface Waiter {
  resolve: (slot: HeldSlot) => void;
  reject: (error: Error) => void;
}

/** A slot passes from one local request to the next at most this often, or this long, before it is released. */
const HANDOFF_USES = 25;
const HANDOFF_MS = 1_000;

/**
 * The account-wide concurrency limit, shared by every worker of every process through a Redis semaphore: a
 * request runs only while it holds one of the account's slots. Slots expire if their holder dies and are
 * refreshed while held. Inside one process, requests queue in memory and a finished request hands its slot to the
 * next one (a few times, then gives it back so other processes get their turn), so a busy process neither polls
 * Redis nor leaves a slot idle between requests.
 */
@Injectable()
export class AccountSlots {
  private readonly logger = new Logger(AccountSlots.name);
  private readonly waiters: Waiter[] = [];
  private acquiring = 0;
  private held = 0;

  constructor(
    private readonly redis: RedisConnections,
    private readonly config: NetSuiteConfig,
  ) {}

  get key(): string {
    return `${this.redis.prefix}:netsuite:${this.config.NETSUITE_ACCOUNT}:slots`;
  }

  async withSlot<T>(work: () => Promise<T>): Promise<T> {
    const slot = await new Promise<HeldSlot>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.pump();
    });
    try {
      return await work();
    } finally {
      this.giveBack(slot);
    }
  }

  /** Starts Redis acquisitions for waiters no slot is coming for, up to the account's limit. */
  private pump(): void {
    while (
      this.waiters.length > this.acquiring &&
      this.held + this.acquiring < this.config.NETSUITE_CONCURRENCY_LIMIT
    ) {
      this.acquiring += 1;
      this.acquire().then(
        (slot) => {
          this.acquiring -= 1;
          this.held += 1;
          const waiter = this.waiters.shift();
          if (waiter) waiter.resolve(slot);
          else this.release(slot);
        },
        (error: unknown) => {
          this.acquiring -= 1;
          this.waiters.shift()?.reject(error instanceof Error ? error : new Error(String(error)));
          this.pump();
        },
      );
    }
  }

  private giveBack(slot: HeldSlot): void {
    slot.uses += 1;
    const fresh = slot.uses < HANDOFF_USES && Date.now() - slot.acquiredAt < HANDOFF_MS;
    const next = fresh ? this.waiters.shift() : undefined;
    if (next) next.resolve(slot);
    else this.release(slot);
  }

  private release(slot: HeldSlot): void {
    this.held -= 1;
    slot.semaphore.release().then(
      () => {
        this.pump();
      },
      (error: unknown) => {
        this.logger.warn(`Releasing a NetSuite slot failed (it expires on its own): ${String(error)}`);
        this.pump();
      },
    );
  }

  private async acquire(): Promise<HeldSlot> {
    const client = await this.redis.producer();
    const lockTimeout = this.config.NETSUITE_REQUEST_TIMEOUT_MS + 10_000;
    const semaphore = new Semaphore(client, this.key, this.config.NETSUITE_CONCURRENCY_LIMIT, {
      acquireTimeout: this.config.NETSUITE_SLOT_WAIT_MS,
      lockTimeout,
      refreshInterval: Math.floor(lockTimeout / 3),
      retryInterval: 5,
      // The request in hand finishes regardless; the default would throw from a timer and crash the process.
      onLockLost: (error) => {
        this.logger.warn(`NetSuite slot lost while held: ${error.message}`);
      },
    });
    try {
      await semaphore.acquire();
    } catch (error) {
      if (error instanceof TimeoutError) throw new SlotTimeoutError(this.config.NETSUITE_SLOT_WAIT_MS);
      throw error;
    }
    return { semaphore, acquiredAt: Date.now(), uses: 0 };
  }
}
