import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { ExceptionRecorder, RecurringTask } from '@revline/messaging';
import { DataSource } from 'typeorm';
import { JobRequeuer } from '../exceptions/job-requeuer';
import { Q2cConfig } from '../mappings/q2c.config';
import { ParkedEventEntity } from './parked-event.entity';

const BATCH = 200;

/**
 * Re-enqueues released messages (same envelope, new job id) and marks them, claiming rows with SKIP LOCKED so
 * many instances can run it; a crash after enqueueing and before marking enqueues again, and the consumer's inbox
 * absorbs the repeat. Messages parked longer than PARKED_TIMEOUT_MS become exceptions instead of waiting forever.
 * Kicked right after a release commits, and swept every PARKED_SWEEP_MS as the safety net.
 */
@Injectable()
export class ParkedEventsRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ParkedEventsRelay.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly requeuer: JobRequeuer,
    private readonly exceptions: ExceptionRecorder,
    private readonly config: Q2cConfig,
  ) {}

  private readonly loop = new RecurringTask(
    'Parked events sweep',
    () => this.config.PARKED_SWEEP_MS,
    async () => {
      await this.republish();
      await this.expire();
      return false;
    },
  );

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }

  /** Re-enqueues released messages; returns how many. */
  async republish(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows = await manager
        .getRepository(ParkedEventEntity)
        .createQueryBuilder('p')
        .where(`p.status = 'released' AND p.republished_at IS NULL`)
        .orderBy('p.released_at')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const row of rows) await this.requeuer.requeue(row.envelope as Envelope, 'resume');
      if (rows.length > 0) {
        await manager.query(
          `UPDATE "q2c"."parked_events" SET "republished_at" = now() WHERE "id" = ANY($1)`,
          [rows.map((r) => r.id)],
        );
      }
      return rows.length;
    });
  }

  /** Turns messages parked for too long into exceptions an operator sees; returns how many. */
  async expire(): Promise<number> {
    const rows = await this.dataSource.transaction(async (manager) => {
      const expired = await manager
        .getRepository(ParkedEventEntity)
        .createQueryBuilder('p')
        .where(`p.status = 'parked' AND p.parked_at < now() - make_interval(secs => :secs)`, {
          secs: this.config.PARKED_TIMEOUT_MS / 1000,
        })
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      if (expired.length > 0) {
        await manager.query(`UPDATE "q2c"."parked_events" SET "status" = 'expired' WHERE "id" = ANY($1)`, [
          expired.map((r) => r.id),
        ]);
      }
      return expired;
    });
    for (const row of rows) {
      const minutes = Math.round(this.config.PARKED_TIMEOUT_MS / 60_000);
      await this.exceptions.record(row.envelope as Envelope, {
        category: 'unknown_contract',
        reason: `${row.reason}; still unknown after waiting ${String(minutes)} minute(s). Retry once the contract is booked.`,
        details: { waitKey: row.waitKey, parkedAt: row.parkedAt.toISOString() },
      });
    }
    return rows.length;
  }

  /** Kicks the relay at once (after a release commits), without waiting for the sweep. */
  kick(): void {
    this.republish().catch((error: unknown) => {
      this.logger.warn(`Re-enqueueing released messages failed (the sweep will retry): ${String(error)}`);
    });
  }
}
