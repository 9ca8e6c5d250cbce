import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload, Envelope } from '@revline/messaging';
import { Inbox, isBusinessError, JobHandler } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { RecordPayment } from './record-payment';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';

export const SAGAS_CONSUMER = 'process-q2c.sagas';

/**
 * Serialises what one billing customer's messages do to sagas: a document arriving while its saga learns to wait
 * for it is either seen by the saga or sees the saga waiting, never neither.
 */
async function customerLock(manager: EntityManager, customerId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`q2c-billing-customer:${customerId}`]);
}

/** The billing.events queue: confirmations of billing commands and the documents the billing platform issues. */
@Injectable()
export class BillingEventsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly lineage: LineageRecorder,
    private readonly payments: RecordPayment,
  ) {}

  @JobHandler('billing.subscription-changed')
  async subscriptionChanged(envelope: Envelope<'billing.subscription-changed'>): Promise<unknown> {
    const p = envelope.payload;
    const key = p.commandIdempotencyKey;
    if (!key) return { ignored: 'a change the billing platform made on its own' };
    return this.run(envelope, async (manager, touch) => {
      const command = await this.store.bySentCommand(manager, key);
      if (!command) return { ignored: `command ${key} was not sent by a saga` };
      touch(command.sagaId);
      await customerLock(manager, p.customerId);
      await this.runner.within(manager, command.sagaId, async (saga) => {
        if (!(await this.runner.confirm(manager, saga, key, p.subscriptionId))) return;
        saga.data.subscriptionId = p.subscriptionId || saga.data.subscriptionId;
        saga.data.billingCustomerId = p.customerId;
        const charges = saga.kind !== 'reduction' && saga.kind !== 'cancellation';
        if (charges && p.invoiceId) saga.data.awaitingInvoiceId = p.invoiceId;
        await this.lineage.record(
          {
            contractId: saga.contractId,
            system: 'billing',
            objectType: 'Subscription',
            externalId: p.subscriptionId || (p.scheduleId ?? key),
            status: p.status,
            correlationId: saga.correlationId,
            detail: p.invoiceId ? `invoice ${p.invoiceId}` : null,
          },
          manager,
        );
      });
      return { sagaId: command.sagaId };
    });
  }

  @JobHandler('billing.invoice-issued')
  async invoiceIssued(envelope: Envelope<'billing.invoice-issued'>): Promise<unknown> {
    return this.document(
      envelope,
      'invoice',
      'Invoice',
      `("data"->>'awaitingInvoiceId' = $1 OR ("step" = 'await_phase_invoice' AND "data"->>'subscriptionId' = $2))`,
      [envelope.payload.documentId, envelope.payload.subscriptionId ?? ''],
    );
  }

  @JobHandler('billing.credit-note-issued')
  async creditNoteIssued(envelope: Envelope<'billing.credit-note-issued'>): Promise<unknown> {
    return this.document(
      envelope,
      'credit_note',
      'CreditNote',
      `"step" = 'await_credit_note' AND "data"->>'billingCustomerId' = $1`,
      [envelope.payload.customerId],
    );
  }

  @JobHandler('billing.payment-received')
  async paymentReceived(envelope: Envelope<'billing.payment-received'>): Promise<unknown> {
    return this.run(envelope, (manager) => this.payments.execute(manager, envelope.payload));
  }

  /**
   * Keeps the document (a saga that reaches its wait later finds it there) and moves the saga waiting for it, if
   * one is.
   */
  private async document(
    envelope: Envelope<'billing.invoice-issued' | 'billing.credit-note-issued'>,
    kind: 'invoice' | 'credit_note',
    objectType: string,
    waiting: string,
    params: readonly string[],
  ): Promise<unknown> {
    const doc: BillingDocumentPayload = envelope.payload;
    return this.run(envelope, async (manager, touch) => {
      await customerLock(manager, doc.customerId);
      await manager.query(
        `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "subscription_id", "payload")
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT ("document_id") DO NOTHING`,
        [doc.documentId, kind, doc.customerId, doc.subscriptionId ?? null, JSON.stringify(doc)],
      );
      const rows = await manager.query<
        Array<{ saga_id: string; contract_id: string; correlation_id: string }>
      >(
        `SELECT "saga_id", "contract_id", "correlation_id" FROM "q2c"."sagas"
          WHERE ${waiting} AND "status" <> 'completed' ORDER BY "saga_id" LIMIT 1`,
        [...params],
      );
      const saga = rows.at(0);
      await this.lineage.record(
        {
          contractId: saga?.contract_id ?? null,
          system: 'billing',
          objectType,
          externalId: doc.documentId,
          status: 'issued',
          correlationId: saga?.correlation_id ?? envelope.correlationId,
          detail: `${doc.total.amountMinor} ${doc.total.currency}`,
        },
        manager,
      );
      if (!saga) return { kept: doc.documentId };
      touch(saga.saga_id);
      await this.runner.within(manager, saga.saga_id);
      return { sagaId: saga.saga_id };
    });
  }

  private async run(
    envelope: Envelope,
    effect: (manager: EntityManager, touch: (sagaId: string) => void) => Promise<unknown>,
  ): Promise<unknown> {
    let sagaId: string | undefined;
    try {
      const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
        effect(manager, (id) => {
          sagaId = id;
        }),
      );
      return outcome.applied ? outcome.result : { duplicate: true };
    } catch (error) {
      if (isBusinessError(error) && sagaId) await this.runner.park(sagaId, error);
      throw error;
    }
  }
}
