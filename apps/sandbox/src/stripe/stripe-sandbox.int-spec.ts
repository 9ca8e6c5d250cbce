import type { TestApp } from '@revline/testing';
import { createTestApp, eventually } from '@revline/testing';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { StripeSandboxModule } from './stripe-sandbox.module';

/** A subscription's latest invoice id (the SDK types it as an id or the expanded invoice). */
const latestInvoiceId = (latest: string | { id: string } | null): string =>
  typeof latest === 'string' ? latest : (latest?.id ?? '');

const at = (iso: string) => Date.parse(iso) / 1000;
const SPEC = SANDBOXES.find((s) => s.module === StripeSandboxModule)!.spec;

describe('Stripe sandbox, driven by the official stripe SDK', () => {
  let sandbox: TestApp;
  let stripe: Stripe;
  let receiver: Server;
  const received: Array<{ signature: string; body: string }> = [];
  let receiverFails = 0;

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        if (receiverFails > 0) {
          receiverFails -= 1;
          res.writeHead(500).end();
          return;
        }
        received.push({ signature: String(req.headers['stripe-signature']), body });
        res.writeHead(200).end('{}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const port = (receiver.address() as AddressInfo).port;
    sandbox = await createTestApp(StripeSandboxModule, SPEC, {
      SANDBOX_STRIPE_WEBHOOK_URLS: `http://127.0.0.1:${port}/hook`,
      SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS: '50',
    });
    const url = new URL(sandbox.url);
    stripe = new Stripe('sk_test_revline_sandbox', {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
      maxNetworkRetries: 2,
    });
  });

  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  beforeEach(async () => {
    await request(sandbox.url).delete('/sandbox/faults').expect(200);
  });

  async function seatCustomer(start: string) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at(start) });
    const customer = await stripe.customers.create({
      name: 'Acme',
      test_clock: clock.id,
      metadata: { crm: '001A' },
    });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 120_000,
      recurring: { interval: 'year' },
    });
    return { clock, customer, price };
  }

  it('refuses a missing or non-test key with 401 and Stripe error objects', async () => {
    const bad = await request(sandbox.url)
      .get('/v1/customers')
      .set('authorization', 'Bearer sk_live_nope')
      .expect(401);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', code: 'api_key_invalid' });
    await request(sandbox.url).get('/v1/customers').expect(401);
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'resource_missing',
      statusCode: 404,
    });
    await expect(stripe.customers.create({ nonsense: 1 } as never)).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'nonsense',
    });
  });

  it('pages lists with starting_after and has_more, newest first', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await stripe.customers.create({ email: `page-${i}@x.test` })).id);
    const first = await stripe.customers.list({ limit: 3 });
    expect(first.has_more).toBe(true);
    const second = await stripe.customers.list({ limit: 3, starting_after: first.data[2].id });
    const seen = [...first.data, ...second.data].map((c) => c.id);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
  });

  it('prorates G2 as Stripe does and invoices 4,800.00 at once with always_invoice', async () => {
    const { clock, customer, price } = await seatCustomer('2026-01-01T00:00:00Z');
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 10 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    // A subscription that sends its invoices has its first one left a draft for an hour, as on Stripe.
    const draft = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(draft).toMatchObject({ status: 'draft', automatically_finalizes_at: draft.created + 3600 });
    const first = await stripe.invoices.finalizeInvoice(draft.id);
    expect(first).toMatchObject({ total: 1_200_000, status: 'open', billing_reason: 'subscription_create' });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-15T00:00:00Z') });
    const updated = await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, quantity: 15 }],
      proration_behavior: 'always_invoice',
      proration_date: at('2026-03-15T00:00:00Z'),
      expand: ['latest_invoice'],
    });
    const invoice = updated.latest_invoice as Stripe.Invoice;
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([-960_000, 1_440_000]);
    expect(invoice.lines.data.every((l) => l.parent?.subscription_item_details?.proration)).toBe(true);
    expect(invoice).toMatchObject({ total: 480_000, amount_due: 480_000, status: 'open' });
    const paid = await stripe.invoices.pay(invoice.id, { paid_out_of_band: true });
    expect(paid.status).toBe('paid');
    const note = await stripe.creditNotes.create({
      invoice: invoice.id,
      lines: [{ type: 'custom_line_item', unit_amount: 151_233, quantity: 1, description: 'G5' }],
      reason: 'order_change',
    });
    expect(note).toMatchObject({ total: 151_233, type: 'post_payment', reason: 'order_change' });
    expect(note.id).toMatch(/^cn_/);
  });

  it('keeps create_prorations pending until the renewal invoice, and renews on the clock', async () => {
    const { clock, customer, price } = await seatCustomer('2026-01-01T00:00:00Z');
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 10 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-15T00:00:00Z') });
    await stripe.subscriptions.update(sub.id, {
      items: [{ id: sub.items.data[0].id, quantity: 15 }],
      proration_date: at('2026-03-15T00:00:00Z'),
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2027-01-01T02:00:00Z') });
    const invoices = await stripe.invoices.list({ subscription: sub.id });
    const renewal = invoices.data[0];
    expect(renewal).toMatchObject({ billing_reason: 'subscription_cycle', status: 'open' });
    expect(renewal.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([
      -960_000, 1_440_000, 1_800_000,
    ]);
  });

  it('lets one price hold a lookup key: found by lookup_keys, refused to a second price, moved on transfer', async () => {
    const product = await stripe.products.create({ name: 'Seat' });
    const key = `seat_annual_${String(Date.now())}`;
    const params = { product: product.id, currency: 'usd', recurring: { interval: 'year' as const } };
    const first = await stripe.prices.create({ ...params, unit_amount: 126_000, lookup_key: key });
    const found = await stripe.prices.list({ lookup_keys: [key, 'no_such_key'] });
    expect(found.data.map((p) => [p.id, p.lookup_key])).toEqual([[first.id, key]]);
    const refused = await stripe.prices
      .create({ ...params, unit_amount: 132_000, lookup_key: key })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ type: 'StripeInvalidRequestError', param: 'lookup_key' });
    expect((await stripe.prices.list({ lookup_keys: [key] })).data.map((p) => p.id)).toEqual([first.id]);
    const moved = await stripe.prices.create({
      ...params,
      unit_amount: 132_000,
      lookup_key: key,
      transfer_lookup_key: true,
    });
    expect((await stripe.prices.list({ lookup_keys: [key] })).data.map((p) => p.id)).toEqual([moved.id]);
    expect((await stripe.prices.retrieve(first.id)).lookup_key).toBeNull();
  });

  it('honours Idempotency-Key: same params replay, other params are an idempotency_error', async () => {
    const a = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'idem-1' });
    const b = await stripe.customers.create({ name: 'Once' }, { idempotencyKey: 'idem-1' });
    expect(b.id).toBe(a.id);
    await expect(
      stripe.customers.create({ name: 'Twice' }, { idempotencyKey: 'idem-1' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError', statusCode: 400 });
  });

  it('aggregates meter events into the next invoice, deduplicating identifiers (G7)', async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-03-01T00:00:00Z') });
    const customer = await stripe.customers.create({ name: 'Meter Co', test_clock: clock.id });
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: `api_calls_${Date.now()}`,
      default_aggregation: { formula: 'sum' },
    });
    const product = await stripe.products.create({ name: 'API calls' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 100_000, unit_amount: 0 },
        { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from('0.2') },
      ],
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    // Stripe takes a meter event's timestamp up to 5 minutes ahead only: the clock reaches the day of use first.
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-10T00:00:00Z') });
    for (const [i, value] of [80_000, 50_000].entries()) {
      await stripe.billing.meterEvents.create({
        event_name: meter.event_name,
        identifier: `use-${i}`,
        timestamp: at('2026-03-10T00:00:00Z'),
        payload: { stripe_customer_id: customer.id, value: String(value) },
      });
    }
    await expect(
      stripe.billing.meterEvents.create({
        event_name: meter.event_name,
        identifier: 'use-0',
        payload: { stripe_customer_id: customer.id, value: '1' },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-04-01T01:30:00Z') });
    const [invoice] = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([6000]);
    expect(invoice.status).toBe('open');
  });

  it("refuses meter events outside Stripe's window (35 days back, 5 minutes ahead) and sums them per day", async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-03-31T12:00:00Z') });
    const customer = await stripe.customers.create({ name: 'Window Co', test_clock: clock.id });
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: `api_calls_window_${Date.now()}`,
      default_aggregation: { formula: 'sum' },
    });
    const send = (identifier: string, iso: string, value: string) =>
      stripe.billing.meterEvents.create({
        event_name: meter.event_name,
        identifier,
        timestamp: at(iso),
        payload: { stripe_customer_id: customer.id, value },
      });
    await expect(send('old', '2026-02-24T11:59:59Z', '1')).rejects.toMatchObject({
      statusCode: 400,
      param: 'timestamp',
      message: expect.stringMatching(/cannot be more than 35 days in past/),
    });
    await expect(send('ahead', '2026-03-31T12:05:01Z', '1')).rejects.toMatchObject({
      statusCode: 400,
      param: 'timestamp',
      message: expect.stringMatching(/cannot be more than 5 minutes in the future/),
    });
    await send('edge-old', '2026-02-24T12:00:00Z', '0.1');
    await send('a', '2026-03-30T23:59:59Z', '0.2');
    await send('b', '2026-03-31T00:00:00Z', '2.5');
    await send('edge-ahead', '2026-03-31T12:05:00Z', '0.5');
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: at('2026-02-24T00:00:00Z'),
      end_time: at('2026-04-01T00:00:00Z'),
      value_grouping_window: 'day',
    });
    expect(summaries.data.map((s) => [s.start_time, s.end_time, s.aggregated_value])).toEqual([
      [at('2026-03-31T00:00:00Z'), at('2026-04-01T00:00:00Z'), 3],
      [at('2026-03-30T00:00:00Z'), at('2026-03-31T00:00:00Z'), 0.2],
      [at('2026-02-24T00:00:00Z'), at('2026-02-25T00:00:00Z'), 0.1],
    ]);
    const whole = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: at('2026-03-01T00:00:00Z'),
      end_time: at('2026-04-01T00:00:00Z'),
    });
    expect(whole.data.map((s) => s.aggregated_value)).toEqual([3.2]);
  });

  it('takes a yearly seat price and a monthly metered price on one subscription (flexible billing mode)', async () => {
    const { clock, customer, price: seats } = await seatCustomer('2026-01-01T00:00:00Z');
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: `api_calls_mixed_${Date.now()}`,
      default_aggregation: { formula: 'sum' },
    });
    const product = await stripe.products.create({ name: 'API calls' });
    const calls = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      tiers: [
        { up_to: 100_000, unit_amount: 0 },
        { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from('0.2') },
      ],
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    // Stripe refuses a quantity on a metered price, on a subscription and in a schedule phase.
    for (const attempt of [
      () => stripe.subscriptions.create({ customer: customer.id, items: [{ price: calls.id, quantity: 1 }] }),
      () =>
        stripe.subscriptionSchedules.create({
          customer: customer.id,
          start_date: 'now',
          phases: [{ items: [{ price: calls.id, quantity: 1 }] }],
        }),
    ])
      await expect(attempt()).rejects.toMatchObject({
        statusCode: 400,
        message: expect.stringMatching(/Quantity should not be specified where usage_type is `metered`/),
      });
    // Classic billing mode keeps one interval for all items.
    await expect(
      stripe.subscriptions.create({
        customer: customer.id,
        billing_mode: { type: 'classic' },
        items: [{ price: seats.id, quantity: 10 }, { price: calls.id }],
      }),
    ).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/same recurring interval/) });

    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: seats.id, quantity: 10 }, { price: calls.id }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    // Each item has its own period; the metered one no quantity. The first invoice bills the seats in advance only.
    expect(sub.items.data.map((i) => [i.quantity, i.current_period_start, i.current_period_end])).toEqual([
      [10, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')],
      [undefined, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z')],
    ]);
    const first = await stripe.invoices.retrieve(sub.latest_invoice as string);
    expect(first.lines.data.map((l) => l.amount)).toEqual([1_200_000]);

    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-10T00:00:00Z') });
    await stripe.billing.meterEvents.create({
      event_name: meter.event_name,
      identifier: 'mixed-1',
      timestamp: at('2026-03-10T00:00:00Z'),
      payload: { stripe_customer_id: customer.id, value: '130000' },
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-04-01T02:00:00Z') });
    // The metered item renewed monthly, billing each month's usage in arrears; the seats did not renew.
    const renewed = await stripe.subscriptions.retrieve(sub.id);
    expect(renewed.items.data.map((i) => i.current_period_end)).toEqual([
      at('2027-01-01T00:00:00Z'),
      at('2026-05-01T00:00:00Z'),
    ]);
    const invoices = (await stripe.invoices.list({ subscription: sub.id })).data;
    expect(invoices.map((i) => i.total).sort((a, b) => a - b)).toEqual([0, 0, 6000, 1_200_000]);
    const march = invoices.find((i) => i.total === 6000);
    expect(march?.lines.data.map((l) => [l.amount, l.period.start, l.period.end])).toEqual([
      [6000, at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z')],
    ]);

    // A change to the seats prorates over the seats' year, leaving the metered item as it is.
    const seatItem = renewed.items.data.find((i) => i.price.id === seats.id);
    const changed = await stripe.subscriptions.update(sub.id, {
      items: [{ id: seatItem?.id, quantity: 15 }],
      proration_behavior: 'always_invoice',
    });
    expect(changed.items.data.map((i) => i.quantity)).toEqual([15, undefined]);
  });

  it('ramps through schedule phases at their start dates', async () => {
    const { clock, customer, price } = await seatCustomer('2026-01-01T00:00:00Z');
    const schedule = await stripe.subscriptionSchedules.create({
      customer: customer.id,
      start_date: 'now',
      end_behavior: 'release',
      phases: [
        { items: [{ price: price.id, quantity: 10 }], end_date: at('2027-01-01T00:00:00Z') },
        { items: [{ price: price.id, quantity: 20 }], duration: { interval: 'year', interval_count: 1 } },
      ],
    });
    expect(schedule.status).toBe('active');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2027-01-02T00:00:00Z') });
    const sub = await stripe.subscriptions.retrieve(schedule.subscription as string);
    expect(sub.items.data[0].quantity).toBe(20);
    const [renewal] = (await stripe.invoices.list({ subscription: sub.id, limit: 1 })).data;
    expect(renewal.total).toBe(2_400_000);
  });

  it('marks an open invoice uncollectible and voids it, each an event; refuses both once it is void or paid', async () => {
    const { customer, price } = await seatCustomer('2026-01-01T00:00:00Z');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 1 }],
      collection_method: 'send_invoice',
    });
    const invoiceId = latestInvoiceId(subscription.latest_invoice);
    await stripe.invoices.finalizeInvoice(invoiceId);
    const written = await stripe.invoices.markUncollectible(invoiceId);
    expect(written).toMatchObject({ status: 'uncollectible', amount_remaining: 120_000 });
    expect(written.status_transitions.marked_uncollectible_at).toBe(at('2026-01-01T00:00:00Z'));
    const voided = await stripe.invoices.voidInvoice(invoiceId);
    expect(voided).toMatchObject({ status: 'void', amount_remaining: 0 });
    expect(voided.status_transitions.voided_at).toBe(at('2026-01-01T00:00:00Z'));
    const events = await stripe.events.list({
      limit: 100,
      types: ['invoice.marked_uncollectible', 'invoice.voided'],
    });
    expect(
      events.data.filter((e) => (e.data.object as { id?: string }).id === invoiceId).map((e) => e.type),
    ).toEqual(['invoice.voided', 'invoice.marked_uncollectible']);
    for (const call of [
      () => stripe.invoices.voidInvoice(invoiceId),
      () => stripe.invoices.markUncollectible(invoiceId),
    ])
      await expect(call()).rejects.toMatchObject({ type: 'StripeInvalidRequestError', statusCode: 400 });

    const other = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 1 }],
      collection_method: 'send_invoice',
    });
    const paid = await stripe.invoices.pay(latestInvoiceId(other.latest_invoice), { paid_out_of_band: true });
    expect(paid.status).toBe('paid');
    await expect(stripe.invoices.voidInvoice(paid.id)).rejects.toMatchObject({ statusCode: 400 });
    await expect(stripe.invoices.markUncollectible(paid.id)).rejects.toMatchObject({ statusCode: 400 });
  });

  it('cancels at period end, and now', async () => {
    const { clock, customer, price } = await seatCustomer('2026-01-01T00:00:00Z');
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 1 }],
      cancel_at_period_end: true,
      collection_method: 'send_invoice',
    });
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2027-01-05T00:00:00Z') });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('canceled');
    const other = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 1 }],
      collection_method: 'send_invoice',
    });
    const canceled = await stripe.subscriptions.cancel(other.id, { prorate: true, invoice_now: true });
    expect(canceled.status).toBe('canceled');
  });

  it('signs webhooks so stripe.webhooks.constructEvent accepts them, and retries a failing endpoint', async () => {
    receiverFails = 1;
    const customer = await stripe.customers.create({ name: 'Hooked' });
    const delivery = await eventually(() =>
      Promise.resolve(received.find((r) => r.body.includes(customer.id))),
    );
    const event = stripe.webhooks.constructEvent(
      delivery!.body,
      delivery!.signature,
      'whsec_revline_sandbox',
    );
    expect(event.type).toBe('customer.created');
    const listed = await stripe.events.list({ type: 'customer.created', limit: 100 });
    expect(listed.data.some((e) => e.id === event.id)).toBe(true);
  });

  it('drops and duplicates webhooks on request, and answers 5xx and 429 faults that the SDK retries', async () => {
    await request(sandbox.url).post('/sandbox/faults').send({ dropNextWebhooks: 1 }).expect(200);
    const dropped = await stripe.customers.create({ name: 'Dropped' });
    await request(sandbox.url).post('/sandbox/faults').send({ duplicateNextWebhooks: 1 }).expect(200);
    const doubled = await stripe.customers.create({ name: 'Doubled' });
    await eventually(() => Promise.resolve(received.filter((r) => r.body.includes(doubled.id)).length === 2));
    expect(received.some((r) => r.body.includes(dropped.id))).toBe(false);
    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ failNext: { count: 1, status: 500 } })
      .expect(200);
    expect((await stripe.customers.create({ name: 'Retried' })).id).toMatch(/^cus_/);
    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ failNext: { count: 1, status: 429 } })
      .expect(200);
    const limited = new Stripe('sk_test_revline_sandbox', {
      host: '127.0.0.1',
      port: Number(new URL(sandbox.url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await expect(limited.customers.list()).rejects.toMatchObject({
      statusCode: 429,
      type: 'StripeRateLimitError',
    });
  });

  it('sends every webhook webhookCopies times, and cuts the answer of a POST that took effect (its key replays it)', async () => {
    await request(sandbox.url).post('/sandbox/faults').send({ webhookCopies: 3 }).expect(200);
    const tripled = await stripe.customers.create({ name: 'Tripled' });
    await eventually(() => Promise.resolve(received.filter((r) => r.body.includes(tripled.id)).length === 3));
    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ webhookCopies: 1, answerLostRate: 1 })
      .expect(200);
    // A bare POST (the SDK would retry at once and get the replay): the customer is made, the answer never comes.
    const lost = fetch(`${sandbox.url}/v1/customers`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_revline_sandbox',
        'content-type': 'application/x-www-form-urlencoded',
        'idempotency-key': 'answer-lost-1',
      },
      body: 'name=Answer%20lost',
    });
    await expect(lost).rejects.toThrow();
    await request(sandbox.url).post('/sandbox/faults').send({ answerLostRate: 0 }).expect(200);
    const replayed = await stripe.customers.create(
      { name: 'Answer lost' },
      { idempotencyKey: 'answer-lost-1' },
    );
    const all = await stripe.customers.list({ limit: 100 });
    expect(all.data.filter((c) => c.name === 'Answer lost').map((c) => c.id)).toEqual([replayed.id]);
  });

  it('runs Sigma queries (Query Run API) into CSV result files, downloaded with the secret key', async () => {
    const { customer, price } = await seatCustomer('2026-03-01T00:00:00Z');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 3 }],
    });
    const invoiceId = subscription.latest_invoice as string;
    const runQuery = async (sql: string) => {
      const created = (await stripe.rawRequest('POST', '/v1/sigma/query_runs', { sql })) as {
        id: string;
        status: string;
      };
      // Queued first, as Stripe answers a run it has not started.
      expect(created).toMatchObject({ object: 'sigma.sigma_query_run', status: 'pending', result: null });
      let run = created as { id: string; status: string; result: { file: string } | null; error: unknown };
      await eventually(async () => {
        run = (await stripe.rawRequest('GET', `/v1/sigma/query_runs/${created.id}`)) as typeof run;
        return run.status !== 'pending' && run.status !== 'running';
      });
      return run;
    };
    const run = await runQuery(
      `select l.invoice_id, i.customer_id, l.amount, l.quantity, l.proration, i.date
         from invoice_line_items l join invoices i on l.invoice_id = i.id
        where i.id = '${invoiceId}' and i.status <> 'draft'`,
    );
    expect(run.status).toBe('succeeded');
    const file = await stripe.files.retrieve(run.result!.file);
    expect(file).toMatchObject({ object: 'file', type: 'csv', purpose: 'sigma_query_run' });
    const download = await fetch(file.url!, { headers: { authorization: 'Bearer sk_test_revline_sandbox' } });
    expect(download.headers.get('content-type')).toMatch(/^text\/csv/);
    const csv = await download.text();
    expect(Buffer.byteLength(csv)).toBe(file.size);
    expect(csv).toBe(
      `invoice_id,customer_id,amount,quantity,proration,date\n${invoiceId},${customer.id},${String(3 * 120_000)},3,false,2026-03-01 00:00:00.000\n`,
    );
    expect((await fetch(file.url!)).status).toBe(401);

    // A failed run carries `error`, which the SDK raises as an error (its rule for any body with one), status 200.
    const failing = (await stripe.rawRequest('POST', '/v1/sigma/query_runs', {
      sql: 'select id from charges',
    })) as { id: string };
    await eventually(() =>
      stripe.rawRequest('GET', `/v1/sigma/query_runs/${failing.id}`).then(
        () => false,
        (error: unknown) => {
          expect(error).toMatchObject({ statusCode: 200, message: "Table 'charges' does not exist" });
          return true;
        },
      ),
    );

    await request(sandbox.url).post('/sandbox/faults').send({ sigmaDisabled: true }).expect(200);
    await expect(
      stripe.rawRequest('POST', '/v1/sigma/query_runs', { sql: 'select data_load_time' }),
    ).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
    });
  });
});
