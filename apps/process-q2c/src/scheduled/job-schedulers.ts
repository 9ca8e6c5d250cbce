import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Queues } from '@revline/messaging';
import { RevenueRunsConfig } from '../revenue-runs/revenue-runs.config';
import { ScheduledConfig } from './scheduled.config';
import { removeScheduledJob, upsertScheduledJob } from './upsert-job-scheduler';

/** The stable key of the monthly period recognition scheduler: upserting it again replaces, never duplicates. */
export const RECOGNISE_PERIOD_SCHEDULER = 'q2c.recognise-period.monthly';

/** The stable key of the monthly period close (revenue run) scheduler. */
export const CLOSE_PERIOD_SCHEDULER = 'q2c.close-period.monthly';

/**
 * The recurring jobs of `q2c.scheduled`, as BullMQ job schedulers under stable keys: every instance of the app
 * upserts the same scheduler at start, so there is one whatever the number of instances. A changed cron replaces
 * the old one from the run after the one already scheduled: BullMQ keeps that next run where the old cron put it. Each run is a job whose envelope carries no period (the month before the run). The monthly
 * job is the period close's revenue run under REVENUE_POSTING=period_close, else the period recognition check; the
 * other one's scheduler is removed.
 */
@Injectable()
export class JobSchedulers implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobSchedulers.name);

  constructor(
    private readonly queues: Queues,
    private readonly config: ScheduledConfig,
    private readonly posting: RevenueRunsConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SCHEDULED_JOBS === 'off') return;
    await this.upsertMonthly();
  }

  async upsertMonthly(): Promise<void> {
    const close = this.posting.REVENUE_POSTING === 'period_close';
    const [scheduler, stale] = close
      ? [CLOSE_PERIOD_SCHEDULER, RECOGNISE_PERIOD_SCHEDULER]
      : [RECOGNISE_PERIOD_SCHEDULER, CLOSE_PERIOD_SCHEDULER];
    const repeat = { pattern: this.config.RECOGNISE_PERIOD_CRON, tz: this.config.RECOGNISE_PERIOD_TIMEZONE };
    if (close)
      await upsertScheduledJob(
        this.queues,
        scheduler,
        'q2c.close-period',
        { requestedBy: 'scheduler' },
        repeat,
      );
    else await upsertScheduledJob(this.queues, scheduler, 'q2c.recognise-period', {}, repeat);
    await removeScheduledJob(this.queues, stale);
    this.logger.log({
      msg: 'job scheduler upserted',
      scheduler,
      pattern: repeat.pattern,
      timezone: repeat.tz,
    });
  }
}
