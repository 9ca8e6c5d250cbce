import { Injectable } from '@nestjs/common';
import { ErpRejectedError } from '@revline/erp-port';
import type { Envelope, ErpPostingOutcome } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { DataSource } from 'typeorm';
import type { Posted } from './erp-command-runner';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, RevenueBatchCommand } from './payload-schemas';
import { RevenueRecords } from './revenue-records';

interface Refusal {
  recordType: string;
  externalId: string;
  key: string;
  error: ErpRejectedError;
}

const outcomeOf = (recordType: string, key: string, posted: Posted): ErpPostingOutcome => ({
  recordType,
  externalId: posted.externalId,
  key,
  erpId: posted.erpId,
  outcome: posted.outcome ?? 'posted',
  ...(posted.postedAmountMinor === undefined ? {} : { postedAmountMinor: posted.postedAmountMinor }),
});

/**
 * `erp.post-revenue`: a schedule version's revenue in one command — each obligation's schedule upserted, then each
 * period journal posted exactly as `erp.post-revenue-journal` posts it (RevenueRecords: its own external id, the
 * difference from the latest earlier version, superseded when stale, under the key lock: one lock and one read of
 * revenue_postings per obligation, not per journal). Each journal's revenue_postings row is committed as soon as it
 * is posted, so a redelivered or retried batch finds the journals it posted already and does not call the ERP for
 * them again; one `erp.posted` lists every record's outcome. Records the ERP refuses (a closed period) are collected
 * while the others post: the batch then answers `erp.rejected` naming them and parks as a business exception, and
 * the operator's retry posts only what is missing. An unreachable ERP stops the batch as a transient error (retried
 * with backoff, same rule).
 */
@Injectable()
export class PostRevenueHandler {
  constructor(
    private readonly runner: ErpCommandRunner,
    private readonly records: RevenueRecords,
    private readonly dataSource: DataSource,
  ) {}

  @JobHandler('erp.post-revenue')
  async postRevenue(envelope: Envelope<'erp.post-revenue'>): Promise<void> {
    await this.runner.refusing(envelope, 'revenue', async () => {
      const batch = checkPayload(RevenueBatchCommand, envelope.payload, envelope.job);
      if (await this.runner.alreadyApplied(envelope)) return;
      const postings: ErpPostingOutcome[] = [];
      const refused: Refusal[] = [];
      /** Calls the ERP; a refusal is noted and the batch goes on, anything else stops it. */
      const attempt = async (
        record: { recordType: string; externalId: string; key: string },
        post: () => Promise<Posted>,
      ): Promise<Posted | undefined> => {
        try {
          return await post();
        } catch (error) {
          if (error instanceof ErpRejectedError && error.category !== 'authentication') {
            refused.push({ ...record, error });
            return undefined;
          }
          throw (await this.runner.classify(envelope, record, error)) ?? error;
        }
      };

      for (const schedule of batch.schedules) {
        const record = {
          recordType: 'revenueSchedule',
          externalId: this.records.scheduleExternalId(schedule),
          key: schedule.externalId,
        };
        const posted = await attempt(record, () => this.records.upsertSchedule(schedule));
        if (posted) postings.push(outcomeOf(record.recordType, record.key, posted));
      }
      await this.records.forEachJournal(batch.journals, async (c, journal) => {
        const { recorded } = journal;
        if (recorded?.commandKey === envelope.idempotencyKey) {
          // Posted by an earlier attempt of this very command: report it, post nothing.
          postings.push({
            recordType: 'revenueJournal',
            externalId: recorded.externalId,
            key: c.externalId,
            erpId: recorded.erpId ?? '',
            outcome: recorded.outcome,
            postedAmountMinor: recorded.postedAmountMinor,
          });
          return;
        }
        const record = { recordType: 'revenueJournal', externalId: journal.externalId, key: c.externalId };
        const posted = await attempt(record, () => journal.post());
        if (!posted) return;
        // One statement, committed at once (before the lock is released and before the batch's answer).
        await journal.record(this.dataSource.manager, posted, envelope.idempotencyKey);
        postings.push(outcomeOf(record.recordType, record.key, posted));
      });

      if (refused.length > 0) {
        await this.runner.refuseBatch(envelope, refused, postings);
        return;
      }
      await this.runner.answer(
        envelope,
        'revenue',
        { externalId: batch.externalId, erpId: '', outcome: 'posted' },
        undefined,
        postings,
      );
    });
  }
}
