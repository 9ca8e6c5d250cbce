import { Injectable } from '@nestjs/common';
import { ErpPort, revenueScheduleExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, ScheduleCommand } from './payload-schemas';

/** Stores one obligation's schedule version as the ERP's revenue schedule record (one record per version). */
@Injectable()
export class UpsertRevenueScheduleHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
  ) {}

  @JobHandler('erp.upsert-revenue-schedule')
  async upsertRevenueSchedule(envelope: Envelope<'erp.upsert-revenue-schedule'>): Promise<void> {
    const command = checkPayload(ScheduleCommand, envelope.payload, envelope.job);
    const externalId = revenueScheduleExternalId(
      command.contractId,
      command.obligationId,
      command.scheduleVersion,
    );
    await this.runner.run(envelope, {
      recordType: 'revenueSchedule',
      externalId,
      post: () => this.erp.upsertRevenueSchedule({ ...command, externalId }),
    });
  }
}
