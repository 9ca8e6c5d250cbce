import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { Inbox, JobHandler } from '@revline/messaging';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SAGAS_CONSUMER } from './billing-events.handler';
import { SagaRejections } from './saga-rejections';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';

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

  @JobHandler('crm.written-back')
  async writtenBack(envelope: Envelope<'crm.written-back'>): Promise<unknown> {
    const p = envelope.payload;
    const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, async (manager) => {
      const command = await this.store.lockBySentCommand(manager, p.commandIdempotencyKey);
      if (!command) return { ignored: `command ${p.commandIdempotencyKey} was not sent by a saga` };
      await this.runner.within(manager, command.saga, async (saga) => {
        await this.runner.confirm(manager, saga, p.commandIdempotencyKey, p.recordId);
        await this.lineage.record(
          {
            contractId: saga.contractId,
            system: 'salesforce',
            objectType: command.job,
            externalId: p.recordId,
            status: 'confirmed',
            correlationId: saga.correlationId,
            detail: `${p.objectType} ${p.recordId}: ${String(p.written)} record(s) written`,
          },
          manager,
        );
        // The Account part the Order's write-back carried, a command of its own.
        if (p.account) {
          await this.runner.confirm(manager, saga, p.account.commandIdempotencyKey, p.account.recordId);
          await this.lineage.record(
            {
              contractId: saga.contractId,
              system: 'salesforce',
              objectType: command.job,
              externalId: p.account.recordId,
              status: 'confirmed',
              correlationId: saga.correlationId,
              detail: `Account ${p.account.recordId}: ${String(p.account.written)} record(s) written`,
            },
            manager,
          );
        }
      });
      return { sagaId: command.saga.sagaId };
    });
    return outcome.applied ? outcome.result : { duplicate: true };
  }
}
