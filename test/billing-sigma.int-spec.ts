import { BusinessError } from '@revline/messaging';
import { BillingPort } from '@revline/billing-port';
import type { InvoiceLineView } from '@revline/billing-port';
import type { TestApp } from '@revline/testing';
import { bearer, createTestApp, seedApiKey } from '@revline/testing';
import type Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APP } from '../apps/system-billing/src/app.info';
import { AppModule } from '../apps/system-billing/src/app.module';
import { StripeSigma } from '../apps/system-billing/src/stripe/stripe-sigma';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';

const DAY = 86_400;
const iso = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);
const sorted = (lines: InvoiceLineView[]) =>
  [...lines].sort((a, b) => (a.lineId < b.lineId ? -1 : a.lineId > b.lineId ? 1 : 0));

/**
 * The invoice-line export through Stripe Sigma (the opt-in, STRIPE_INVOICE_LINES_EXPORT=sigma) against the export
 * through the list API (the default), on the sandbox: a generated month and invoices made through the API (a
 * proration invoice, a draft that is left out, invoices created after Sigma's snapshot).
 */
describe('the invoice-line export through Sigma, against the list', () => {
  let env: BillingEnv;
  let stripe: Stripe;
  let sigmaApp: TestApp;
  let listApp: TestApp;
  let viewer: string;
  const today = Math.floor(Date.now() / 1000 / DAY) * DAY;
  const period = { from: iso(today - 28 * DAY), to: iso(today + 15 * DAY) };
  const made: Record<string, string> = {};

  beforeAll(async () => {
    env = await startBillingEnv({ STRIPE_SIGMA_POLL_MS: '20', STRIPE_INVOICE_LINES_EXPORT: 'sigma' });
    ({ stripe, billing: sigmaApp } = env);
    // The default export: the list.
    delete process.env.STRIPE_INVOICE_LINES_EXPORT;
    listApp = await createTestApp(AppModule, APP, {
      STRIPE_PORT: new URL(env.sandbox.url).port,
      STRIPE_EVENTS_POLL_MS: '0',
    });
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);

    // A month of paid invoices, three lines each, two hours apart, all before now.
    await request(env.sandbox.url)
      .post('/sandbox/stripe/generate')
      .send({
        invoices: 300,
        linesPerInvoice: 3,
        seed: 'sig',
        createdFrom: today - 27 * DAY,
        spacingSeconds: 7200,
      })
      .expect(200);

    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'eur',
      unit_amount: 120_000,
      recurring: { interval: 'year' },
    });
    const subscribe = async (frozenAt: number) => {
      const clock = await stripe.testHelpers.testClocks.create({ frozen_time: frozenAt });
      const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
      const sub = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id, quantity: 10 }],
        collection_method: 'send_invoice',
        days_until_due: 30,
      });
      return { clock, customer, sub };
    };

    // Before Sigma's snapshot: a first invoice, then a proration invoice (a credit and a charge line).
    const past = await subscribe(today - 10 * DAY);
    made.pastFirst = past.sub.latest_invoice as string;
    await stripe.testHelpers.testClocks.advance(past.clock.id, { frozen_time: today - 2 * DAY });
    const prorated = await stripe.subscriptions.update(past.sub.id, {
      items: [{ id: past.sub.items.data[0].id, quantity: 15 }],
      proration_behavior: 'always_invoice',
      proration_date: today - 2 * DAY,
    });
    made.proration = prorated.latest_invoice as string;

    // Dated after the snapshot (a test clock in the future): on Sigma's answer and on the list read after it.
    const future = await subscribe(today + 5 * DAY);
    made.future = future.sub.latest_invoice as string;
    await stripe.testHelpers.testClocks.advance(future.clock.id, { frozen_time: today + 7 * DAY });
    await stripe.subscriptions.update(future.sub.id, {
      items: [{ id: future.sub.items.data[0].id, quantity: 12 }],
      proration_behavior: 'create_prorations',
      proration_date: today + 7 * DAY,
    });
    // The pending prorations on a draft, left a draft: no export shows it.
    const draft = await stripe.invoices.create({
      customer: future.customer.id,
      subscription: future.sub.id,
      pending_invoice_items_behavior: 'include',
    });
    made.draft = draft.id;
    expect(draft.status).toBe('draft');
    expect(draft.lines.data.length).toBeGreaterThan(0);
  }, 60_000);

  afterAll(async () => {
    await listApp.close();
    await env.close();
  });

  const exported = async (app: TestApp): Promise<InvoiceLineView[]> => {
    const res = await request(app.url)
      .get(`/v1/invoice-lines/export?from=${period.from}&to=${period.to}&pageSize=250`)
      .set(bearer(viewer))
      .expect(200);
    return res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InvoiceLineView);
  };

  it('answers the very rows the list does, each line once, drafts left out', async () => {
    const sigma = sigmaApp.app.get(StripeSigma);
    const start = vi.spyOn(sigma, 'start');
    const throughSigma = await exported(sigmaApp);
    // Sigma's snapshot time, then the period in 8 created-time slices, each its own query run.
    expect(start).toHaveBeenCalledTimes(1 + 8);
    start.mockRestore();
    // The default reads the list alone: no query run is started.
    const listStart = vi.spyOn(listApp.app.get(StripeSigma), 'start');
    const throughList = await exported(listApp);
    expect(listStart).not.toHaveBeenCalled();
    listStart.mockRestore();

    expect(throughSigma).toHaveLength(throughList.length);
    expect(sorted(throughSigma)).toEqual(sorted(throughList));
    expect(new Set(throughSigma.map((l) => l.lineId)).size).toBe(throughSigma.length);
    const invoices = new Set(throughSigma.map((l) => l.invoiceId));
    expect(invoices.size).toBe(300 + 3);
    expect([made.pastFirst, made.proration, made.future].every((id) => invoices.has(id))).toBe(true);
    expect(invoices.has(made.draft)).toBe(false);
    const proration = throughSigma.filter((l) => l.invoiceId === made.proration);
    // The unused time of 10 seats credited, the rest of the period of 15 charged.
    expect(proration.map((l) => [Math.sign(Number(l.amount.amountMinor)), l.proration]).sort()).toEqual([
      [-1, true],
      [1, true],
    ]);
    expect(throughSigma.find((l) => l.lineId === 'il_sig_0000000_2')).toEqual({
      invoiceId: 'in_sig_0000000',
      lineId: 'il_sig_0000000_2',
      customerId: 'cus_sig_0000000',
      description: 'Seat',
      amount: { amountMinor: '1000', currency: 'USD' },
      taxMinor: '0',
      proration: false,
      priceId: 'price_sig',
      quantity: 1,
      periodStart: iso(today - 27 * DAY),
      periodEnd: iso(today + 3 * DAY),
      issuedOn: iso(today - 27 * DAY),
    });
  });

  it('reads only the Sigma columns of the fields asked for, and answers them as the list does', async () => {
    const sigma = sigmaApp.app.get(StripeSigma);
    const start = vi.spyOn(sigma, 'start');
    const narrow = async (app: TestApp) =>
      (
        await request(app.url)
          .get(
            `/v1/invoice-lines/export?from=${period.from}&to=${period.to}&format=csv&columns=invoiceId,amountMinor,issuedOn`,
          )
          .set(bearer(viewer))
          .expect(200)
      ).text
        .trim()
        .split('\r\n');
    const [header, ...throughSigma] = await narrow(sigmaApp);
    const slice =
      start.mock.calls.map(([sql]) => sql).find((sql) => sql.includes('invoice_line_items')) ?? '';
    start.mockRestore();
    // Sigma's schema names: `date` (created), `status_transitions_finalized_at`.
    expect(slice).toMatch(
      /^select l\.invoice_id, i\.date, l\.amount, l\.currency, i\.status_transitions_finalized_at from /,
    );
    expect(slice).toContain('where i.date >= timestamp');
    expect(header).toBe('invoiceId,amountMinor,issuedOn');
    const [, ...throughList] = await narrow(listApp);
    expect(throughSigma.sort()).toEqual(throughList.sort());
    expect(throughSigma).toHaveLength((await exported(listApp)).length);
  });

  it('exports every subscription item once, the account paged in created-time slices side by side', async () => {
    const all = await stripe.subscriptions
      .list({ status: 'all', limit: 100 })
      .autoPagingToArray({ limit: 10_000 });
    const res = await request(sigmaApp.url)
      .get('/v1/exports/subscription-items')
      .set(bearer(viewer))
      .expect(200);
    const rows = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { subscriptionId: string; itemId: string });
    expect(new Set(rows.map((r) => r.itemId)).size).toBe(rows.length);
    expect(rows).toHaveLength(all.reduce((n, sub) => n + sub.items.data.length, 0));
    expect(new Set(rows.map((r) => r.subscriptionId))).toEqual(new Set(all.map((sub) => sub.id)));
    // The sandbox filters the list by created, as Stripe does.
    const day = await stripe.subscriptions.list({
      status: 'all',
      limit: 100,
      created: { gte: today - 27 * DAY, lt: today - 26 * DAY },
    });
    expect(day.data.map((sub) => sub.id).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `sub_sig_${String(i).padStart(7, '0')}`),
    );
  });

  it('exports an invoice created after the snapshot (while the export runs) exactly once', async () => {
    const pages = sigmaApp.app
      .get(BillingPort)
      .exportInvoiceLines({ ...period, pageSize: 100 })
      [Symbol.asyncIterator]();
    const first = await pages.next();
    expect(first.done).toBe(false);
    // Sigma has answered by now: this invoice, in real time, is newer than its snapshot.
    const customer = await stripe.customers.create({ name: 'Late' });
    const price = await stripe.prices.create({
      product: (await stripe.products.create({ name: 'Seat' })).id,
      currency: 'usd',
      unit_amount: 5_000,
      recurring: { interval: 'month' },
    });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 2 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    const late = sub.latest_invoice as string;
    await stripe.invoices.finalizeInvoice(late);
    const lines: InvoiceLineView[] = first.done ? [] : [...first.value];
    for (let page = await pages.next(); !page.done; page = await pages.next()) lines.push(...page.value);

    expect(lines.filter((l) => l.invoiceId === late)).toEqual([
      expect.objectContaining({ customerId: customer.id, amount: { amountMinor: '10000', currency: 'USD' } }),
    ]);
    expect(new Set(lines.map((l) => l.lineId)).size).toBe(lines.length);
    expect(sorted(lines)).toEqual(sorted(await exported(listApp)));
  });

  it('reads the list when Stripe refuses Sigma (an account without it)', async () => {
    await request(env.sandbox.url).post('/sandbox/faults').send({ sigmaDisabled: true }).expect(200);
    try {
      const resultFile = vi.spyOn(sigmaApp.app.get(StripeSigma), 'resultFile');
      const fallback = await exported(sigmaApp);
      expect(resultFile).not.toHaveBeenCalled();
      resultFile.mockRestore();
      expect(sorted(fallback)).toEqual(sorted(await exported(listApp)));
    } finally {
      await request(env.sandbox.url).delete('/sandbox/faults').expect(200);
    }
  });

  it("turns a query Stripe fails into a BusinessError with Sigma's message", async () => {
    const sigma = sigmaApp.app.get(StripeSigma);
    const failed = sigma.resultFile(await sigma.start('select id from charges'));
    await expect(failed).rejects.toBeInstanceOf(BusinessError);
    await expect(failed).rejects.toThrow("Table 'charges' does not exist");
  });
});
