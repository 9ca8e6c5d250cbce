import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload, Envelope } from '@revline/messaging';
import { Inbox, isBusinessError, JobHandler } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { BookUsageInvoice } from '../usage/book-usage-invoice.usecase';
import { billingCustomerLock } from './billing-customer-lock';
import { RecordPayment } from './record-payment';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import { VoidInvoice } from './void-invoice';

export const SAGAS_CONSUMER = 'process-q2c.sagas';

/** The billing.events queue: confirmations of billing commands and the documents the billing platform issues. */
@Injectable()
export class BillingEventsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly store: SagaStore,
    private readonly runner: SagaRunner,
    private readonly lineage: LineageRecorder,
    private readonly payments: RecordPayment,
    private readonly usage: BookUsageInvoice,
    private readonly voids: VoidInvoice,
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
      await billingCustomerLock(manager, p.customerId);
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

  /**
   * An invoice goes to the saga waiting for it by id (or a renewal saga waiting for its period's invoice); otherwise a usage invoice is booked for its contracts; otherwise
   * it wakes a ramp step waiting for its subscription's next invoice, or is kept for a saga that will look for it.
   */
  @JobHandler('billing.invoice-issued')
  async invoiceIssued(envelope: Envelope<'billing.invoice-issued'>): Promise<unknown> {
    const doc = envelope.payload;
    // A period's invoice also bills the usage of the period before (in arrears): any of its periods may be the one.
    const periodStarts = doc.lines.flatMap((l) => (!l.proration && l.periodStart ? [l.periodStart] : []));
    return this.document(envelope, 'invoice', 'Invoice', [
      {
        where: `("data"->>'awaitingInvoiceId' = $1
          OR ("data"->>'awaitingRenewalFrom' = ANY($2::text[]) AND "data"->>'subscriptionId' = $3))`,
        params: [doc.documentId, periodStarts, doc.subscriptionId ?? ''],
      },
      { booked: (manager) => this.usage.execute(manager, doc) },
      {
        where: `"step" = 'await_phase_invoice' AND "data"->>'subscriptionId' = $1`,
        params: [doc.subscriptionId ?? ''],
      },
    ]);
  }

  @JobHandler('billing.credit-note-issued')
  async creditNoteIssued(envelope: Envelope<'billing.credit-note-issued'>): Promise<unknown> {
    return this.document(envelope, 'credit_note', 'CreditNote', [
      {
        where: `"step" = 'await_credit_note' AND "data"->>'billingCustomerId' = $1`,
        params: [envelope.payload.customerId],
      },
    ]);
  }

  @JobHandler('billing.payment-received')
  async paymentReceived(envelope: Envelope<'billing.payment-received'>): Promise<unknown> {
    return this.run(envelope, (manager) => this.payments.execute(manager, envelope.payload));
  }

  @JobHandler('billing.invoice-voided')
  async invoiceVoided(envelope: Envelope<'billing.invoice-voided'>): Promise<unknown> {
    return this.run(envelope, (manager) =>
      this.voids.execute(manager, envelope.payload, envelope.correlationId),
    );
  }

  /**
   * Keeps the document (a saga that reaches its wait later finds it there) and moves the saga waiting for it, if
   * one is: the ways a document may be taken, tried in order — a saga waiting as `where` says, or a use case that
   * books it (`booked` answers null when the document is not its kind).
   */
  private async document(
    envelope: Envelope<'billing.invoice-issued' | 'billing.credit-note-issued'>,
    kind: 'invoice' | 'credit_note',
    objectType: string,
    takers: ReadonlyArray<
      | { where: string; params: ReadonlyArray<string | readonly string[]> }
      | { booked: (manager: EntityManager) => Promise<object | null> }
    >,
  ): Promise<unknown> {
    const doc: BillingDocumentPayload = envelope.payload;
    return this.run(envelope, async (manager, touch) => {
      await billingCustomerLock(manager, doc.customerId);
      await manager.query(
        `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "subscription_id", "payload")
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT ("document_id") DO NOTHING`,
        [doc.documentId, kind, doc.customerId, doc.subscriptionId ?? null, JSON.stringify(doc)],
      );
      let saga: { saga_id: string; contract_id: string; correlation_id: string } | undefined;
      for (const taker of takers) {
        if ('booked' in taker) {
          const booked = await taker.booked(manager);
          if (booked) return booked;
          continue;
        }
        const rows = await manager.query<
          Array<{ saga_id: string; contract_id: string; correlation_id: string }>
        >(
          `SELECT "saga_id", "contract_id", "correlation_id" FROM "q2c"."sagas"
            WHERE ${taker.where} AND "status" <> 'completed' ORDER BY "saga_id" LIMIT 1`,
          [...taker.params],
        );
        saga = rows.at(0);
        if (saga) break;
      }
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
