import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, JournalCommand } from './payload-schemas';
import { RevenueRecords } from './revenue-records';

/**
 * Posts a period's recognition for one schedule version as a journal (deferred revenue → revenue), idempotent
 * per contract, obligation, period and version: the journal's external id is derived from those four, and a
 * later version posts only its difference from the latest earlier version posted. A version older than one
 * already posted posts nothing (it is superseded). The batch `erp.post-revenue` posts each of its journals the
 * same way (RevenueRecords).
 */
@Injectable()
export class PostRevenueJournalHandler {
  constructor(
    private readonly runner: ErpCommandRunner,
    private readonly records: RevenueRecords,
  ) {}

  @JobHandler('erp.post-revenue-journal')
  async postRevenueJournal(envelope: Envelope<'erp.post-revenue-journal'>): Promise<void> {
    await this.runner.refusing(envelope, 'revenueJournal', async () => {
      const c = checkPayload(JournalCommand, envelope.payload, envelope.job);
      await this.records.withJournal(c, (journal) =>
        this.runner.run(envelope, {
          recordType: 'revenueJournal',
          externalId: journal.externalId,
          post: () => journal.post(),
          record: (manager, posted) => journal.record(manager, posted, envelope.idempotencyKey),
        }),
      );
    });
  }
}
