import { Injectable } from '@nestjs/common';
import type { CrmWriteBackPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { accountWriteBack } from '../customer-plan';
import { sagaKey } from '../erp-plan';
import { SagaCommands } from '../saga-commands';
import { retriesOf, retryKey } from '../saga-retries';
import type { SagaEntity } from '../saga.entity';
import type { LazySagaContext } from './saga-step';
import { SagaStepHandler } from './saga-step';

/** The order's sync status, billing and ERP ids and invoices written back to Salesforce (and a booking's account). */
@Injectable()
export class WriteBackStep extends SagaStepHandler {
  constructor(private readonly commands: SagaCommands) {
    super();
  }

  async run(manager: EntityManager, saga: SagaEntity, context: LazySagaContext): Promise<boolean> {
    const account = await this.accountPart(manager, saga, context);
    const erpId =
      saga.data.invoices.find((d) => d.erpId)?.erpId ?? saga.data.creditNotes.find((d) => d.erpId)?.erpId;
    await this.commands.send(
      manager,
      saga,
      'crm.write-back',
      {
        objectType: 'Order',
        recordId: saga.data.salesforceOrderId,
        fields: {
          status: 'synced',
          correlationId: saga.correlationId,
          ...(saga.data.subscriptionId ? { billingId: saga.data.subscriptionId } : {}),
          ...(erpId ? { erpId } : {}),
          lastSyncedAt: new Date().toISOString(),
        },
        invoices: saga.data.invoices.map((d) => ({
          invoiceId: d.documentId,
          number: d.number,
          amount: d.total,
          issuedOn: d.issuedOn,
          status: 'open' as const,
        })),
        ...(account ? { account } : {}),
      },
      // Awaited: the write-back is done when Salesforce confirms it (crm.written-back), failed when it refuses it.
      {
        key: retryKey(sagaKey(saga.eventId, 'write-back'), retriesOf(saga, 'write_back')),
        externalId: saga.data.salesforceOrderId,
      },
    );
    return true;
  }

  /**
   * A booking writes the account's billing and ERP customer ids back to it, when the order did not carry them: a
   * command of its own (not awaited; its refusal parks nothing it did not park before), riding in the Order's.
   */
  private async accountPart(
    manager: EntityManager,
    saga: SagaEntity,
    context: LazySagaContext,
  ): Promise<CrmWriteBackPayload['account']> {
    if (saga.kind !== 'booking') return undefined;
    const payload = accountWriteBack(saga.data, (await context()).history.booking.customer);
    if (!payload) return undefined;
    const key = sagaKey(saga.eventId, 'write-back-account');
    await this.commands.record(manager, saga, 'crm.write-back', payload, {
      key,
      externalId: payload.recordId,
      awaited: false,
    });
    return { commandIdempotencyKey: key, recordId: payload.recordId, fields: payload.fields };
  }
}
