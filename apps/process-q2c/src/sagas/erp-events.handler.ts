import { Injectable } from '@nestjs/common';
import type { Envelope, ErpPostedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { Inbox, JobHandler } from '@revline/messaging';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ClosePeriod, isRevenueRunCommand } from '../revenue-runs/close-period.usecase';
import { SAGAS_CONSUMER } from './billing-events.handler';
import { postingHops } from './revenue-batch';
import { SagaCommands } from './saga-commands';
import { SagaRejections } from './saga-rejections';
import type { SentCommand } from './saga-runner';
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
    return this.confirm(envelope, [envelope.payload]);
  }

  /** The ERP's answers of commands it posted together, one message (see ErpCommandRunner). */
  @JobHandler('erp.posted-many')
  async postedMany(envelope: Envelope<'erp.posted-many'>): Promise<unknown> {
    return this.confirm(envelope, envelope.payload.confirmations);
  }

  /**
   * The ERP's confirmations, in the message's transaction: a revenue run's records to their run, the rest to the
   * sagas that sent them (locked in one statement, each moved on once), their rows and hops written at the end.
   */
  private async confirm(envelope: Envelope, confirmations: readonly ErpPostedPayload[]): Promise<unknown> {
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
      this.lineage.batch(manager, async () => {
        const revenueRuns: string[] = [];
        const byKey = new Map<string, ErpPostedPayload>();
        for (const p of confirmations) {
          if (!isRevenueRunCommand(p.commandIdempotencyKey)) byKey.set(p.commandIdempotencyKey, p);
          else {
            await this.revenueRuns.posted(manager, p);
            revenueRuns.push(p.externalId);
          }
        }
        const sent = await this.runner.withSendersOf(manager, [...byKey.keys()], async (saga, commands) => {
          for (const command of commands) {
            const p = byKey.get(command.key);
            if (p) await this.applyPosted(manager, saga, command, p);
          }
        });
        // An invoice its billing platform voided before a saga took it in: reversed now that it stands.
        for (const command of sent) {
          const p = byKey.get(command.key);
          if (p && command.job === 'erp.post-invoice')
            await this.voids.afterInvoicePosted(manager, p.externalId, envelope.correlationId);
        }
        const confirmed = new Set(sent.map((c) => c.key));
        const ignored = [...byKey.keys()].filter((k) => !confirmed.has(k));
        return {
          sagaIds: [...new Set(sent.map((c) => c.saga.sagaId))],
          ...(revenueRuns.length > 0 ? { revenueRuns } : {}),
          // Commands no saga sent (nor a revenue run): nothing to confirm.
          ...(ignored.length > 0 ? { ignored } : {}),
        };
      }),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /** One command the ERP posted, confirmed on the saga that sent it (locked, inside its run). */
  private async applyPosted(
    manager: EntityManager,
    saga: SagaEntity,
    command: SentCommand,
    p: ErpPostedPayload,
  ): Promise<void> {
    // A revenue batch: each schedule and journal is confirmed on its own row, in the batch's statement (so a saga
    // parked by a refused journal sees that journal posted when the batch's retry is confirmed).
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
