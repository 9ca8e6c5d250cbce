import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { Queues } from '@revline/messaging';
import { ScheduledConfig } from './scheduled.config';
import { upsertScheduledJob } from './upsert-job-scheduler';

/** The stable key of the monthly period recognition scheduler: upserting it again replaces, never duplicates. */
export const RECOGNISE_PERIOD_SCHEDULER = 'q2c.recognise-period.monthly';

/**
 * The recurring jobs of `q2c.scheduled`, as BullMQ job schedulers under stable keys: every instance of the app
 * upserts the same scheduler at start, so there is one whatever the number of instances, and a changed cron
 * replaces the old one. Each run is a job whose envelope carries no period (the month before the run).
 */
@Injectable()
export class JobSchedulers implements OnApplicationBootstrap {
  private readonly logger = new Logger(JobSchedulers.name);

  constructor(
    private readonly queues: Queues,
    private readonly config: ScheduledConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.SCHEDULED_JOBS === 'off') return;
    await this.upsertRecognisePeriod();
  }

  async upsertRecognisePeriod(): Promise<void> {
    await upsertScheduledJob(
      this.queues,
      RECOGNISE_PERIOD_SCHEDULER,
      'q2c.recognise-period',
      {},
      {
        pattern: this.config.RECOGNISE_PERIOD_CRON,
        tz: this.config.RECOGNISE_PERIOD_TIMEZONE,
      },
    );
    this.logger.log({
      msg: 'job scheduler upserted',
      scheduler: RECOGNISE_PERIOD_SCHEDULER,
      pattern: this.config.RECOGNISE_PERIOD_CRON,
      timezone: this.config.RECOGNISE_PERIOD_TIMEZONE,
    });
  }
}
