import type { CrmWriteBackPayload } from '@revline/messaging';
import type { SagaDocument } from './saga-data';

type InvoiceStatus = NonNullable<CrmWriteBackPayload['invoices']>[number]['status'];

/** The Order's write-back of one of its invoices in a new status (paid, void, uncollectible). */
export function invoiceStatusWriteBack(
  orderId: string,
  invoice: SagaDocument,
  status: InvoiceStatus,
): CrmWriteBackPayload {
  return {
    objectType: 'Order',
    recordId: orderId,
    fields: { lastSyncedAt: new Date().toISOString() },
    invoices: [
      {
        invoiceId: invoice.documentId,
        number: invoice.number,
        amount: invoice.total,
        issuedOn: invoice.issuedOn,
        status,
      },
    ],
  };
}
