import { Injectable } from '@nestjs/common';
import { ErpPort, revenueJournalExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { DataSource, LessThan, Not } from 'typeorm';
import type { Posted } from './erp-command-runner';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, JournalCommand } from './payload-schemas';
import { RevenueKeyLock } from './revenue-key-lock';
import { RevenuePostingEntity } from './revenue-posting.entity';

/**
 * Posts a period's recognition for one schedule version as a journal (deferred revenue → revenue), idempotent
 * per contract, obligation, period and version: the journal's external id is derived from those four, and a
 * later version posts only its difference from the latest earlier version posted. A version older than one
 * already posted posts nothing (it is superseded).
 */
@Injectable()
export class PostRevenueJournalHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly lock: RevenueKeyLock,
    private readonly dataSource: DataSource,
  ) {}

  @JobHandler('erp.post-revenue-journal')
  async postRevenueJournal(envelope: Envelope<'erp.post-revenue-journal'>): Promise<void> {
    const c = checkPayload(JournalCommand, envelope.payload, envelope.job);
    const externalId = revenueJournalExternalId(c.contractId, c.obligationId, c.period, c.scheduleVersion);
    await this.lock.withLock(c.contractId, c.obligationId, c.period, async () => {
      const postings = this.dataSource.getRepository(RevenuePostingEntity);
      const key = { contractId: c.contractId, obligationId: c.obligationId, period: c.period };
      const counted = { ...key, outcome: Not('superseded' as const) };
      const latest = await postings.findOne({ where: counted, order: { scheduleVersion: 'DESC' } });
      const superseded = latest !== null && latest.scheduleVersion > c.scheduleVersion;
      const previous = await postings.findOne({
        where: { ...counted, scheduleVersion: LessThan(c.scheduleVersion) },
        order: { scheduleVersion: 'DESC' },
      });
      const difference = BigInt(c.amount.amountMinor) - BigInt(previous?.periodAmountMinor ?? '0');
      await this.runner.run(envelope, {
        recordType: 'revenueJournal',
        externalId,
        post: async (): Promise<Posted> => {
          if (superseded)
            return {
              kind: 'revenueJournal',
              externalId,
              erpId: '',
              outcome: 'superseded',
              postedAmountMinor: '0',
            };
          const result = await this.erp.postRevenueJournal({
            externalId,
            contractId: c.contractId,
            obligationId: c.obligationId,
            period: c.period,
            scheduleVersion: c.scheduleVersion,
            amount: { amountMinor: difference.toString(), currency: c.amount.currency },
            productClass: c.productClass,
            subsidiary: c.subsidiary,
          });
          return result
            ? { ...result, outcome: 'posted', postedAmountMinor: difference.toString() }
            : {
                kind: 'revenueJournal',
                externalId,
                erpId: '',
                outcome: 'nothing_to_post',
                postedAmountMinor: '0',
              };
        },
        record: async (manager, posted) => {
          await manager
            .createQueryBuilder()
            .insert()
            .into(RevenuePostingEntity)
            .values({
              ...key,
              scheduleVersion: c.scheduleVersion,
              currency: c.amount.currency,
              periodAmountMinor: c.amount.amountMinor,
              postedAmountMinor: posted.postedAmountMinor ?? '0',
              productClass: c.productClass,
              subsidiary: c.subsidiary,
              externalId,
              erpId: posted.erpId || null,
              outcome: posted.outcome ?? 'posted',
              commandKey: envelope.idempotencyKey,
            })
            .orIgnore()
            .execute();
        },
      });
    });
  }
}
