import { BillingPort } from '@revline/billing-port';
import type { InvoiceLineView } from '@revline/billing-port';
import type { Envelope, JobName } from '@revline/messaging';
import { createEnvelope, OutboxMessageEntity } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BillingCommandsHandler,
  toContractChange,
} from '../apps/system-billing/src/commands/billing-commands.handler';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';

const at = (iso: string) => Date.parse(iso) / 1000;
type Line = [lineId: string, priceId: string, quantity: number];
type Change = Envelope<'billing.apply-contract-change'>['payload'];
interface Applied {
  customerId: string;
  subscriptionId: string;
  status: string;
  itemIds: Record<string, string>;
  invoiceId?: string;
  scheduleId?: string;
}

/** Every adapter path the G2 and webhook specs (billing.int-spec.ts) do not take, job by job, on the sandbox. */
describe('the Stripe adapter, path by path, against the sandbox', () => {
  let env: BillingEnv;
  let db: TestDatabase;
  let billing: TestApp;
  let stripe: Stripe;
  let handler: BillingCommandsHandler;

  beforeAll(async () => {
    env = await startBillingEnv({
      STRIPE_ATTEMPTS: '2',
      STRIPE_RETRY_BASE_MS: '50',
    });
    ({ db, billing, stripe } = env);
    await stripe.webhookEndpoints.create({ url: `${billing.url}/v1/webhooks/stripe`, enabled_events: ['*'] });
    handler = billing.app.get(BillingCommandsHandler);
  });

  afterAll(async () => {
    await env.close();
  });

  async function account(
    start: string,
    recurring: Stripe.PriceCreateParams.Recurring = { interval: 'year' },
  ) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at(start) });
    const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 120_000,
      recurring,
    });
    return { clock, customer, price };
  }

  const advance = (clock: Stripe.TestHelpers.TestClock, iso: string) =>
    stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at(iso) });

  const job = <J extends JobName>(name: J, payload: Envelope<J>['payload'], key: string) =>
    createEnvelope(name, payload, { idempotencyKey: key });

  function change(
    contractId: string,
    customerId: string,
    kind: Change['changeKind'],
    effectiveDate: string,
    items: Line[],
    extra: Partial<Change> = {},
  ): Change {
    const lines = (list: Line[]) =>
      list.map(([lineId, priceId, quantity]) => ({ lineId, priceId, quantity: String(quantity) }));
    return {
      contractId,
      changeKind: kind,
      customer: { billingCustomerId: customerId, name: 'Acme', crmAccountId: '001A' },
      currency: 'USD',
      effectiveDate,
      items: lines(items),
      prorationBehavior: 'always_invoice',
      ...extra,
    };
  }

  const apply = async (payload: Change, key: string) =>
    (await handler.applyContractChange(job('billing.apply-contract-change', payload, key))) as Applied;

  async function announced<J extends JobName>(name: J, where: (payload: Envelope<J>['payload']) => boolean) {
    const found = await eventually(async () => {
      const rows = await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job: name });
      const matching = rows.map((row) => row.envelope as Envelope<J>).filter((e) => where(e.payload));
      return matching.length > 0 ? matching : null;
    });
    if (!found) throw new Error(`No ${name} announced`);
    return found.map((e) => e.payload);
  }

  it('reports usage through the job: each meter event counted once, billed on the renewal invoice and announced', async () => {
    const { clock, customer } = await account('2026-01-01T00:00:00Z');
    const eventName = `api_calls_${randomUUID().slice(0, 8)}`;
    const meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: eventName,
      default_aggregation: { formula: 'sum' },
      customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      value_settings: { event_payload_key: 'value' },
    });
    const product = await stripe.products.create({ name: 'API' });
    const perCall = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 5,
      recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
    });
    const seat = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 10_000,
      recurring: { interval: 'month' },
    });
    await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: seat.id, quantity: 2 }, { price: perCall.id }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    const usage = (events: Array<[string, string, string]>) =>
      events.map(([identifier, value, day]) => ({
        identifier,
        customerId: customer.id,
        value,
        timestamp: `${day}T12:00:00Z`,
      }));
    // Stripe takes a meter event's timestamp up to 5 minutes ahead only: January is reported at its end.
    await advance(clock, '2026-01-31T00:00:00Z');
    const first = await handler.reportUsage(
      job(
        'billing.report-usage',
        {
          meterEventName: eventName,
          events: usage([
            ['u1', '100', '2026-01-10'],
            ['u2', '250', '2026-01-20'],
          ]),
        },
        'usage-batch-1',
      ),
    );
    expect(first).toEqual({ accepted: 2, duplicates: 0 });
    // A later batch that resends u2: Stripe refuses the identifier it already has, and the adapter counts it.
    const second = await handler.reportUsage(
      job(
        'billing.report-usage',
        {
          meterEventName: eventName,
          events: usage([
            ['u2', '250', '2026-01-20'],
            ['u3', '50', '2026-01-25'],
          ]),
        },
        'usage-batch-2',
      ),
    );
    expect(second).toEqual({ accepted: 1, duplicates: 1 });

    await advance(clock, '2026-02-01T02:00:00Z');
    const [issued] = await announced(
      'billing.invoice-issued',
      (p) => p.customerId === customer.id && p.issuedOn === '2026-02-01',
    );
    const lines = issued.lines.map((l) => [l.amount.amountMinor, l.periodStart, l.periodEnd]);
    expect(lines).toEqual(
      expect.arrayContaining([
        ['2000', '2026-01-01', '2026-02-01'],
        ['20000', '2026-02-01', '2026-03-01'],
      ]),
    );
    expect(issued.total.amountMinor).toBe('22000');
  });

  it('issues a credit through the job: one credit note however often the command runs, announced once', async () => {
    const { customer, price } = await account('2026-01-01T00:00:00Z');
    const created = await apply(
      change('C-CREDIT', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]]),
      'credit-create',
    );
    const invoice = await stripe.invoices.retrieve(created.invoiceId ?? '');
    const lineId = invoice.lines.data[0]?.id ?? '';
    const credit = job(
      'billing.issue-credit',
      {
        invoiceId: invoice.id,
        reason: 'order_change',
        lines: [{ invoiceLineId: lineId, amount: { amountMinor: '100000', currency: 'USD' } }],
      },
      'credit-1',
    );
    const once = (await handler.issueCredit(credit)) as { creditNoteId: string };
    const twice = (await handler.issueCredit({ ...credit, messageId: randomUUID() })) as {
      creditNoteId: string;
    };
    expect(twice.creditNoteId).toBe(once.creditNoteId);
    expect(once).toMatchObject({
      creditNoteId: expect.stringMatching(/^cn_/),
      total: { amountMinor: '100000', currency: 'USD' },
    });
    const notes = await stripe.creditNotes.list({ invoice: invoice.id });
    expect(notes.data.map((n) => [n.id, n.total])).toEqual([[once.creditNoteId, 100_000]]);
    const documents = await announced('billing.credit-note-issued', (p) => p.customerId === customer.id);
    expect(documents.map((d) => [d.documentId, d.total.amountMinor])).toEqual([
      [once.creditNoteId, '100000'],
    ]);
  });

  it('announces a payment under its invoice payment id, read with expand[]=payments', async () => {
    const { customer, price } = await account('2026-01-01T00:00:00Z');
    const created = await apply(
      change('C-PAY', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]),
      'pay-create',
    );
    const invoiceId = created.invoiceId ?? '';
    await stripe.invoices.pay(invoiceId, { paid_out_of_band: true });
    const [payment] = await announced('billing.payment-received', (p) => p.invoiceId === invoiceId);
    // As on Stripe, `payments` is includable: absent unless expanded, and never in an event.
    expect((await stripe.invoices.retrieve(invoiceId)).payments).toBeUndefined();
    const expanded = await stripe.invoices.retrieve(invoiceId, { expand: ['payments'] });
    expect(payment).toMatchObject({
      paymentId: expanded.payments?.data[0]?.id,
      customerId: customer.id,
      amount: { amountMinor: '120000', currency: 'USD' },
      receivedOn: '2026-01-01',
    });
    expect(payment.paymentId).toMatch(/^inpay_/);
    const events = await stripe.events.list({ type: 'invoice.paid', limit: 100 });
    const paid = events.data.find((e) => (e.data.object as Stripe.Invoice).id === invoiceId);
    expect(paid && 'payments' in paid.data.object).toBe(false);
  });

  it('dates an amendment in the future: a schedule from the subscription whose next phase applies on that day', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const created = await apply(
      change('C-FUT', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]]),
      'fut-create',
    );
    const amend = change('C-FUT', customer.id, 'amend', '2026-06-01', [['L1', price.id, 15]]);
    const result = await apply(amend, 'fut-amend');
    await apply(amend, 'fut-amend');
    expect(result.subscriptionId).toBe(created.subscriptionId);
    const schedules = await stripe.subscriptionSchedules.list({ customer: customer.id });
    expect(schedules.data.map((s) => s.id)).toEqual([result.scheduleId]);
    const phases = schedules.data[0]?.phases.map((p) => [p.start_date, p.end_date, p.items[0]?.quantity]);
    expect(phases).toEqual([
      [at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'), 10],
      [at('2026-06-01T00:00:00Z'), null, 15],
    ]);
    const quantity = async () =>
      (await stripe.subscriptions.retrieve(created.subscriptionId)).items.data[0]?.quantity;
    await advance(clock, '2026-05-31T00:00:00Z');
    expect(await quantity()).toBe(10);
    await advance(clock, '2026-06-01T01:00:00Z');
    expect(await quantity()).toBe(15);
  });

  it('creates a ramp as schedule phases: each step applies at its start date', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const result = await apply(
      change('C-RAMP', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]], {
        rampSteps: [
          { startDate: '2026-07-01', items: [{ lineId: 'L1', priceId: price.id, quantity: '20' }] },
        ],
      }),
      'ramp-create',
    );
    expect(result).toMatchObject({
      subscriptionId: expect.stringMatching(/^sub_/),
      scheduleId: expect.stringMatching(/^sub_sched_/),
      itemIds: { L1: expect.stringMatching(/^si_/) },
    });
    const schedule = await stripe.subscriptionSchedules.retrieve(result.scheduleId ?? '');
    expect(schedule.phases.map((p) => [p.end_date, p.items[0]?.quantity])).toEqual([
      [at('2026-07-01T00:00:00Z'), 10],
      [null, 20],
    ]);
    const sub = async () => stripe.subscriptions.retrieve(result.subscriptionId);
    expect((await sub()).metadata.revline_contract_id).toBe('C-RAMP');
    expect((await sub()).items.data[0]?.quantity).toBe(10);
    await advance(clock, '2026-07-01T01:00:00Z');
    expect((await sub()).items.data[0]?.quantity).toBe(20);
  });

  it('cancels now: the subscription ends and a final invoice credits the unused time (G2 figures)', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    await apply(change('C-CXL', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]]), 'cxl-create');
    await advance(clock, '2026-03-15T00:00:00Z');
    const result = await apply(
      change('C-CXL', customer.id, 'cancel', '2026-03-15', [['L1', price.id, 10]]),
      'cxl-now',
    );
    expect(result.status).toBe('canceled');
    const sub = await stripe.subscriptions.retrieve(result.subscriptionId);
    expect([sub.status, sub.canceled_at]).toEqual(['canceled', at('2026-03-15T00:00:00Z')]);
    const final = await stripe.invoices.retrieve(
      typeof sub.latest_invoice === 'string' ? sub.latest_invoice : '',
    );
    expect(final.lines.data.map((l) => l.amount)).toEqual([-960_000]);
    // Cancelling again changes nothing and raises no second invoice.
    await apply(change('C-CXL', customer.id, 'cancel', '2026-03-15', []), 'cxl-again');
    const invoices = await stripe.invoices.list({ customer: customer.id });
    expect(invoices.data).toHaveLength(2);
  });

  it('cancels at a future date inside the period, and at period end when the date is at or past it', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const inside = await apply(
      change('C-CXL-AT', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]),
      'cxl-at-create',
    );
    const end = await apply(
      change('C-CXL-END', customer.id, 'create', '2026-01-01', [['L2', price.id, 1]]),
      'cxl-end-create',
    );
    await apply(change('C-CXL-AT', customer.id, 'cancel', '2026-09-01', []), 'cxl-at');
    await apply(change('C-CXL-END', customer.id, 'cancel', '2027-03-01', []), 'cxl-end');
    const [a, b] = await Promise.all([
      stripe.subscriptions.retrieve(inside.subscriptionId),
      stripe.subscriptions.retrieve(end.subscriptionId),
    ]);
    expect([a.status, a.cancel_at, a.cancel_at_period_end]).toEqual([
      'active',
      at('2026-09-01T00:00:00Z'),
      false,
    ]);
    expect([b.status, b.cancel_at, b.cancel_at_period_end]).toEqual(['active', null, true]);
    await advance(clock, '2026-09-02T00:00:00Z');
    const later = await stripe.subscriptions.retrieve(inside.subscriptionId);
    expect([later.status, later.ended_at]).toEqual(['canceled', at('2026-09-01T00:00:00Z')]);
    expect((await stripe.subscriptions.retrieve(end.subscriptionId)).status).toBe('active');
    await advance(clock, '2027-01-01T02:00:00Z');
    const ended = await stripe.subscriptions.retrieve(end.subscriptionId);
    expect([ended.status, ended.ended_at]).toEqual(['canceled', at('2027-01-01T00:00:00Z')]);
  });

  it('renews: a subscription set to end at period end carries on into the next period with a renewal invoice', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const created = await apply(
      change('C-RENEW', customer.id, 'create', '2026-01-01', [['L1', price.id, 3]]),
      'renew-create',
    );
    await apply(change('C-RENEW', customer.id, 'cancel', '2027-01-01', []), 'renew-cancel');
    await advance(clock, '2026-11-01T00:00:00Z');
    const renewed = await apply(
      change('C-RENEW', customer.id, 'renew', '2026-11-01', [['L1', price.id, 3]]),
      'renew-renew',
    );
    expect(renewed.subscriptionId).toBe(created.subscriptionId);
    expect((await stripe.subscriptions.retrieve(created.subscriptionId)).cancel_at_period_end).toBe(false);
    await advance(clock, '2027-01-01T02:00:00Z');
    const sub = await stripe.subscriptions.retrieve(created.subscriptionId);
    expect([sub.status, sub.items.data[0]?.current_period_start]).toEqual([
      'active',
      at('2027-01-01T00:00:00Z'),
    ]);
    const [issued] = await announced(
      'billing.invoice-issued',
      (p) => p.customerId === customer.id && p.issuedOn === '2027-01-01',
    );
    expect(issued.total.amountMinor).toBe('360000');
    expect(issued.lines.map((l) => [l.periodStart, l.periodEnd])).toEqual([['2027-01-01', '2028-01-01']]);
  });

  /** A contract of 10 seats from 2026-01-01 ramping to 20 on 2026-07-01: its subscription is managed by a schedule. */
  async function ramped(contractId: string) {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const created = await apply(
      change(contractId, customer.id, 'create', '2026-01-01', [['L1', price.id, 10]], {
        rampSteps: [
          { startDate: '2026-07-01', items: [{ lineId: 'L1', priceId: price.id, quantity: '20' }] },
        ],
      }),
      `${contractId}-create`,
    );
    return { clock, customer, price, created, scheduleId: created.scheduleId ?? '' };
  }

  it('cancels a ramped contract later through its schedule: Stripe refuses cancel fields on such a subscription', async () => {
    const { clock, customer, created, scheduleId } = await ramped('C-RAMP-CXL');
    await expect(
      stripe.subscriptions.update(created.subscriptionId, { cancel_at_period_end: true }),
    ).rejects.toMatchObject({
      statusCode: 400,
      rawType: 'invalid_request_error',
      message: expect.stringMatching(
        /managed by the subscription schedule .*Please update the schedule instead/,
      ),
    });
    const result = await apply(change('C-RAMP-CXL', customer.id, 'cancel', '2026-09-01', []), 'ramp-cxl');
    await apply(change('C-RAMP-CXL', customer.id, 'cancel', '2026-09-01', []), 'ramp-cxl');
    expect(result).toMatchObject({ subscriptionId: created.subscriptionId, status: 'active', scheduleId });
    const schedule = await stripe.subscriptionSchedules.retrieve(scheduleId);
    expect(schedule.end_behavior).toBe('cancel');
    expect(schedule.phases.map((p) => [p.start_date, p.end_date, p.items[0]?.quantity])).toEqual([
      [at('2026-01-01T00:00:00Z'), at('2026-07-01T00:00:00Z'), 10],
      [at('2026-07-01T00:00:00Z'), at('2026-09-01T00:00:00Z'), 20],
    ]);
    await advance(clock, '2026-08-31T00:00:00Z');
    expect((await stripe.subscriptions.retrieve(created.subscriptionId)).status).toBe('active');
    await advance(clock, '2026-09-02T00:00:00Z');
    const ended = await stripe.subscriptions.retrieve(created.subscriptionId);
    expect([ended.status, ended.ended_at]).toEqual(['canceled', at('2026-09-01T00:00:00Z')]);
  });

  it('cancels a ramped contract now by cancelling its schedule, with the final invoice crediting unused time', async () => {
    const { clock, customer, created, scheduleId } = await ramped('C-RAMP-NOW');
    await advance(clock, '2026-03-15T00:00:00Z');
    const result = await apply(change('C-RAMP-NOW', customer.id, 'cancel', '2026-03-15', []), 'ramp-now');
    expect(result.status).toBe('canceled');
    expect((await stripe.subscriptionSchedules.retrieve(scheduleId)).status).toBe('canceled');
    const sub = await stripe.subscriptions.retrieve(created.subscriptionId);
    expect([sub.status, sub.canceled_at]).toEqual(['canceled', at('2026-03-15T00:00:00Z')]);
    const final = await stripe.invoices.retrieve(
      typeof sub.latest_invoice === 'string' ? sub.latest_invoice : '',
    );
    expect(final.lines.data.map((l) => l.amount)).toEqual([-960_000]);
  });

  it('renews a ramped contract set to end: its schedule releases the subscription instead of cancelling it', async () => {
    const { clock, customer, price, created, scheduleId } = await ramped('C-RAMP-RENEW');
    await apply(change('C-RAMP-RENEW', customer.id, 'cancel', '2027-01-01', []), 'ramp-renew-cancel');
    expect((await stripe.subscriptionSchedules.retrieve(scheduleId)).end_behavior).toBe('cancel');
    await advance(clock, '2026-11-01T00:00:00Z');
    await apply(
      change('C-RAMP-RENEW', customer.id, 'renew', '2026-11-01', [['L1', price.id, 20]]),
      'ramp-renew',
    );
    expect((await stripe.subscriptionSchedules.retrieve(scheduleId)).end_behavior).toBe('release');
    await advance(clock, '2027-01-01T02:00:00Z');
    const sub = await stripe.subscriptions.retrieve(created.subscriptionId);
    expect([sub.status, sub.items.data[0]?.quantity, sub.items.data[0]?.current_period_start]).toEqual([
      'active',
      20,
      at('2027-01-01T00:00:00Z'),
    ]);
  });

  it('bills a unit amount other than the catalogue price through one price per lookup key, created once', async () => {
    const { clock, customer, price } = await account('2026-01-01T00:00:00Z');
    const priced = (payload: Change, unitAmount: string): Change => ({
      ...payload,
      items: payload.items.map((item) => ({ ...item, unitAmount })),
    });
    const withKey = async (key: string) => (await stripe.prices.list({ lookup_keys: [key] })).data;
    // The catalogue's own amount (1,200.00 a year) is the catalogue price: no price is made for it.
    const created = await apply(
      priced(change('C-UPLIFT', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]]), '1200.00'),
      'uplift-create',
    );
    const sub = () => stripe.subscriptions.retrieve(created.subscriptionId);
    expect((await sub()).items.data.map((i) => i.price.id)).toEqual([price.id]);
    expect(await withKey(`${price.id}:1200`)).toEqual([]);

    // The renewal at +5 %, dated 2027-01-01, run twice (a retry): one price of 1,260.00 a year, same product and
    // interval, under the lookup key; a schedule phase moves the subscription to it on that date.
    await advance(clock, '2026-10-01T00:00:00Z');
    const renewal = priced(
      change('C-UPLIFT', customer.id, 'renew', '2027-01-01', [['L1', price.id, 10]]),
      '1260',
    );
    const first = await apply(renewal, 'uplift-renew');
    // A worker that died after the effect and before its inbox row runs the command again through the port.
    const port = billing.app.get(BillingPort);
    const again = await port.applyContractChange(
      toContractChange(job('billing.apply-contract-change', renewal, 'uplift-renew')),
      'uplift-renew',
    );
    expect([again.subscriptionId, again.scheduleId]).toEqual([first.subscriptionId, first.scheduleId]);
    expect(first.invoiceId).toBeUndefined();
    const [uplifted, ...more] = await withKey(`${price.id}:1260`);
    expect(more).toEqual([]);
    expect(uplifted).toMatchObject({
      product: price.product,
      currency: 'usd',
      unit_amount: 126_000,
      recurring: expect.objectContaining({ interval: 'year', interval_count: 1 }) as unknown,
      metadata: { revline_catalogue_price: price.id },
    });
    const creates = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "billing"."stripe_requests" WHERE "operation" = 'prices.create'
        AND "params"->>'lookup_key' = $1`,
      [`${price.id}:1260`],
    );
    expect(creates[0]?.n).toBe(1);

    // Two other contracts asking at once for an amount no price has yet (written "1320.0" and "1320") race for it:
    // Stripe lets one price hold a lookup key, and the loser reads the winner's.
    const [x, y] = await Promise.all([
      apply(
        priced(change('C-UPLIFT-X', customer.id, 'create', '2026-10-01', [['LX', price.id, 1]]), '1320.0'),
        'uplift-x',
      ),
      apply(
        priced(change('C-UPLIFT-Y', customer.id, 'create', '2026-10-01', [['LY', price.id, 2]]), '1320'),
        'uplift-y',
      ),
    ]);
    const raced = await withKey(`${price.id}:1320`);
    expect(raced.map((p) => p.unit_amount)).toEqual([132_000]);
    for (const result of [x, y]) {
      const items = (await stripe.subscriptions.retrieve(result.subscriptionId)).items.data;
      expect(items.map((i) => i.price.id)).toEqual([raced[0]?.id]);
    }

    // On the date the subscription moves to the uplifted price and Stripe invoices the year in advance.
    await advance(clock, '2027-01-01T02:00:00Z');
    expect((await sub()).items.data.map((i) => [i.price.id, i.quantity])).toEqual([[uplifted.id, 10]]);
    const [issued] = await announced(
      'billing.invoice-issued',
      (p) => p.subscriptionId === created.subscriptionId && p.issuedOn === '2027-01-01',
    );
    expect(issued.total.amountMinor).toBe('1260000');
  });

  it('refuses a unit amount it cannot price', async () => {
    const { customer, price } = await account('2026-01-01T00:00:00Z');
    const payload = change('C-BADAMOUNT', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]);
    for (const unitAmount of ['-1260', '1,260', '12.3456789012345'])
      // Refused as a command that cannot be sent as it is: answered as billing.rejected, never sent to Stripe.
      expect(
        await apply(
          { ...payload, items: payload.items.map((i) => ({ ...i, unitAmount })) },
          `bad-${unitAmount}`,
        ),
      ).toMatchObject({
        rejected: 'schema_violation',
        message: expect.stringMatching(/items\[0\]\.unitAmount must be a non-negative decimal/),
      });
    expect((await stripe.subscriptions.list({ customer: customer.id })).data).toEqual([]);
  });

  it('reads the invoices of a period, and exports every line of a many-line invoice page by page', async () => {
    const { customer } = await account('2027-03-01T00:00:00Z');
    const product = await stripe.products.create({ name: 'Module' });
    const prices = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        stripe.prices.create({
          product: product.id,
          currency: 'usd',
          unit_amount: 1_000 * (i + 1),
          recurring: { interval: 'month' },
        }),
      ),
    );
    const created = await apply(
      change(
        'C-MANY',
        customer.id,
        'create',
        '2027-03-01',
        prices.map((p, i): Line => [`M${i}`, p.id, 1]),
      ),
      'many-create',
    );
    const invoiceId = created.invoiceId ?? '';
    // As on Stripe, the invoice shows its first lines inline; the rest are read from its lines.
    const shown = await stripe.invoices.retrieve(invoiceId);
    expect([shown.lines.data.length, shown.lines.has_more]).toEqual([10, true]);
    const all = await stripe.invoices.listLineItems(invoiceId, { limit: 100 });
    expect(all.data).toHaveLength(12);

    const [issued] = await announced('billing.invoice-issued', (p) => p.documentId === invoiceId);
    expect(issued.lines.map((l) => l.lineId)).toEqual(all.data.map((l) => l.id));

    const viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    const period = await request(billing.url)
      .get(`/v1/invoices?from=2027-03-01&to=2027-03-31&customerId=${customer.id}`)
      .set(bearer(viewer))
      .expect(200);
    expect(period.body).toEqual([
      expect.objectContaining({
        invoiceId,
        customerId: customer.id,
        subscriptionId: created.subscriptionId,
        status: 'open',
        issuedOn: '2027-03-01',
        total: { amountMinor: '78000', currency: 'USD' },
      }),
    ]);
    const before = await request(billing.url)
      .get(`/v1/invoices?from=2027-02-01&to=2027-02-28&customerId=${customer.id}`)
      .set(bearer(viewer))
      .expect(200);
    expect(before.body).toEqual([]);

    const pages: InvoiceLineView[][] = [];
    for await (const page of billing.app
      .get(BillingPort)
      .exportInvoiceLines({ from: '2027-03-01', to: '2027-03-01', pageSize: 5 }))
      pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([5, 5, 2]);
    expect(pages.flat().map((l) => l.lineId)).toEqual(all.data.map((l) => l.id));
    const ndjson = await request(billing.url)
      .get('/v1/invoice-lines/export?from=2027-03-01&to=2027-03-01&pageSize=5')
      .set(bearer(viewer))
      .expect(200);
    const exported = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as InvoiceLineView);
    expect(exported.map((l) => [l.lineId, l.amount.amountMinor])).toEqual(
      all.data.map((l) => [l.id, String(l.amount)]),
    );
  });
});
