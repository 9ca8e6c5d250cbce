import { Injectable } from '@nestjs/common';
import type { CrmWriteBackConfirmation, Envelope } from '@revline/messaging';
import { Inbox, JobHandler } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SAGAS_CONSUMER } from './billing-events.handler';
import { SagaRejections } from './saga-rejections';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import type { SagaEntity } from './saga.entity';

/**
 * The answers of the billing platform's and Salesforce's refusals, and Salesforce's confirmations of write-backs
 * (crm.events): a refusal parks the saga with an exception in the workbench; a confirmed write-back is the saga's
 * last step done.
 */
@Injectable()
export class CommandRefusalsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly rejections: SagaRejections,
    private readonly lineage: LineageRecorder,
  ) {}

  @JobHandler('billing.rejected')
  async billingRejected(envelope: Envelope<'billing.rejected'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
      this.rejections.reject(manager, 'billing', { ...p, extra: { errorType: p.errorType } }, envelope),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  @JobHandler('crm.rejected')
  async crmRejected(envelope: Envelope<'crm.rejected'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
      this.rejections.reject(
        manager,
        'salesforce',
        {
          ...p,
          extra: { objectType: p.objectType, recordId: p.recordId },
          hops: (saga) => [
            {
              contractId: saga.contractId,
              system: 'salesforce',
              objectType: p.command,
              externalId: p.recordId,
              status: 'rejected',
              correlationId: saga.correlationId,
              detail: `${p.errorCode}: ${p.message}`,
            },
          ],
        },
        envelope,
      ),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /**
   * Salesforce's confirmations of one call's write-backs, in one transaction: the sagas that sent them locked in
   * one statement (in saga order), each saga moved on once with its own confirmations, their rows and hops written
   * together at the end.
   */
  @JobHandler('crm.written-back')
  async writtenBack(envelope: Envelope<'crm.written-back'>): Promise<unknown> {
    const confirmations = envelope.payload.confirmations;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
      this.lineage.batch(manager, async () => {
        const byKey = new Map(confirmations.map((c) => [c.commandIdempotencyKey, c]));
        const sent = await this.runner.withSendersOf(manager, [...byKey.keys()], async (saga, commands) => {
          for (const command of commands) {
            const c = byKey.get(command.key);
            if (c) await this.confirmWriteBack(manager, saga, command.job, c);
          }
        });
        const confirmed = new Set(sent.map((c) => c.key));
        return {
          sagaIds: [...new Set(sent.map((c) => c.saga.sagaId))],
          ...(confirmed.size < byKey.size
            ? { ignored: [...byKey.keys()].filter((k) => !confirmed.has(k)) }
            : {}),
        };
      }),
    );
    return outcome.applied ? outcome.result : { duplicate: true };
  }

  /** One write-back confirmed on its saga, with the Account part it carried (a command of its own). */
  private async confirmWriteBack(
    manager: EntityManager,
    saga: SagaEntity,
    job: string,
    c: CrmWriteBackConfirmation,
  ): Promise<void> {
    const parts = [
      { key: c.commandIdempotencyKey, objectType: c.objectType, recordId: c.recordId, written: c.written },
      ...(c.account ? [{ key: c.account.commandIdempotencyKey, objectType: 'Account', ...c.account }] : []),
    ];
    for (const part of parts) {
      await this.runner.confirm(manager, saga, part.key, part.recordId);
      await this.lineage.record(
        {
          contractId: saga.contractId,
          system: 'salesforce',
          objectType: job,
          externalId: part.recordId,
          status: 'confirmed',
          correlationId: saga.correlationId,
          detail: `${part.objectType} ${part.recordId}: ${String(part.written)} record(s) written`,
        },
        manager,
      );
    }
  }
}
