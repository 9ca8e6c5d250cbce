import type { StripeStore } from '../state/store';
import type { Invoice, InvoiceLine } from '../state/types';

export type ColumnType = 'string' | 'integer' | 'boolean' | 'timestamp';
export type Value = string | number | boolean | null;

/** A column: its type (how it compares and how the result file writes it) and how to read it off a stored object. */
export interface Column<T> {
  type: ColumnType;
  get: (row: T) => Value;
}

/** A Sigma table over the store: its columns, and its rows as the stored objects themselves (read lazily). */
export interface Table<T = never> {
  columns: Readonly<Record<string, Column<T>>>;
  rows: () => Iterable<T>;
  /** Rows found by a column's value without a scan (as a database's index would), for the columns that have one. */
  index?: Readonly<Record<string, (key: Value) => readonly T[]>>;
}

const lineDetails = (line: InvoiceLine) =>
  line.parent.subscription_item_details ?? line.parent.invoice_item_details;

const invoices: (store: StripeStore) => Table<Invoice> = (store) => ({
  columns: {
    id: { type: 'string', get: (i) => i.id },
    customer_id: { type: 'string', get: (i) => i.customer },
    subscription_id: { type: 'string', get: (i) => i.parent?.subscription_details.subscription ?? null },
    status: { type: 'string', get: (i) => i.status },
    currency: { type: 'string', get: (i) => i.currency },
    number: { type: 'string', get: (i) => i.number },
    // Sigma names an invoice's creation time `date`, and its status transitions by their path.
    date: { type: 'timestamp', get: (i) => i.created },
    status_transitions_finalized_at: { type: 'timestamp', get: (i) => i.status_transitions.finalized_at },
    status_transitions_paid_at: { type: 'timestamp', get: (i) => i.status_transitions.paid_at },
    status_transitions_voided_at: { type: 'timestamp', get: (i) => i.status_transitions.voided_at },
    subtotal: { type: 'integer', get: (i) => i.subtotal },
    total: { type: 'integer', get: (i) => i.total },
    tax: { type: 'integer', get: (i) => i.total - i.total_excluding_tax },
    amount_due: { type: 'integer', get: (i) => i.amount_due },
    amount_paid: { type: 'integer', get: (i) => i.amount_paid },
  },
  rows: () => store.invoices.values(),
});

function* allLines(store: StripeStore): Iterable<InvoiceLine> {
  for (const invoice of store.invoices.values()) yield* invoice.lines.data;
}

const invoiceLineItems: (store: StripeStore) => Table<InvoiceLine> = (store) => ({
  columns: {
    id: { type: 'string', get: (l) => l.id },
    invoice_id: { type: 'string', get: (l) => l.invoice },
    amount: { type: 'integer', get: (l) => l.amount },
    currency: { type: 'string', get: (l) => l.currency },
    description: { type: 'string', get: (l) => l.description },
    period_start: { type: 'timestamp', get: (l) => l.period.start },
    period_end: { type: 'timestamp', get: (l) => l.period.end },
    price_id: { type: 'string', get: (l) => l.pricing?.price_details.price ?? null },
    proration: { type: 'boolean', get: (l) => lineDetails(l)?.proration ?? false },
    quantity: { type: 'integer', get: (l) => l.quantity },
    subscription_id: { type: 'string', get: (l) => l.subscription },
    subscription_item_id: {
      type: 'string',
      get: (l) => l.parent.subscription_item_details?.subscription_item ?? null,
    },
    // The tax added on top of the line (a tax-inclusive price's tax is in `amount`).
    total_exclusive_tax: {
      type: 'integer',
      get: (l) =>
        (l.taxes as Array<{ amount: number; tax_behavior?: string }>)
          .filter((t) => t.tax_behavior !== 'inclusive')
          .reduce((sum, t) => sum + t.amount, 0),
    },
  },
  rows: () => allLines(store),
  index: { invoice_id: (id) => (typeof id === 'string' ? (store.invoices.get(id)?.lines.data ?? []) : []) },
});

/**
 * The tables the sandbox's Sigma has, named and shaped as Sigma's published schema names them (`invoices.date`,
 * not `created`; `status_transitions_finalized_at`, not `finalized_at`; a line's `total_exclusive_tax`): a column
 * Sigma does not have fails the query, as on Stripe.
 */
export function sigmaTables(store: StripeStore): Record<string, Table<unknown>> {
  return {
    invoices: invoices(store) as unknown as Table<unknown>,
    invoice_line_items: invoiceLineItems(store) as unknown as Table<unknown>,
  };
}
