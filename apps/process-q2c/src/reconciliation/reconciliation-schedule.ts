import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Queues } from '@revline/messaging';
import { removeScheduledJob, upsertScheduledJob } from '../scheduled/upsert-job-scheduler';
import { ReconciliationConfig } from './reconciliation.config';

/** The stable key of the nightly run's job scheduler: re-registering it replaces, never duplicates. */
export const RECONCILIATION_SCHEDULER_KEY = 'q2c.reconcile.all';

/**
 * Registers the scheduled run as a BullMQ job scheduler on q2c.scheduled (RECONCILIATION_CRON, UTC), under a stable
 * key, at every start: every instance upserts the same scheduler, so there is one schedule however many run.
 * `off` removes it.
 */
@Injectable()
export class ReconciliationSchedule implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconciliationSchedule.name);

  constructor(
    private readonly queues: Queues,
    private readonly config: ReconciliationConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const cron = this.config.RECONCILIATION_CRON;
    if (cron === 'off') {
      await removeScheduledJob(this.queues, RECONCILIATION_SCHEDULER_KEY);
      return;
    }
    // The period is left out so each run takes the period it runs in (a month, or the fiscal period); the envelope's key is per scheduler, and the
    // run itself (one per scope at a time) is the guard against overlap.
    await upsertScheduledJob(
      this.queues,
      RECONCILIATION_SCHEDULER_KEY,
      'q2c.reconcile',
      { scope: 'all' },
      { pattern: cron, tz: 'UTC' },
    );
    this.logger.log(`Reconciliation scheduled: ${cron} (UTC), scheduler ${RECONCILIATION_SCHEDULER_KEY}`);
  }
}
