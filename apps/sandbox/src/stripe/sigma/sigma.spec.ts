import { describe, expect, it } from 'vitest';
import { StripeGenerateController } from '../generate/generate.controller';
import { StripeStore } from '../state/store';
import { formatTimestamp, sigmaResult } from './sigma-engine';
import { parseSigmaSql, SigmaSqlError } from './sigma-sql';
import { sigmaTables } from './sigma-tables';

const MARCH = Date.UTC(2026, 2, 1) / 1000;
const LOADED = Date.UTC(2026, 10, 27, 12) / 1000;

/** A store with `n` generated paid invoices of 2 lines, a day apart from 1 March 2026 (the bench's generator). */
function storeWith(n: number): StripeStore {
  const store = new StripeStore();
  new StripeGenerateController(store).generate({
    invoices: n,
    linesPerInvoice: 2,
    seed: 't',
    createdFrom: MARCH,
    spacingSeconds: 86_400,
  });
  return store;
}

const run = (store: StripeStore, sql: string, chunkRows?: number): string =>
  [...sigmaResult(parseSigmaSql(sql), sigmaTables(store), LOADED, chunkRows)].join('');

describe("the sandbox's Sigma SQL", () => {
  it('joins lines to their invoices, filters on the joined table, and writes CSV as Sigma result files do', () => {
    const store = storeWith(40);
    const invoice = store.invoices.get('in_t_0000001');
    if (!invoice) throw new Error('generated invoice missing');
    invoice.lines.data[0].description = 'Seat, "premium"';
    const csv = run(
      store,
      `select l.invoice_id, l.id as line_id, i.customer_id, l.description, l.amount, l.proration, l.period_start,
              i.status_transitions_finalized_at
         from invoice_line_items l join invoices i on l.invoice_id = i.id
        where i.date >= timestamp '2026-03-02 00:00:00' and i.date < timestamp '2026-03-04 00:00:00'
          and i.status <> 'draft'`,
    );
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'invoice_id,line_id,customer_id,description,amount,proration,period_start,status_transitions_finalized_at',
    );
    expect(lines).toHaveLength(1 + 2 * 2);
    expect(lines[1]).toBe(
      `in_t_0000001,il_t_0000001_0,cus_t_0000001,"Seat, ""premium""",${String(invoice.lines.data[0].amount)},false,2026-03-02 00:00:00.000,2026-03-02 00:00:00.000`,
    );
    expect(lines.slice(1).every((line) => /^in_t_000000[12],/.test(line))).toBe(true);
  });

  it("answers a join the same from either side (by the lines' index on invoice_id, or by hashing)", () => {
    const store = storeWith(25);
    const where =
      "where i.date >= timestamp '2026-03-05 00:00:00' and i.date < timestamp '2026-03-12 00:00:00'";
    const sorted = (csv: string) => csv.trimEnd().split('\n').slice(1).sort();
    const indexed = sorted(
      run(
        store,
        `select l.id, i.customer_id from invoice_line_items l join invoices i on l.invoice_id = i.id ${where}`,
      ),
    );
    const hashed = sorted(
      run(
        store,
        `select l.id, i.customer_id from invoices i join invoice_line_items l on i.id = l.invoice_id ${where}`,
      ),
    );
    expect(indexed).toHaveLength(7 * 2);
    expect(hashed).toEqual(indexed);
  });

  it('answers data_load_time alone, and compares timestamps with it', () => {
    const store = storeWith(3);
    expect(run(store, 'select data_load_time')).toBe(`data_load_time\n${formatTimestamp(LOADED)}\n`);
    expect(
      run(store, 'select id from invoices where date < data_load_time').trimEnd().split('\n'),
    ).toHaveLength(4);
    expect(run(store, "SELECT id FROM invoices WHERE status = 'void'")).toBe('id\n');
  });

  it('writes a large result in chunks of whole rows', () => {
    const chunks = [
      ...sigmaResult(
        parseSigmaSql('select id, amount from invoice_line_items'),
        sigmaTables(storeWith(30)),
        LOADED,
        7,
      ),
    ];
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.toString().endsWith('\n'))).toBe(true);
    expect(chunks.join('').trimEnd().split('\n')).toHaveLength(61);
  });

  it.each([
    ['select id from charges', "Table 'charges' does not exist"],
    ['select nope from invoices', "Column 'nope' cannot be resolved"],
    [
      'select id from invoice_line_items l join invoices i on l.invoice_id = i.id',
      "Column 'id' is ambiguous",
    ],
    ["select id from invoices where date >= '2026-03-01'", 'Cannot compare date (timestamp) with a string'],
    ["select id from invoices where date >= timestamp 'March'", "Invalid timestamp literal 'March'"],
    // Names Sigma's schema does not have (the API's, not Sigma's).
    ['select created from invoices', "Column 'created' cannot be resolved"],
    ['select finalized_at from invoices', "Column 'finalized_at' cannot be resolved"],
    ['select tax_amount from invoice_line_items', "Column 'tax_amount' cannot be resolved"],
    ['select id from invoices group by id', "does not run: 'group'"],
    ['select id', 'Columns can only be selected FROM a table'],
    ['delete from invoices', "Expected SELECT but found 'delete'"],
    ["select id 'from' invoices", "does not run: 'from'"],
    ["select id from invoices where status '=' 'paid'", "Expected a comparison but found '='"],
    ["select 'data_load_time'", "Expected a name but found 'data_load_time'"],
    ['select id from invoices as where id = 1', "Expected a name but found 'where'"],
  ])('refuses %s', (sql, message) => {
    expect(() => run(storeWith(1), sql)).toThrow(SigmaSqlError);
    expect(() => run(storeWith(1), sql)).toThrow(message);
  });
});
