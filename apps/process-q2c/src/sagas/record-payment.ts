import { Injectable } from '@nestjs/common';
import type { BillingPaymentReceivedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { invoiceStatusWriteBack } from './invoice-status-write-back';
import { SagaCommands } from './saga-commands';
import type { SagaDocument } from './saga-data';
import { SagaStore } from './saga-store';

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
  ) {}

  async execute(manager: EntityManager, p: BillingPaymentReceivedPayload): Promise<unknown> {
    await manager.query(
      `INSERT INTO "q2c"."billing_documents" ("document_id", "kind", "customer_id", "payload")
       VALUES ($1, 'payment', $2, $3) ON CONFLICT ("document_id") DO NOTHING`,
      [p.paymentId, p.customerId, JSON.stringify(p)],
    );
    const rows = await manager.query<Array<{ saga_id: string }>>(
      `SELECT "saga_id" FROM "q2c"."sagas" WHERE "data"->'invoices' @> $1::jsonb ORDER BY "saga_id" LIMIT 1`,
      [JSON.stringify([{ documentId: p.invoiceId }])],
    );
    const sagaId = rows.at(0)?.saga_id;
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
