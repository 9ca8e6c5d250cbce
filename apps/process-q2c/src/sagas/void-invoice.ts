import { Injectable } from '@nestjs/common';
import type { BillingInvoiceVoidedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ContractAssetPlanner } from './contract-asset/contract-asset.planner';
import type { SagaEntity } from './saga.entity';
import { invoiceStatusWriteBack } from './invoice-status-write-back';
import { SagaCommands } from './saga-commands';
import { SagasConfig } from '../shared/sagas.config';
import { SagaStore } from './saga-store';
import type { PostedInvoice } from './voided-invoices.repository';
import { VoidedInvoices } from './voided-invoices.repository';

/**
 * An invoice the billing platform voided or marked uncollectible: what it asked for is owed no more. Each ERP
 * invoice Revline posted for it (the saga's, or a usage invoice's per contract) is reversed by a credit memo made
 * from it (`erp.void-invoice`, external id `VOID-` + the invoice's, dated per ERP_INVOICE_VOID_AS), and the
 * Salesforce order shows the invoice's new status. The void is kept either way, so reconciliation expects nothing
 * standing in the ERP for it; a later status of the same invoice (void after uncollectible) updates Salesforce and
 * reverses nothing twice. An invoice no saga took in is kept and reported. Right after a saga invoice's reversal,
 * the contract's unbilled receivable takes the revenue recognised ahead of the billing left (ContractAssetPlanner's
 * `afterVoid`), so the ERP's deferred revenue never goes negative.
 */
@Injectable()
export class VoidInvoice {
  constructor(
    private readonly store: SagaStore,
    private readonly commands: SagaCommands,
    private readonly lineage: LineageRecorder,
    private readonly voids: VoidedInvoices,
    private readonly config: SagasConfig,
    private readonly contractAsset: ContractAssetPlanner,
  ) {}

  /** `correlationId`: the event's, for the hop of an invoice no saga took in. */
  async execute(
    manager: EntityManager,
    p: BillingInvoiceVoidedPayload,
    correlationId: string,
  ): Promise<unknown> {
    const before = await this.voids.lock(manager, p.invoiceId);
    // Reversals are asked for once: a later status of the same invoice only moves Salesforce on.
    const asked = before !== null && before.reversalExternalId !== null;
    const posted = await this.voids.postedFor(manager, p.invoiceId);
    const dateOf = (invoice: PostedInvoice) =>
      this.config.ERP_INVOICE_VOID_AS === 'void' ? invoice.tranDate : p.voidedOn;
    const first = posted.at(0);
    await this.voids.save(manager, {
      invoiceId: p.invoiceId,
      status: p.status,
      customerId: p.customerId,
      totalMinor: p.total.amountMinor,
      currency: p.total.currency,
      voidedOn: before?.voidedOn ?? p.voidedOn,
      sagaId: before?.sagaId ?? first?.sagaId ?? null,
      reversalExternalId: asked ? before.reversalExternalId : first ? `VOID-${first.externalId}` : null,
      reversalOn: asked ? before.reversalOn : first ? dateOf(first) : null,
    });
    if (posted.length === 0) {
      await this.lineage.record(
        {
          contractId: null,
          system: 'billing',
          objectType: 'Invoice',
          externalId: p.invoiceId,
          status: p.status,
          correlationId,
          detail: `${p.total.amountMinor} ${p.total.currency} on ${p.voidedOn}; no saga took it in`,
        },
        manager,
      );
      return { kept: p.invoiceId, reason: `no saga took in invoice ${p.invoiceId}` };
    }
    const sagas = new Map<string, SagaEntity>();
    for (const sagaId of [...new Set(posted.map((i) => i.sagaId))].sort()) {
      const saga = await this.store.lock(manager, sagaId);
      if (saga) sagas.set(sagaId, saga);
    }
    for (const invoice of posted) {
      const saga = sagas.get(invoice.sagaId);
      if (!saga) continue;
      await this.lineage.record(
        {
          contractId: saga.contractId,
          system: 'billing',
          objectType: 'Invoice',
          externalId: p.invoiceId,
          status: p.status,
          correlationId: saga.correlationId,
          detail: `${p.total.amountMinor} ${p.total.currency} on ${p.voidedOn}`,
        },
        manager,
      );
      if (!asked) await this.reverse(manager, saga, invoice, dateOf(invoice), p);
      if (!asked && invoice.source === 'saga') await this.moveContractAsset(manager, saga, p.invoiceId);
      if (invoice.source === 'saga') await this.writeBack(manager, saga, p);
    }
    return { sagaIds: [...sagas.keys()] };
  }

  /**
   * An ERP invoice posted for a billing invoice voided before any saga took it in: the void is applied now (the
   * reversal is asked for, Salesforce shows the status), in the transaction that records the posting.
   */
  async afterInvoicePosted(
    manager: EntityManager,
    erpExternalId: string,
    correlationId: string,
  ): Promise<void> {
    const voided = await this.voids.unreversedFor(manager, erpExternalId);
    if (!voided) return;
    await this.execute(
      manager,
      {
        invoiceId: voided.invoiceId,
        customerId: voided.customerId,
        status: voided.status === 'uncollectible' ? 'uncollectible' : 'void',
        total: { amountMinor: voided.totalMinor, currency: voided.currency },
        voidedOn: voided.voidedOn,
        eventCreatedAt: new Date().toISOString(),
      },
      correlationId,
    );
  }

  private async reverse(
    manager: EntityManager,
    saga: SagaEntity,
    invoice: PostedInvoice,
    tranDate: string,
    p: BillingInvoiceVoidedPayload,
  ): Promise<void> {
    const externalId = `VOID-${invoice.externalId}`;
    await this.commands.send(
      manager,
      saga,
      'erp.void-invoice',
      {
        invoiceExternalId: invoice.externalId,
        externalId,
        tranDate,
        contractId: saga.contractId,
        memo: `Reverses ${invoice.externalId}: ${p.status} in billing on ${p.voidedOn}`,
      },
      { key: `void:${invoice.externalId}:erp`, externalId, awaited: false },
    );
  }

  /** The void's contract-asset journals, one command each (keys and external ids fixed by invoice and month). */
  private async moveContractAsset(
    manager: EntityManager,
    saga: SagaEntity,
    invoiceId: string,
  ): Promise<void> {
    for (const journal of await this.contractAsset.afterVoid(manager, saga.contractId, invoiceId)) {
      await this.commands.send(manager, saga, 'erp.post-revenue-journal', journal, {
        key: `void:${invoiceId}:${saga.contractId}:contract-asset:${journal.period}`,
        externalId: journal.externalId,
        awaited: false,
      });
    }
  }

  private async writeBack(
    manager: EntityManager,
    saga: SagaEntity,
    p: BillingInvoiceVoidedPayload,
  ): Promise<void> {
    const invoice = saga.data.invoices.find((d) => d.documentId === p.invoiceId);
    if (!invoice) return;
    await this.commands.send(
      manager,
      saga,
      'crm.write-back',
      invoiceStatusWriteBack(saga.data.salesforceOrderId, invoice, p.status),
      {
        key: `void:${p.invoiceId}:${p.status}:write-back`,
        externalId: saga.data.salesforceOrderId,
        awaited: false,
      },
    );
  }
}
