import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, ScheduleCommand } from './payload-schemas';
import { RevenueRecords } from './revenue-records';

/** Stores one obligation's schedule version as the ERP's revenue schedule record (one record per version). */
@Injectable()
export class UpsertRevenueScheduleHandler {
  constructor(
    private readonly runner: ErpCommandRunner,
    private readonly records: RevenueRecords,
  ) {}

  @JobHandler('erp.upsert-revenue-schedule')
  async upsertRevenueSchedule(envelope: Envelope<'erp.upsert-revenue-schedule'>): Promise<void> {
    await this.runner.refusing(envelope, 'revenueSchedule', async () => {
      const command = checkPayload(ScheduleCommand, envelope.payload, envelope.job);
      await this.runner.run(envelope, {
        recordType: 'revenueSchedule',
        externalId: this.records.scheduleExternalId(command),
        post: () => this.records.upsertSchedule(command),
      });
    });
  }
}
