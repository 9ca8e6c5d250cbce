import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  invoiceLinesSql,
  SIGMA_LINE_COLUMNS,
  sigmaLineReader,
  sigmaSeconds,
  sigmaTimestamp,
  toLineView,
} from './invoice-lines';

const at = (iso: string) => Date.parse(`${iso}Z`) / 1000;

function invoice(fields: { finalizedAt: number | null; created: number }): Stripe.Invoice {
  return {
    id: 'in_1',
    customer: 'cus_1',
    created: fields.created,
    status_transitions: { finalized_at: fields.finalizedAt },
  } as unknown as Stripe.Invoice;
}

function line(fields: {
  id: string;
  amount: number;
  description: string | null;
  taxes: number[];
  proration: boolean | null;
  price: string | null;
  quantity: number | null;
  start: number;
  end: number;
}): Stripe.InvoiceLineItem {
  return {
    id: fields.id,
    amount: fields.amount,
    currency: 'eur',
    description: fields.description,
    taxes: fields.taxes.map((amount) => ({ amount })),
    parent:
      fields.proration === null
        ? null
        : {
            subscription_item_details: { proration: fields.proration },
            invoice_item_details: null,
          },
    pricing: fields.price ? { price_details: { price: fields.price } } : null,
    quantity: fields.quantity,
    period: { start: fields.start, end: fields.end },
  } as unknown as Stripe.InvoiceLineItem;
}

