import { Logger } from '@nestjs/common';
import { Semaphore, TimeoutError } from 'redis-semaphore';
import type { RedisConnections } from './redis-connections';

export interface SharedSlotsOptions {
  /** The Redis key of the semaphore, e.g. `revline:netsuite:<account>:slots`. */
  key: string;
  /** How many holders at once, across every process; read at each acquisition, so a config change applies. */
  limit: () => number;
  /** How long a caller waits for a slot before `timeoutError`. */
  acquireTimeoutMs: number;
  /** A held slot expires this long after its holder stops refreshing it (a crashed process). */
  lockTimeoutMs: number;
  /** Names the vendor connection in logs: "NetSuite", "Salesforce". */
  label: string;
  timeoutError: (waitedMs: number) => Error;
}

/** One slot, held in Redis by this process. */
interface HeldSlot {
  semaphore: Semaphore;
  acquiredAt: number;
  uses: number;
}

interface Waiter {
  resolve: (slot: HeldSlot) => void;
  reject: (error: Error) => void;
}

/** A slot passes from one local caller to the next at most this often, or this long, before it is released. */
const HANDOFF_USES = 25;
const HANDOFF_MS = 1_000;

/**
 * A concurrency limit shared by every worker of every process through a Redis semaphore (`redis-semaphore`): work
 * runs only while it holds one of the slots. Slots expire if their holder dies and are refreshed while held.
 * Inside one process, callers queue in memory and a finished caller hands its slot to the next (a few times, then
 * gives it back so other processes get their turn), so a busy process neither polls Redis nor leaves a slot idle.
 */
export class SharedSlots {
  private readonly logger = new Logger(SharedSlots.name);
  private readonly waiters: Waiter[] = [];
  private acquiring = 0;
  private held = 0;

  constructor(
    private readonly redis: RedisConnections,
    readonly options: SharedSlotsOptions,
  ) {}

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

  /** Starts Redis acquisitions for waiters no slot is coming for, up to the limit. */
  private pump(): void {
    while (this.waiters.length > this.acquiring && this.held + this.acquiring < this.options.limit()) {
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
        this.logger.warn(
          `Releasing a ${this.options.label} slot failed (it expires on its own): ${String(error)}`,
        );
        this.pump();
      },
    );
  }

  private async acquire(): Promise<HeldSlot> {
    const { key, limit, acquireTimeoutMs, lockTimeoutMs, label } = this.options;
    const semaphore = new Semaphore(await this.redis.producer(), key, limit(), {
      acquireTimeout: acquireTimeoutMs,
      lockTimeout: lockTimeoutMs,
      refreshInterval: Math.floor(lockTimeoutMs / 3),
      retryInterval: 5,
      // The work in hand finishes regardless; the default would throw from a timer and crash the process.
      onLockLost: (error) => {
        this.logger.warn(`${label} slot lost while held: ${error.message}`);
      },
    });
    try {
      await semaphore.acquire();
    } catch (error) {
      if (error instanceof TimeoutError) throw this.options.timeoutError(acquireTimeoutMs);
      throw error;
    }
    return { semaphore, acquiredAt: Date.now(), uses: 0 };
  }
}
