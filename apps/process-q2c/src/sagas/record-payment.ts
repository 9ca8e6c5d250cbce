import { Injectable } from '@nestjs/common';
import type { BillingPaymentReceivedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { BillingDocumentsRepository } from './billing-documents.repository';
import { invoiceStatusWriteBack } from './invoice-status-write-back';
import { SagaCommands } from './saga-commands';
import type { SagaDocument } from './saga-data';
import { SagaStore } from './saga-store';
import { SagasRepository } from './sagas.repository';

/**
 * A payment the billing platform received: the ERP books it against the invoice the saga posted, and the
 * Salesforce order shows the invoice paid. A payment for an invoice no saga posted is kept and reported.
 */
@Injectable()
export class RecordPayment {
  constructor(
    private readonly store: SagaStore,
    private readonly commands: SagaCommands,
    private readonly lineage: LineageRecorder,
    private readonly documents: BillingDocumentsRepository,
    private readonly sagas: SagasRepository,
  ) {}

  async execute(manager: EntityManager, p: BillingPaymentReceivedPayload): Promise<unknown> {
    await this.documents.storePayment(manager, p);
    const sagaId = await this.sagas.postedInvoice(manager, p.invoiceId);
    const saga = sagaId ? await this.store.lock(manager, sagaId) : null;
    if (!saga) return { kept: p.paymentId, reason: `no saga posted invoice ${p.invoiceId}` };
    const invoice = saga.data.invoices.find((d) => d.documentId === p.invoiceId) as SagaDocument;
    const externalId = `PAY-${p.paymentId}`;
    await this.commands.send(
      manager,
      saga,
      'erp.post-payment',
      {
        externalId,
        customerExternalId: saga.data.erpCustomerExternalId ?? `CUST-${saga.data.salesforceAccountId}`,
        currency: p.amount.currency,
        tranDate: p.receivedOn,
        contractId: saga.contractId,
        appliesToExternalId: invoice.erpExternalId,
        lines: [{ itemExternalId: 'payment', amountMinor: p.amount.amountMinor }],
      },
      { key: `payment:${p.paymentId}:erp`, externalId, awaited: false },
    );
    await this.commands.send(
      manager,
      saga,
      'crm.write-back',
      invoiceStatusWriteBack(saga.data.salesforceOrderId, invoice, 'paid'),
      { key: `payment:${p.paymentId}:write-back`, externalId: saga.data.salesforceOrderId, awaited: false },
    );
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'billing',
        objectType: 'Payment',
        externalId: p.paymentId,
        status: 'received',
        correlationId: saga.correlationId,
        detail: `${p.amount.amountMinor} ${p.amount.currency} for ${p.invoiceId}`,
      },
      manager,
    );
    return { sagaId: saga.sagaId };
  }
}
