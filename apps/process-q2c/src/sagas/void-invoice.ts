import { Injectable } from '@nestjs/common';
import type { BillingInvoiceVoidedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SagaCommands } from './saga-commands';
import { SagasConfig } from './sagas.config';
import { SagaStore } from './saga-store';
import { VoidedInvoices } from './voided-invoices.repository';

/**
 * An invoice the billing platform voided or marked uncollectible: what it asked for is owed no more. The ERP
 * reverses the invoice the saga posted with a credit memo made from it (`erp.void-invoice`, dated per
 * ERP_INVOICE_VOID_AS), and the Salesforce order shows the invoice's new status. The void is kept either way, so
 * reconciliation expects nothing standing in the ERP for it; a second status of the same invoice (void after
 * uncollectible) updates Salesforce and reverses nothing twice. An invoice no saga posted is kept and reported.
 */
@Injectable()
export class VoidInvoice {
  constructor(
    private readonly store: SagaStore,
    private readonly commands: SagaCommands,
    private readonly lineage: LineageRecorder,
    private readonly voids: VoidedInvoices,
    private readonly config: SagasConfig,
  ) {}

  async execute(manager: EntityManager, p: BillingInvoiceVoidedPayload): Promise<unknown> {
    const before = await this.voids.lock(manager, p.invoiceId);
    const rows = await manager.query<Array<{ saga_id: string }>>(
      `SELECT "saga_id" FROM "q2c"."sagas" WHERE "data"->'invoices' @> $1::jsonb ORDER BY "saga_id" LIMIT 1`,
      [JSON.stringify([{ documentId: p.invoiceId }])],
    );
    const sagaId = rows.at(0)?.saga_id;
    const saga = sagaId ? await this.store.lock(manager, sagaId) : null;
    const invoice = saga?.data.invoices.find((d) => d.documentId === p.invoiceId);
    // Asked for once: a later status of the same invoice keeps the reversal asked for first.
    const asked = before?.reversalExternalId != null;
    const reversal = asked
      ? { externalId: before.reversalExternalId, tranDate: before.reversalOn }
      : invoice
        ? {
            externalId: `VOID-${invoice.erpExternalId}`,
            tranDate: this.config.ERP_INVOICE_VOID_AS === 'void' ? invoice.issuedOn : p.voidedOn,
          }
        : { externalId: null, tranDate: null };
    await this.voids.save(manager, {
      invoiceId: p.invoiceId,
      status: p.status,
      customerId: p.customerId,
      totalMinor: p.total.amountMinor,
      currency: p.total.currency,
      voidedOn: before?.voidedOn ?? p.voidedOn,
      sagaId: saga?.sagaId ?? null,
      reversalExternalId: reversal.externalId,
      reversalOn: reversal.tranDate,
    });
    await this.lineage.record(
      {
        contractId: saga?.contractId ?? null,
        system: 'billing',
        objectType: 'Invoice',
        externalId: p.invoiceId,
        status: p.status,
        ...(saga ? { correlationId: saga.correlationId } : {}),
        detail: `${p.total.amountMinor} ${p.total.currency} on ${p.voidedOn}`,
      },
      manager,
    );
    if (!saga || !invoice) return { kept: p.invoiceId, reason: `no saga posted invoice ${p.invoiceId}` };
    if (!asked && reversal.externalId && reversal.tranDate)
      await this.commands.send(
        manager,
        saga,
        'erp.void-invoice',
        {
          invoiceExternalId: invoice.erpExternalId,
          externalId: reversal.externalId,
          tranDate: reversal.tranDate,
          contractId: saga.contractId,
          memo: `Reverses ${invoice.erpExternalId}: ${p.status} in billing on ${p.voidedOn}`,
        },
        { key: `void:${p.invoiceId}:erp`, externalId: reversal.externalId, awaited: false },
      );
    await this.commands.send(
      manager,
      saga,
      'crm.write-back',
      {
        objectType: 'Order',
        recordId: saga.data.salesforceOrderId,
        fields: { lastSyncedAt: new Date().toISOString() },
        invoices: [
          {
            invoiceId: invoice.documentId,
            number: invoice.number,
            amount: invoice.total,
            issuedOn: invoice.issuedOn,
            status: p.status,
          },
        ],
      },
      {
        key: `void:${p.invoiceId}:${p.status}:write-back`,
        externalId: saga.data.salesforceOrderId,
        awaited: false,
      },
    );
    return { sagaId: saga.sagaId };
  }
}
