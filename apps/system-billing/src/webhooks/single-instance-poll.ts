import { Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/**
 * A poll of Stripe on a timer (every `intervalMs()`, 0 off): never two passes at once in this process, and one
 * instance at a time across instances (a Postgres advisory lock named `lockName`; the others skip their turn).
 * A failed pass is logged and the next one tries again.
 */
export abstract class SingleInstancePoll implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  protected constructor(
    protected readonly dataSource: DataSource,
    private readonly lockName: string,
    private readonly what: string,
  ) {}

  /** How often to poll, in ms; 0 when this poll is off. */
  protected abstract intervalMs(): number;

  /** One pass, under the lock; returns how many things it took in. */
  protected abstract pass(): Promise<number>;

  onApplicationBootstrap(): void {
    const every = this.intervalMs();
    if (every === 0) return;
    this.timer = setInterval(() => {
      this.pollOnce().catch((error: unknown) => {
        this.logger.warn(`${this.what} failed: ${(error as Error).message}`);
      });
    }, every);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass now (or the one already under way); returns what it took in, 0 when another instance holds the lock. */
  async pollOnce(): Promise<number> {
    this.running ??= this.poll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async poll(): Promise<number> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [lock] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS "ok"`, [
        this.lockName,
      ])) as [{ ok: boolean }];
      if (!lock.ok) return 0;
      try {
        return await this.pass();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [this.lockName]);
      }
    } finally {
      await runner.release();
    }
  }
}
