import { INVOICE_LINE_FIELDS } from '@revline/billing-port';
import { describe, expect, it } from 'vitest';
import { StripeGenerateController } from '../../../apps/sandbox/src/stripe/generate/generate.controller';
import { sigmaResult } from '../../../apps/sandbox/src/stripe/sigma/sigma-engine';
import { parseSigmaSql } from '../../../apps/sandbox/src/stripe/sigma/sigma-sql';
import { sigmaTables } from '../../../apps/sandbox/src/stripe/sigma/sigma-tables';
import { StripeStore } from '../../../apps/sandbox/src/stripe/state/store';
import { invoiceLinesSql, SIGMA_LINE_COLUMNS } from '../../../apps/system-billing/src/stripe/invoice-lines';

/**
 * The columns of Stripe Sigma's published schema that Revline's invoice-line query reads, written down once from
 * Sigma's schema (the `invoices` and `invoice_line_items` tables of the Billing section): an invoice's creation
 * time is `date`, its finalisation `status_transitions_finalized_at`; a line's tax added on top of it is
 * `total_exclusive_tax`. Sigma has no `invoices.created`, `invoices.finalized_at` nor `invoice_line_items.tax_amount`.
 */
const SIGMA_SCHEMA: Readonly<Record<string, readonly string[]>> = {
  invoices: ['id', 'customer_id', 'date', 'status', 'status_transitions_finalized_at'],
  invoice_line_items: [
    'id',
    'invoice_id',
    'amount',
    'currency',
    'description',
    'period_start',
    'period_end',
    'price_id',
    'proration',
    'quantity',
    'total_exclusive_tax',
  ],
};
/** The API's names the query once used, which Sigma does not have: [table, column]. */
const NOT_IN_SIGMA: ReadonlyArray<readonly [string, string]> = [
  ['invoices', 'created'],
  ['invoices', 'finalized_at'],
  ['invoice_line_items', 'tax_amount'],
];
const ALIAS: Readonly<Record<string, string>> = { i: 'invoices', l: 'invoice_line_items' };

/** Every column a query names, as [table, column]. */
const namedColumns = (sql: string): Array<[string, string]> =>
  [...new Set(sql.match(/\b[il]\.[a-z_]+/g) ?? [])].map((named) => {
    const [alias, column] = named.split('.') as [string, string];
    return [ALIAS[alias], column];
  });

const at = (iso: string) => Date.parse(iso) / 1000;

describe("the Sigma invoice-line query, against Sigma's published schema", () => {
  const sql = invoiceLinesSql(at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'), INVOICE_LINE_FIELDS);

  it('names only columns Sigma has', () => {
    const named = namedColumns(sql);
    expect(named.length).toBeGreaterThan(10);
    for (const [table, column] of named) expect(SIGMA_SCHEMA[table], `${table}.${column}`).toContain(column);
    for (const old of NOT_IN_SIGMA) expect(named).not.toContainEqual(old);
    // The reader goes by the same names.
    for (const name of SIGMA_LINE_COLUMNS) expect(Object.values(SIGMA_SCHEMA).flat(), name).toContain(name);
  });

  it("runs on the sandbox's Sigma, which has those columns and refuses the names Sigma lacks", () => {
    const store = new StripeStore();
    new StripeGenerateController(store).generate({
      invoices: 3,
      linesPerInvoice: 2,
      seed: 'contract',
      createdFrom: at('2026-03-02T00:00:00Z'),
      spacingSeconds: 86_400,
    });
    const tables = sigmaTables(store);
    for (const [table, columns] of Object.entries(SIGMA_SCHEMA))
      expect(Object.keys(tables[table].columns), table).toEqual(expect.arrayContaining([...columns]));
    const csv = [...sigmaResult(parseSigmaSql(sql), tables, at('2026-05-01T00:00:00Z'))].join('');
    expect(csv.trimEnd().split('\n')).toHaveLength(1 + 3 * 2);
    for (const [table, column] of NOT_IN_SIGMA) {
      const query = `select ${column} from ${table}`;
      expect(() => [...sigmaResult(parseSigmaSql(query), tables, 0)], query).toThrow(
        `Column '${column}' cannot be resolved`,
      );
    }
  });
});
