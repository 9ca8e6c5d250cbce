import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { Inbox, JobHandler } from '@revline/messaging';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ClosePeriod, isRevenueRunCommand } from '../revenue-runs/close-period.usecase';
import { SAGAS_CONSUMER } from './billing-events.handler';
import { postingHops } from './revenue-batch';
import { SagaCommands } from './saga-commands';
import { SagaRejections } from './saga-rejections';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import { VoidInvoice } from './void-invoice';
import type { SagaEntity } from './saga.entity';

/** The erp.events queue: the ERP's confirmations and refusals of the sagas' commands. */
@Injectable()
export class ErpEventsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly lineage: LineageRecorder,
    private readonly voids: VoidInvoice,
    private readonly rejections: SagaRejections,
    private readonly revenueRuns: ClosePeriod,
    private readonly commands: SagaCommands,
  ) {}

  @JobHandler('erp.posted')
  async posted(envelope: Envelope<'erp.posted'>): Promise<unknown> {
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
      this.lineage.batch(manager, () => this.applyPosted(manager, envelope)),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  private async applyPosted(manager: EntityManager, envelope: Envelope<'erp.posted'>): Promise<object> {
    const p = envelope.payload;
    if (isRevenueRunCommand(p.commandIdempotencyKey)) {
      await this.revenueRuns.posted(manager, p);
      return { revenueRun: p.externalId };
    }
    const command = await this.store.lockBySentCommand(manager, p.commandIdempotencyKey);
    if (!command) return { ignored: `command ${p.commandIdempotencyKey} was not sent by a saga` };
    await this.runner.within(manager, command.saga, async (saga) => {
      // A revenue batch: each schedule and journal is confirmed on its own row, in the batch's statement (so a
      // saga parked by a refused journal sees that journal posted when the batch's retry is confirmed).
      const { externalId: sent } = await this.runner.confirmPosting(
        manager,
        saga,
        p.commandIdempotencyKey,
        p.erpId || null,
        p.postings ?? [],
        { externalId: command.externalId },
      );
      saga.data.lastErpPostedAt = new Date().toISOString();
      // A customer posted on its own, or with the invoice that carried it.
      const customer =
        command.job === 'erp.upsert-customer' ? p : p.postings?.find((r) => r.recordType === 'customer');
      if (customer) saga.data.erpCustomerId = customer.erpId;
      for (const doc of [...saga.data.invoices, ...saga.data.creditNotes]) {
        if (doc.erpExternalId === sent) doc.erpId = p.erpId;
      }
      await this.lineage.record(
        [
          {
            contractId: saga.contractId,
            system: 'erp',
            objectType: p.recordType,
            externalId: sent ?? p.externalId,
            status: p.outcome ?? 'posted',
            correlationId: saga.correlationId,
            detail: [
              p.erpId && `ERP id ${p.erpId}`,
              p.postedAmountMinor && `posted ${p.postedAmountMinor}`,
              p.postings && `${String(p.postings.length)} records`,
            ]
              .filter(Boolean)
              .join(', '),
          },
          ...postingHops(saga, p.postings ?? []),
        ],
        manager,
      );
    });
    // An invoice its billing platform voided before a saga took it in: reversed now that it stands.
    if (command.job === 'erp.post-invoice')
      await this.voids.afterInvoicePosted(manager, p.externalId, envelope.correlationId);
    return { sagaId: command.saga.sagaId };
  }

  /**
   * The ERP refused a command: the saga parks where it is with an `erp_rejected` exception in the workbench (the
   * ERP's code and message); what a revenue batch did post stays posted, its refused records are rejected one by one.
   */
  @JobHandler('erp.rejected')
  async rejected(envelope: Envelope<'erp.rejected'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, async (manager) => {
      if (isRevenueRunCommand(p.commandIdempotencyKey)) {
        await this.revenueRuns.rejected(manager, p);
        return { revenueRun: p.externalId };
      }
      const command = await this.store.bySentCommand(manager, p.commandIdempotencyKey);
      const saga = command ? await this.store.lock(manager, command.sagaId) : null;
      if (saga && p.postings) await this.commands.confirmParts(manager, saga, p.postings);
      if (saga && p.refused) await this.commands.rejectParts(manager, saga, p.refused);
      const hop = (s: SagaEntity, recordType: string, externalId: string, code: string, message: string) => ({
        contractId: s.contractId,
        system: 'erp' as const,
        objectType: recordType,
        externalId,
        status: 'rejected',
        correlationId: s.correlationId,
        detail: `${code}: ${message}`,
      });
      return this.rejections.reject(
        manager,
        'erp',
        {
          commandIdempotencyKey: p.commandIdempotencyKey,
          command: command?.job ?? p.recordType,
          errorCode: p.errorCode,
          message: p.message,
          ...(p.field ? { field: p.field } : {}),
          extra: {
            recordType: p.recordType,
            externalId: p.externalId,
            ...(p.category ? { erpCategory: p.category } : {}),
            ...(p.refused ? { refused: p.refused.map((r) => r.externalId) } : {}),
          },
          hops: (s) => [
            ...(p.refused && p.refused.length > 0
              ? p.refused.map((r) => hop(s, r.recordType, r.key, r.errorCode, r.message))
              : [hop(s, p.recordType, p.externalId, p.errorCode, p.message)]),
            ...postingHops(s, p.postings ?? []),
          ],
        },
        envelope,
        saga,
      );
    });
    return outcome.applied ? outcome.result : { duplicate: true };
  }
}
