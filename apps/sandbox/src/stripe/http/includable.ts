import type { Invoice } from '../state/types';

/** How many lines an invoice shows inline; the rest are read from `/v1/invoices/:id/lines`, as on Stripe. */
export const EMBEDDED_LINES = 10;

/** An invoice as Stripe answers it: `payments` is an includable field, present only when expanded by name. */
export type InvoiceAnswer = Omit<Invoice, 'payments'> & { payments?: Invoice['payments'] };

/**
 * An invoice as Stripe shows it: its first handful of lines (with `has_more` and `total_count` telling of the
 * rest), and without the includable fields nobody asked for (`expand[]=payments` asks for its payments).
 */
export function invoiceAnswer(invoice: Invoice, paths: readonly string[]): InvoiceAnswer {
  // Built without `delete`, which would leave the answer a slow dictionary object to serialise.
  const { payments, ...rest } = invoice;
  const lines = {
    ...invoice.lines,
    data: invoice.lines.data.slice(0, EMBEDDED_LINES),
    has_more: invoice.lines.data.length > EMBEDDED_LINES,
  };
  return paths.includes('payments') ? { ...rest, lines, payments } : { ...rest, lines };
}

/** An object as an event carries it: an invoice as an unexpanded answer shows it. */
export function eventObject(object: Record<string, unknown>): object {
  return object.object === 'invoice' ? invoiceAnswer(object as unknown as Invoice, []) : object;
}
