import type { CreditNote, Invoice } from '../state/types';

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

/**
 * A credit note as Stripe shows it: its lines are a list like an invoice's, the first handful inline (with
 * `has_more` and `total_count`), the rest read from `/v1/credit_notes/:id/lines`.
 */
export function creditNoteAnswer(note: CreditNote): CreditNote {
  const all = note.lines.data;
  if (all.length <= EMBEDDED_LINES && note.lines.total_count === all.length) return note;
  return {
    ...note,
    lines: {
      ...note.lines,
      data: all.slice(0, EMBEDDED_LINES),
      has_more: all.length > EMBEDDED_LINES,
      total_count: all.length,
    },
  };
}

/** An object as an event carries it: an invoice or a credit note as an unexpanded answer shows it. */
export function eventObject(object: Record<string, unknown>): object {
  if (object.object === 'invoice') return invoiceAnswer(object as unknown as Invoice, []);
  if (object.object === 'credit_note') return creditNoteAnswer(object as unknown as CreditNote);
  return object;
}
