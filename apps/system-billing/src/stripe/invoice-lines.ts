import type { InvoiceLineField, InvoiceLineView } from '@revline/billing-port';
import { INVOICE_LINE_FIELDS } from '@revline/billing-port';
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

/**
 * The columns the invoice-line query answers, named as Sigma's published schema names them (`invoices.date` is
 * the invoice's creation time, `status_transitions_finalized_at` its finalisation, a line's `total_exclusive_tax`
 * the tax added on top of it); a result is read by these names, not positions.
 */
export const SIGMA_LINE_COLUMNS = [
  'invoice_id',
  'id',
  'customer_id',
  'description',
  'amount',
  'total_exclusive_tax',
  'currency',
  'proration',
  'price_id',
  'quantity',
  'period_start',
  'period_end',
  'status_transitions_finalized_at',
  'date',
] as const;

/** The Sigma columns each field is read from. */
const SIGMA_SOURCES: Record<InvoiceLineField, readonly string[]> = {
  invoiceId: ['l.invoice_id'],
  lineId: ['l.id'],
  customerId: ['i.customer_id'],
  description: ['l.description'],
  amountMinor: ['l.amount', 'l.currency'],
  taxMinor: ['l.total_exclusive_tax'],
  currency: ['l.currency'],
  proration: ['l.proration'],
  priceId: ['l.price_id'],
  quantity: ['l.quantity'],
  periodStart: ['l.period_start'],
  periodEnd: ['l.period_end'],
  issuedOn: ['i.status_transitions_finalized_at', 'i.date'],
};

/**
 * The Sigma query of every line of the invoices created in [gte, lt) that are not drafts: the same invoices, and
 * the same figures, the list API's export reads, but for tax: Sigma's `total_exclusive_tax` is the tax added on
 * top of a line, where the list's is the sum of every tax of the line (a tax-inclusive price's included). It
 * selects the columns of the fields asked for, and always the invoice and its creation time (`date`; the export
 * skips by them).
 */
export function invoiceLinesSql(
  gte: number,
  lt: number,
  fields: readonly InvoiceLineField[] = INVOICE_LINE_FIELDS,
): string {
  const columns = new Set(['l.invoice_id', 'i.date', ...fields.flatMap((field) => SIGMA_SOURCES[field])]);
  return (
    `select ${[...columns].join(', ')} ` +
    'from invoice_line_items l join invoices i on l.invoice_id = i.id ' +
    `where i.date >= timestamp '${sigmaTimestamp(gte)}' and i.date < timestamp '${sigmaTimestamp(lt)}' ` +
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
 * null, an empty tax '0'; the line is issued on its invoice's finalisation day, else its creation day. A column the
 * query did not select leaves its field empty ('', 0, null or false). Throws when the invoice or its creation time
 * is missing, or a cell is not what its column holds.
 */
export function sigmaLineReader(header: readonly string[]): (row: readonly string[]) => InvoiceLineView {
  const at = Object.fromEntries(SIGMA_LINE_COLUMNS.map((name) => [name, header.indexOf(name)])) as Record<
    (typeof SIGMA_LINE_COLUMNS)[number],
    number
  >;
  for (const needed of ['invoice_id', 'date'] as const)
    if (at[needed] === -1) throw new Error(`Sigma: the invoice-line result has no ${needed} column`);
  const has = (name: (typeof SIGMA_LINE_COLUMNS)[number]) => at[name] !== -1;
  return (row) => {
    const cell = (name: (typeof SIGMA_LINE_COLUMNS)[number]) => row[at[name]] ?? '';
    const price = cell('price_id');
    const quantity = cell('quantity');
    const tax = cell('total_exclusive_tax');
    const finalized = cell('status_transitions_finalized_at');
    return {
      invoiceId: cell('invoice_id'),
      lineId: cell('id'),
      customerId: cell('customer_id'),
      description: cell('description'),
      amount: money(has('amount') ? integer(cell('amount'), 'amount') : 0, cell('currency')),
      taxMinor: tax === '' ? '0' : String(integer(tax, 'total_exclusive_tax')),
      proration: cell('proration') === 'true',
      priceId: price === '' ? null : price,
      quantity: quantity === '' ? null : integer(quantity, 'quantity'),
      periodStart: has('period_start') ? day(cell('period_start'), 'period_start') : '',
      periodEnd: has('period_end') ? day(cell('period_end'), 'period_end') : '',
      issuedOn:
        finalized === '' ? day(cell('date'), 'date') : day(finalized, 'status_transitions_finalized_at'),
    };
  };
}
