import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../../lineage/lineage-recorder';
import { BillingDocumentsRepository } from '../billing-documents.repository';
import { servicePeriodOf } from '../erp-plan';
import type { SagaEntity } from '../saga.entity';

const TAKEN = {
  invoice: { objectType: 'Invoice', erpPrefix: 'INV', list: 'invoices' },
  credit_note: { objectType: 'CreditNote', erpPrefix: 'CM', list: 'creditNotes' },
} as const;

/** A billing document a saga takes in: tied to the saga, recorded in its lineage and among its documents. */
@Injectable()
export class BillingDocumentClaims {
  constructor(
    private readonly documents: BillingDocumentsRepository,
    private readonly lineage: LineageRecorder,
  ) {}

  async take(
    manager: EntityManager,
    saga: SagaEntity,
    doc: BillingDocumentPayload,
    kind: keyof typeof TAKEN,
  ): Promise<void> {
    const taken = TAKEN[kind];
    await this.documents.claim(manager, doc.documentId, saga.sagaId);
    await this.lineage.record(
      {
        contractId: saga.contractId,
        system: 'billing',
        objectType: taken.objectType,
        externalId: doc.documentId,
        status: 'issued',
        correlationId: saga.correlationId,
        detail: `${doc.total.amountMinor} ${doc.total.currency}`,
      },
      manager,
    );
    const list = saga.data[taken.list];
    if (list.some((d) => d.documentId === doc.documentId)) return;
    list.push({
      documentId: doc.documentId,
      number: doc.number ?? null,
      total: doc.total,
      tax: doc.tax,
      issuedOn: doc.issuedOn,
      ...servicePeriodOf(doc),
      erpExternalId: `${taken.erpPrefix}-${doc.documentId}`,
    });
  }
}