describe('invoice lines from Sigma', () => {
  it('asks for the non-draft invoices created in [gte, lt), bounds as UTC timestamps', () => {
    const sql = invoiceLinesSql(at('2027-03-01T00:00:00'), at('2027-04-01T00:00:00'));
    expect(sql).toContain("where i.date >= timestamp '2027-03-01 00:00:00'");
    expect(sql).toContain("and i.date < timestamp '2027-04-01 00:00:00'");
    expect(sql).toContain("and i.status <> 'draft'");
    expect(sql).toContain('from invoice_line_items l join invoices i on l.invoice_id = i.id');
    expect(sql.slice(7, sql.indexOf(' from '))).toBe(
      'l.invoice_id, i.date, l.id, i.customer_id, l.description, l.amount, l.currency, l.total_exclusive_tax, ' +
        'l.proration, l.price_id, l.quantity, l.period_start, l.period_end, i.status_transitions_finalized_at',
    );
    // Fields asked for: their columns only, besides the invoice and its creation time.
    const narrow = invoiceLinesSql(at('2027-03-01T00:00:00'), at('2027-04-01T00:00:00'), [
      'taxMinor',
      'issuedOn',
    ]);
    expect(narrow.slice(7, narrow.indexOf(' from '))).toBe(
      'l.invoice_id, i.date, l.total_exclusive_tax, i.status_transitions_finalized_at',
    );
  });

  it('reads and writes Sigma timestamps in UTC', () => {
    expect(sigmaTimestamp(at('2027-03-05T07:08:09'))).toBe('2027-03-05 07:08:09');
    expect(sigmaSeconds('2027-03-05 07:08:09.000')).toBe(at('2027-03-05T07:08:09'));
    expect(sigmaSeconds('2027-03-05 07:08:09.999')).toBe(at('2027-03-05T07:08:09'));
    expect(() => sigmaSeconds('')).toThrow(/not a timestamp/);
  });

  it('makes of each row the very view the list API makes of the same line', () => {
    // The columns in another order than the query's: the reader goes by the header.
    const header = [...SIGMA_LINE_COLUMNS].reverse();
    const read = sigmaLineReader(header);
    const row = (cells: Record<(typeof SIGMA_LINE_COLUMNS)[number], string>) => header.map((c) => cells[c]);
    const finalised = invoice({ finalizedAt: at('2027-03-02T23:59:59'), created: at('2027-03-01T10:00:00') });
    const draftDay = invoice({ finalizedAt: null, created: at('2027-03-01T10:00:00') });
    const cases: Array<
      [Stripe.Invoice, Stripe.InvoiceLineItem, Record<(typeof SIGMA_LINE_COLUMNS)[number], string>]
    > = [
      [
        finalised,
        line({
          id: 'il_tax',
          amount: 120000,
          description: 'Seat, "annual"\nplan',
          taxes: [1900, 100],
          proration: false,
          price: 'price_1',
          quantity: 3,
          start: at('2027-03-01T00:00:00'),
          end: at('2028-03-01T00:00:00'),
        }),
        {
          invoice_id: 'in_1',
          id: 'il_tax',
          customer_id: 'cus_1',
          description: 'Seat, "annual"\nplan',
          amount: '120000',
          total_exclusive_tax: '2000',
          currency: 'eur',
          proration: 'false',
          price_id: 'price_1',
          quantity: '3',
          period_start: '2027-03-01 00:00:00.000',
          period_end: '2028-03-01 00:00:00.000',
          status_transitions_finalized_at: '2027-03-02 23:59:59.000',
          date: '2027-03-01 10:00:00.000',
        },
      ],
      [
        draftDay,
        line({
          id: 'il_credit',
          amount: -5000,
          description: null,
          taxes: [],
          proration: true,
          price: null,
          quantity: null,
          start: at('2027-03-15T12:00:00'),
          end: at('2027-03-31T23:00:00'),
        }),
        {
          invoice_id: 'in_1',
          id: 'il_credit',
          customer_id: 'cus_1',
          description: '',
          amount: '-5000',
          total_exclusive_tax: '',
          currency: 'eur',
          proration: 'true',
          price_id: '',
          quantity: '',
          period_start: '2027-03-15 12:00:00.000',
          period_end: '2027-03-31 23:00:00.000',
          status_transitions_finalized_at: '',
          date: '2027-03-01 10:00:00.000',
        },
      ],
      [
        draftDay,
        line({
          id: 'il_item',
          amount: 0,
          description: 'One-off',
          taxes: [0],
          proration: null,
          price: 'price_2',
          quantity: 1,
          start: at('2027-03-01T10:00:00'),
          end: at('2027-03-01T10:00:00'),
        }),
        {
          invoice_id: 'in_1',
          id: 'il_item',
          customer_id: 'cus_1',
          description: 'One-off',
          amount: '0',
          total_exclusive_tax: '0',
          currency: 'eur',
          proration: 'false',
          price_id: 'price_2',
          quantity: '1',
          period_start: '2027-03-01 10:00:00.000',
          period_end: '2027-03-01 10:00:00.000',
          status_transitions_finalized_at: '',
          date: '2027-03-01 10:00:00.000',
        },
      ],
    ];
    for (const [inv, apiLine, cells] of cases) expect(read(row(cells))).toEqual(toLineView(inv, apiLine));
    expect(read(row(cases[0][2]))).toEqual({
      invoiceId: 'in_1',
      lineId: 'il_tax',
      customerId: 'cus_1',
      description: 'Seat, "annual"\nplan',
      amount: { amountMinor: '120000', currency: 'EUR' },
      taxMinor: '2000',
      proration: false,
      priceId: 'price_1',
      quantity: 3,
      periodStart: '2027-03-01',
      periodEnd: '2028-03-01',
      issuedOn: '2027-03-02',
    });
  });

  it('refuses a result without a column it needs, and a cell that is not what its column holds', () => {
    expect(() => sigmaLineReader(SIGMA_LINE_COLUMNS.filter((c) => c !== 'date'))).toThrow(/no date column/);
    const read = sigmaLineReader(SIGMA_LINE_COLUMNS);
    const good = [
      'in_1',
      'il_1',
      'cus_1',
      'Seat',
      '100',
      '0',
      'usd',
      'false',
      'price_1',
      '1',
      '2027-03-01 00:00:00.000',
      '2027-04-01 00:00:00.000',
      '',
      '2027-03-01 00:00:00.000',
    ];
    expect(read(good).amount).toEqual({ amountMinor: '100', currency: 'USD' });
    expect(() => read(good.map((c, i) => (i === 4 ? '1.5' : c)))).toThrow(/amount is not an integer/);
    expect(() => read(good.map((c, i) => (i === 10 ? '' : c)))).toThrow(/period_start is not a timestamp/);
  });
});
