import type { InvoiceLineView } from '@revline/billing-port';
import type Stripe from 'stripe';
import { idOf, isoDay, money } from './stripe-keys';

/** An invoice line as the port carries it, from the invoice and the line the list API answers. */
export function toLineView(invoice: Stripe.Invoice, line: Stripe.InvoiceLineItem): InvoiceLineView {
  const details = line.parent?.subscription_item_details ?? line.parent?.invoice_item_details;
  return {
    invoiceId: invoice.id,
    lineId: line.id,
    customerId: idOf(invoice.customer) ?? '',
    description: line.description ?? '',
    amount: money(line.amount, line.currency),
    taxMinor: String((line.taxes ?? []).reduce((sum, t) => sum + t.amount, 0)),
    proration: details?.proration ?? false,
    priceId: idOf(line.pricing?.price_details?.price) ?? null,
    quantity: line.quantity,
    periodStart: isoDay(line.period.start),
    periodEnd: isoDay(line.period.end),
    issuedOn: isoDay(invoice.status_transitions.finalized_at ?? invoice.created),
  };
}

/** A Unix time as a Sigma (Presto) timestamp literal's text, UTC: `YYYY-MM-DD HH:MM:SS`. */
export function sigmaTimestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

/** A Sigma CSV timestamp (`YYYY-MM-DD HH:MM:SS[.fff]`, UTC) in whole Unix seconds. */
export function sigmaSeconds(cell: string): number {
  const ms = Date.parse(`${cell.slice(0, 19).replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw new Error(`Sigma: not a timestamp: ${JSON.stringify(cell)}`);
  return Math.floor(ms / 1000);
}

/** The columns the invoice-line query answers, in its order (a result is read by these names, not positions). */
export const SIGMA_LINE_COLUMNS = [
  'invoice_id',
  'id',
  'customer_id',
  'description',
  'amount',
  'tax_amount',
  'currency',
  'proration',
  'price_id',
  'quantity',
  'period_start',
  'period_end',
  'finalized_at',
  'created',
] as const;

/**
 * The Sigma query of every line of the invoices created in [gte, lt) that are not drafts: the same invoices, and
 * the same figures, the list API's export reads (`tax_amount` is the sum of the line's taxes).
 */
export function invoiceLinesSql(gte: number, lt: number): string {
  return (
    'select l.invoice_id, l.id, i.customer_id, l.description, l.amount, l.tax_amount, l.currency, l.proration, ' +
    'l.price_id, l.quantity, l.period_start, l.period_end, i.finalized_at, i.created ' +
    'from invoice_line_items l join invoices i on l.invoice_id = i.id ' +
    `where i.created >= timestamp '${sigmaTimestamp(gte)}' and i.created < timestamp '${sigmaTimestamp(lt)}' ` +
    "and i.status <> 'draft'"
  );
}

const INTEGER = /^-?\d+$/;

function integer(cell: string, column: string): number {
  if (!INTEGER.test(cell)) throw new Error(`Sigma: ${column} is not an integer: ${JSON.stringify(cell)}`);
  return Number(cell);
}

/** The UTC day of a Sigma timestamp: its first ten characters. */
function day(cell: string, column: string): string {
  if (cell.length < 10 || cell.charCodeAt(4) !== 45 || cell.charCodeAt(7) !== 45)
    throw new Error(`Sigma: ${column} is not a timestamp: ${JSON.stringify(cell)}`);
  return cell.slice(0, 10);
}

/**
 * Reads the rows of the invoice-line query's CSV (its header row given) as the very InvoiceLineView `toLineView`
 * makes of the same line from the list API: null cells are empty, so an empty description is '', an empty price
 * null, an empty tax '0'; the line is issued on its invoice's finalisation day, else its creation day. Throws when
 * a column is missing or a cell is not what the column holds.
 */
export function sigmaLineReader(header: readonly string[]): (row: readonly string[]) => InvoiceLineView {
  const at = Object.fromEntries(
    SIGMA_LINE_COLUMNS.map((name) => {
      const index = header.indexOf(name);
      if (index === -1) throw new Error(`Sigma: the invoice-line result has no ${name} column`);
      return [name, index];
    }),
  ) as Record<(typeof SIGMA_LINE_COLUMNS)[number], number>;
  return (row) => {
    const cell = (name: (typeof SIGMA_LINE_COLUMNS)[number]) => row[at[name]] ?? '';
    const price = cell('price_id');
    const quantity = cell('quantity');
    const tax = cell('tax_amount');
    const finalized = cell('finalized_at');
    return {
      invoiceId: cell('invoice_id'),
      lineId: cell('id'),
      customerId: cell('customer_id'),
      description: cell('description'),
      amount: money(integer(cell('amount'), 'amount'), cell('currency')),
      taxMinor: tax === '' ? '0' : String(integer(tax, 'tax_amount')),
      proration: cell('proration') === 'true',
      priceId: price === '' ? null : price,
      quantity: quantity === '' ? null : integer(quantity, 'quantity'),
      periodStart: day(cell('period_start'), 'period_start'),
      periodEnd: day(cell('period_end'), 'period_end'),
      issuedOn: finalized === '' ? day(cell('created'), 'created') : day(finalized, 'finalized_at'),
    };
  };
}
