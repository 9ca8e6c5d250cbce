import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload, Envelope } from '@revline/messaging';
import { Inbox, isBusinessError, JobHandler } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import type { LineageHop } from '../lineage/lineage-recorder';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { BookUsageInvoice } from '../usage/book-usage-invoice.usecase';
import type { BillingDocumentKind } from './billing-documents.repository';
import { BillingDocumentsRepository, billingCustomerLock } from './billing-documents.repository';
import { RecordPayment } from './record-payment';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import type { SagaEntity } from './saga.entity';
import { SagasRepository } from './sagas.repository';
import { VoidInvoice } from './void-invoice';

export const SAGAS_CONSUMER = 'process-q2c.sagas';

/** The lineage hop of a billing document issued, on the saga taking it in (or the message's correlation). */
function issuedHop(
  doc: BillingDocumentPayload,
  objectType: string,
  on: { contractId: string | null; correlationId: string },
): LineageHop {
  return {
    contractId: on.contractId,
    system: 'billing',
    objectType,
    externalId: doc.documentId,
    status: 'issued',
    correlationId: on.correlationId,
    detail: `${doc.total.amountMinor} ${doc.total.currency}`,
  };
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
    private readonly usage: BookUsageInvoice,
    private readonly voids: VoidInvoice,
    private readonly documents: BillingDocumentsRepository,
    private readonly sagas: SagasRepository,
  ) {}

  @JobHandler('billing.subscription-changed')
  async subscriptionChanged(envelope: Envelope<'billing.subscription-changed'>): Promise<unknown> {
    const p = envelope.payload;
    const key = p.commandIdempotencyKey;
    if (!key) return { ignored: 'a change the billing platform made on its own' };
    return this.run(envelope, async (manager, touch) => {
      // The customer's lock before the saga's row, as a document's message takes them. The invoice the change
      // issued, announced with its answer, is kept as a billing.invoice-issued keeps it (its statement takes the
      // lock first), for the saga's wait below (in this transaction) or for whoever looks for it.
      if (p.invoice) await this.documents.store(manager, 'invoice', p.invoice);
      else await billingCustomerLock(manager, p.customerId);
      const command = await this.store.lockBySentCommand(manager, key);
      if (!command) return { ignored: `command ${key} was not sent by a saga` };
      touch(command.saga.sagaId);
      await this.runner.within(manager, command.saga, async (saga) => {
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
        if (p.invoice) await this.lineage.record(issuedHop(p.invoice, 'Invoice', saga), manager);
      });
      return { sagaId: command.saga.sagaId };
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
        waiting: (manager) =>
          this.sagas.awaitingInvoice(manager, doc.documentId, periodStarts, doc.subscriptionId ?? ''),
      },
      { booked: (manager) => this.usage.execute(manager, doc) },
      { waiting: (manager) => this.sagas.awaitingPhaseInvoice(manager, doc.subscriptionId ?? '') },
    ]);
  }

  @JobHandler('billing.credit-note-issued')
  async creditNoteIssued(envelope: Envelope<'billing.credit-note-issued'>): Promise<unknown> {
    return this.document(envelope, 'credit_note', 'CreditNote', [
      { waiting: (manager) => this.sagas.awaitingCreditNote(manager, envelope.payload.customerId) },
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
   * one is: the ways a document may be taken, tried in order — a saga `waiting` for it, or a use case that books it
   * (`booked` answers null when the document is not its kind).
   */
  private async document(
    envelope: Envelope<'billing.invoice-issued' | 'billing.credit-note-issued'>,
    kind: BillingDocumentKind,
    objectType: string,
    takers: ReadonlyArray<
      | { waiting: (manager: EntityManager) => Promise<SagaEntity | null> }
      | { booked: (manager: EntityManager) => Promise<object | null> }
    >,
  ): Promise<unknown> {
    const doc: BillingDocumentPayload = envelope.payload;
    return this.run(envelope, async (manager, touch) => {
      await this.documents.store(manager, kind, doc);
      let saga: SagaEntity | null = null;
      for (const taker of takers) {
        if ('booked' in taker) {
          const booked = await taker.booked(manager);
          if (booked) return booked;
          continue;
        }
        saga = await taker.waiting(manager);
        if (saga) break;
      }
      await this.lineage.record(
        issuedHop(doc, objectType, saga ?? { contractId: null, correlationId: envelope.correlationId }),
        manager,
      );
      if (!saga) return { kept: doc.documentId };
      touch(saga.sagaId);
      await this.runner.within(manager, saga);
      return { sagaId: saga.sagaId };
    });
  }

  private async run(
    envelope: Envelope,
    effect: (manager: EntityManager, touch: (sagaId: string) => void) => Promise<unknown>,
  ): Promise<unknown> {
    let sagaId: string | undefined;
    try {
      // The lineage hops of the message's transaction are written together, at its end.
      const outcome = await this.inbox.runOnce(SAGAS_CONSUMER, envelope, (manager) =>
        this.lineage.batch(manager, () =>
          effect(manager, (id) => {
            sagaId = id;
          }),
        ),
      );
      return outcome.applied ? outcome.result : { duplicate: true };
    } catch (error) {
      if (isBusinessError(error) && sagaId) await this.runner.park(sagaId, error);
      throw error;
    }
  }
}
