import { Injectable } from '@nestjs/common';
import type { ErpPeriodJournal } from '@revline/erp-port';
import { ErpPort, toErpExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import type { z } from 'zod';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, PeriodJournalCommand } from './payload-schemas';

/** A period journal command in the port's terms: its external id made ERP-safe (deterministically). */
export function toErpPeriodJournal(command: z.infer<typeof PeriodJournalCommand>): ErpPeriodJournal {
  return { ...command, externalId: toErpExternalId(command.externalId) };
}

/**
 * Posts one journal of a period close's revenue run. The journal is an upsert by its deterministic external id,
 * so a re-sent journal (a new command for the same journal, or a retry after a lost answer) updates the one
 * posted instead of posting it twice. A period NetSuite has closed is refused: `erp.rejected`, `closed_period`.
 */
@Injectable()
export class PostPeriodJournalHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
  ) {}

  @JobHandler('erp.post-period-journal')
  async postPeriodJournal(envelope: Envelope<'erp.post-period-journal'>): Promise<void> {
    await this.runner.refusing(envelope, 'periodJournal', async () => {
      const journal = toErpPeriodJournal(checkPayload(PeriodJournalCommand, envelope.payload, envelope.job));
      await this.runner.run(envelope, {
        recordType: 'periodJournal',
        externalId: journal.externalId,
        post: () => this.erp.postPeriodJournal(journal),
      });
    });
  }
}
