import type { RevenueRunListDto } from '@revline/finance-api';
import type { BillingDocumentPayload } from '@revline/messaging';
import { createEnvelope, jobIdFor, Queues } from '@revline/messaging';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { StripeStore } from '../../apps/sandbox/src/stripe/state/store';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import { reconciliation } from '../reconciliation/recon-env';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

interface Problem {
  detail: string;
  errors: Array<{ field: string; problem: string }>;
}

/**
 * POST /v1/usage: bulk usage staged once per identifier and reported to Stripe's meter per customer, meter and UTC
 * day of use, the day's usage summed into one meter event. The customer lives on a test clock frozen at
 * 2026-03-31: Stripe takes meter events of the past 35 days (from 2026-02-24) up to 5 minutes ahead.
 */
describe('bulk usage through the sandbox', () => {
  let env: Q2cEnv;
  let orderId: string;
  let customerId: string;
  let operator: string;
  let meterId: string;

  const row = (identifier: string, extra: object = {}) => ({
    identifier,
    contractId: orderId,
    productCode: 'API-CALLS',
    quantity: 1000,
    occurredAt: '2026-03-10T12:00:00Z',
    ...extra,
  });
  const upload = (body: unknown, type = 'application/json') =>
    request(env.q2c.url)
      .post('/v1/usage')
      .set(bearer(operator))
      .set('content-type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const staged = async (): Promise<{ rows: number; commands: number }> => {
    const counts = await env.db.dataSource.query<Array<{ rows: number; commands: number }>>(
      `SELECT (SELECT count(*) FROM "q2c"."usage_events")::int AS rows,
              (SELECT count(*) FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage')::int AS commands`,
    );
    return counts.at(0) ?? { rows: -1, commands: -1 };
  };
  /** The meter events the report commands whose key is like `key` carry (one Stripe request each). */
  const sentEvents = (key: string) =>
    env.db.dataSource.query<Array<{ identifier: string; value: string; timestamp: string }>>(
      `SELECT e->>'identifier' AS identifier, e->>'value' AS value, e->>'timestamp' AS timestamp
         FROM "q2c"."outbox" o, jsonb_array_elements(o."envelope"->'payload'->'events') e
        WHERE o."job" = 'billing.report-usage' AND o."idempotency_key" LIKE $1 ORDER BY 3`,
      [key],
    );
  /** Stripe's meter event summaries of the customer, per UTC day from `from` to `to` (exclusive), oldest first. */
  const daySums = async (from: string, to: string): Promise<Array<[string, number]>> => {
    const summaries = await env.stripe.billing.meters.listEventSummaries(meterId, {
      customer: customerId,
      start_time: at(`${from}T00:00:00Z`),
      end_time: at(`${to}T00:00:00Z`),
      value_grouping_window: 'day',
    });
    return summaries.data
      .map((d): [string, number] => [
        new Date(d.start_time * 1000).toISOString().slice(0, 10),
        d.aggregated_value,
      ])
      .reverse();
  };
  /** The meter events Stripe (the sandbox) holds for the customer: one per request it took. */
  const storedMeterEvents = () =>
    [...env.stripeSandbox.app.get(StripeStore).meterEvents.values()].filter((e) => e.customer === customerId)
      .length;

  beforeAll(async () => {
    env = await startQ2cEnv();
    await env.customerOnTestClock('2026-03-31T00:00:00Z');
    const booked = await env.bookG1();
    orderId = booked.orderId;
    customerId = booked.saga.data.billingCustomerId ?? '';
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    // A sum meter: one meter event carrying a day's summed usage bills as that day's events would.
    meterId = (
      await env.stripe.billing.meters.create({
        display_name: 'API calls',
        event_name: 'api_calls',
        default_aggregation: { formula: 'sum' },
      })
    ).id;
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('refuses a bad upload naming the row and field, and stages nothing of it', async () => {
    const cases: Array<[unknown, string, string?]> = [
      [{ identifier: 'x' }, 'body'],
      [[], 'rows'],
      [[row('u-1'), row('u-2', { quantity: -3 })], 'rows[1].quantity'],
      [[row('u-1', { quantity: '12.5.1' })], 'rows[0].quantity'],
      [[row('u-1', { seats: 2 })], 'rows[0].seats'],
      [[row('u-1', { occurredAt: '2026-03-10' })], 'rows[0].occurredAt'],
      [[row('u 1')], 'rows[0].identifier'],
      [[row('u-1'), row('u-1', { quantity: 5 })], 'rows[1].identifier'],
      [[row('u-1'), row('u-2', { contractId: 'nope' })], 'rows[1].contractId'],
      [[row('u-1', { productCode: 'SEAT' })], 'rows[0].productCode'],
      [[row('u-1', { productCode: 'GHOST' })], 'rows[0].productCode'],
      [[row('u-1'), 'oops'], 'rows[1]'],
      [`${JSON.stringify(row('u-1'))}\n{not json\n`, 'lines[2]', 'application/x-ndjson'],
    ];
    for (const [body, field, type] of cases) {
      const res = await upload(body, type).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(
        (res.body as Problem).errors.map((e) => e.field),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(await staged()).toEqual({ rows: 0, commands: 0 });
    const viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    await request(env.q2c.url)
      .post('/v1/usage')
      .set(bearer(viewer))
      .send([row('u-1')])
      .expect(403);
  });

  it('stages a JSON array and JSON lines once per identifier and reports them to Stripe per customer', async () => {
    const first = await upload([row('u-1'), row('u-2', { quantity: '2500' }), row('u-1')]).expect(200);
    expect(first.body).toMatchObject({ received: 3, staged: 2, duplicates: 1 });
    expect((first.body as { commands: unknown[] }).commands).toEqual([
      {
        customerId,
        meterEventName: 'api_calls',
        events: 2,
        idempotencyKey: expect.stringMatching(/^usage:/),
      },
    ]);
    const lines = [row('u-2', { quantity: '2500' }), row('u-3'), row('u-4', { quantity: '0.5' })]
      .map((r) => JSON.stringify(r))
      .join('\n');
    const second = await upload(`${lines}\n`, 'application/x-ndjson').expect(200);
    expect(second.body).toMatchObject({ received: 3, staged: 2, duplicates: 1 });
    // The same upload again: everything is a duplicate, nothing more is reported.
    const again = await upload(`${lines}\n`, 'application/x-ndjson').expect(200);
    expect(again.body).toMatchObject({ received: 3, staged: 0, duplicates: 3, commands: [] });
    expect(await staged()).toEqual({ rows: 4, commands: 2 });
    await env.settle();

    // system-billing applied both commands: one meter event each (one day of use), 4,500.5 calls on 2026-03-10.
    const applied = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "billing"."inbox" WHERE "idempotency_key" LIKE 'usage:%'`,
    );
    expect(applied).toHaveLength(2);
    expect(await daySums('2026-03-10', '2026-03-11')).toEqual([['2026-03-10', 4500.5]]);
    // Stripe holds each aggregate's identifier once: a resend of the same command is refused as a duplicate.
    const sent = await sentEvents(`usage:${customerId}:api_calls:%`);
    expect(sent).toHaveLength(2);
    for (const event of sent) {
      await expect(
        env.stripe.billing.meterEvents.create({
          event_name: 'api_calls',
          identifier: event.identifier,
          timestamp: at(event.timestamp),
          payload: { stripe_customer_id: customerId, value: event.value },
        }),
      ).rejects.toThrow(/already exists/);
    }
    expect(await daySums('2026-03-10', '2026-03-11')).toEqual([['2026-03-10', 4500.5]]);
    const exceptions = await env.db.dataSource.query<unknown[]>(`SELECT 1 FROM "billing"."exceptions"`);
    expect(exceptions).toEqual([]);
  });
  it('stages concurrent uploads of the same identifiers once, each row in exactly one report command', async () => {
    const ids = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => row(`c-${String(from + i)}`, { quantity: String(1 + i) }));
    const [a, b] = await Promise.all([upload(ids(0, 3000)), upload(ids(1500, 4500))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const outcomes = [a.body, b.body] as Array<{ received: number; staged: number; duplicates: number }>;
    expect(outcomes.reduce((n, o) => n + o.staged, 0)).toBe(4500);
    expect(outcomes.reduce((n, o) => n + o.duplicates, 0)).toBe(1500);
    // Each command (one per upload: one customer, one day) reports exactly the sum of the rows it was given.
    const [check] = await env.db.dataSource.query<
      Array<{ rows: number; commands: number; matching: number }>
    >(
      `WITH staged AS (
         SELECT "command_key" AS key, sum("quantity") AS value FROM "q2c"."usage_events"
          WHERE "identifier" LIKE 'c-%' GROUP BY 1),
       reported AS (
         SELECT o."idempotency_key" AS key, sum((e->>'value')::numeric) AS value, count(*) AS events
           FROM "q2c"."outbox" o, jsonb_array_elements(o."envelope"->'payload'->'events') e
          WHERE o."job" = 'billing.report-usage' AND o."idempotency_key" IN (SELECT key FROM staged) GROUP BY 1)
       SELECT (SELECT count(*) FROM "q2c"."usage_events" WHERE "identifier" LIKE 'c-%')::int AS rows,
              (SELECT count(*) FROM staged)::int AS commands,
              (SELECT count(*) FROM staged s JOIN reported r USING (key) WHERE r.value = s.value AND r.events = 1)::int
                AS matching`,
    );
    expect(check).toEqual({ rows: 4500, commands: 2, matching: 2 });
    // The day sums usage invoices read hold each stored event once, the repeats of the other upload left out.
    const totals = await env.db.dataSource.query<Array<{ events: number; quantity: string }>>(
      `SELECT sum("events")::int AS events, sum("quantity")::text AS quantity FROM "q2c"."usage_days"
       UNION ALL SELECT count(*)::int, sum("quantity")::text FROM "q2c"."usage_events"`,
    );
    expect(totals).toHaveLength(2);
    expect(totals[0]).toEqual(totals[1]);
    expect(totals[1]?.events).toBeGreaterThanOrEqual(4500);
    await env.settle();
    const exceptions = await env.db.dataSource.query<unknown[]>(`SELECT 1 FROM "billing"."exceptions"`);
    expect(exceptions).toEqual([]);
  }, 60_000);

  it('sums N events over K customer-days into K meter events, exactly, split at UTC midnight', async () => {
    const before = storedMeterEvents();
    const hour = (i: number) => String(i).padStart(2, '0');
    const rows = [
      ...Array.from({ length: 300 }, (_, i) =>
        row(`d20-${String(i)}`, { quantity: '0.1', occurredAt: `2026-03-20T${hour(i % 24)}:00:00Z` }),
      ),
      row('d20-last', { quantity: '0.2', occurredAt: '2026-03-20T23:59:59Z' }),
      row('d21-first', { quantity: '1.05', occurredAt: '2026-03-21T00:00:00Z' }),
      ...Array.from({ length: 199 }, (_, i) =>
        row(`d21-${String(i)}`, { quantity: '2', occurredAt: `2026-03-21T${hour(i % 12)}:30:00Z` }),
      ),
    ];
    const res = await upload(rows).expect(200);
    expect(res.body).toMatchObject({ received: 501, staged: 501, duplicates: 0 });
    const commands = (res.body as { commands: Array<{ events: number; idempotencyKey: string }> }).commands;
    expect(commands.map((c) => c.events)).toEqual([501]);
    await env.settle();
    // 501 events over 2 customer-days: 2 meter events (2 Stripe requests), each at its day's latest event.
    const sent = await sentEvents(commands[0]?.idempotencyKey ?? '');
    expect(sent.map((e) => [e.value, e.timestamp])).toEqual([
      ['30.2', '2026-03-20T23:59:59.000Z'],
      ['399.05', '2026-03-21T11:30:00.000Z'],
    ]);
    expect(storedMeterEvents() - before).toBe(2);
    expect(await daySums('2026-03-19', '2026-03-23')).toEqual([
      ['2026-03-20', 30.2],
      ['2026-03-21', 399.05],
    ]);
  }, 60_000);

  it('sends the days Stripe takes, and brings a day it refuses (over 35 days old) to the workbench', async () => {
    const res = await upload([
      row('old-1', { quantity: '7', occurredAt: '2026-02-20T10:00:00Z' }),
      row('new-1', { quantity: '3', occurredAt: '2026-03-25T10:00:00Z' }),
    ]).expect(200);
    expect(res.body).toMatchObject({ received: 2, staged: 2 });
    await env.settle();
    expect(await daySums('2026-03-24', '2026-03-27')).toEqual([['2026-03-25', 3]]);
    expect(await daySums('2026-02-19', '2026-02-22')).toEqual([]);
    const refused = await env.db.dataSource.query<
      Array<{ category: string; status: string; reason: string }>
    >(
      `SELECT "category", "status", "reason" FROM "q2c"."exceptions" WHERE "reason" LIKE '%billing.report-usage%'`,
    );
    expect(refused).toEqual([
      {
        category: 'billing_rejected',
        status: 'open',
        reason: expect.stringMatching(
          /^Stripe refused billing\.report-usage: Stripe refused 1 of 2 meter events: 2026-02-20T10:00:00\.000Z \(value 7\): The event timestamp cannot be more than 35 days in past\./,
        ),
      },
    ]);
  }, 60_000);
});

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

interface WaterfallMonth {
  period: string;
  openingDeferredMinor: string;
  billedMinor: string;
  recognisedMinor: string;
  closingDeferredMinor: string;
}
interface Waterfall {
  currencies: Array<{ currency: string; months: WaterfallMonth[] }>;
}

/**
 * Golden example G7 end to end: 100,000 API calls included a month, 0.002 USD a call beyond (Stripe graduated tiers,
 * `unit_amount_decimal` "0.2" cents). The contract is booked in Salesforce with its seats and its API-calls line; the
 * booking saga creates one Stripe subscription with both items — the seats billed yearly in advance, the metered
 * price monthly in arrears from its meter, without a quantity (flexible billing mode mixes the intervals). 130,000
 * calls reported through POST /v1/usage in March are invoiced by Stripe on 2026-04-01 at 60.00 USD; Revline books
 * the invoice in NetSuite on its date and keeps the revenue for March, the month of use, which March's revenue run
 * posts (revenue is posted at period close, the default).
 */
describe('G7: usage overage billed monthly in arrears, revenue in the month of use', () => {
  let env: Q2cEnv;
  let orderId: string;
  let correlationId: string;
  let clockId: string;
  let customerId: string;
  let subscriptionId: string;
  let meteredPriceId: string;
  let operator: string;

  const ledger = () =>
    env.netsuite.suiteql(
      'SELECT externalid, type, foreigntotal, trandate FROM transaction ORDER BY externalid',
    );
  const waterfall = async (): Promise<Waterfall> =>
    (
      await request(env.q2c.url)
        .get('/v1/revenue/waterfall')
        .query({ from: '2026-01', to: '2026-06', contractId: orderId })
        .set(bearer(operator))
        .expect(200)
    ).body as Waterfall;
  /** The usage revenue kept for the period close, by month of use: only billed usage carries a figure. */
  const usagePostings = () =>
    env.db.dataSource.query<Array<{ period: string; posted: string }>>(
      `SELECT "period", "amount_minor"::text AS posted FROM "q2c"."usage_revenue"
        WHERE "contract_id" = $1 AND "obligation_id" = 'POB-USAGE' AND "amount_minor" <> 0 ORDER BY "period"`,
      [orderId],
    );
  const revenueAccount = async (): Promise<string> =>
    (
      await env.netsuite.suiteql(`SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`)
    ).at(0)?.b ?? '0';
  beforeAll(async () => {
    // Queues of its own: the suite above shares this process, and its last jobs may still be in Redis.
    env = await startQ2cEnv({ QUEUE_PREFIX: `test-g7-${randomBytes(4).toString('hex')}` });
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    clockId = clock.id;
    customerId = (await env.stripe.customers.create({ name: 'Acme Corp', test_clock: clock.id })).id;
    await env.sales
      .sobject('Account')
      .update({ Id: env.catalogue.accountId, Revline_Billing_Id__c: customerId });
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);

    // Stripe: the API-calls meter and its monthly metered price, 100,000 included, then 0.2 cents a call; the
    // catalogue maps API-CALLS to it.
    const meter = await env.stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: 'api_calls',
      default_aggregation: { formula: 'sum' },
    });
    const product = await env.stripe.products.create({ name: 'API calls' });
    meteredPriceId = (
      await env.stripe.prices.create({
        product: product.id,
        currency: 'usd',
        billing_scheme: 'tiered',
        tiers_mode: 'graduated',
        tiers: [
          { up_to: 100_000, unit_amount: 0 },
          { up_to: 'inf', unit_amount_decimal: Stripe.Decimal.from('0.2') },
        ],
        recurring: { interval: 'month', usage_type: 'metered', meter: meter.id },
      })
    ).id;
    const active = await request(env.q2c.url).get('/v1/mappings/active').set(bearer(env.admin)).expect(200);
    const { definition: current, version: baseVersion } = active.body as {
      definition: MappingDefinition;
      version: number;
    };
    const proposal: MappingDefinition = {
      ...current,
      productCatalogue: current.productCatalogue.map((entry) =>
        entry.productCode === 'API-CALLS' ? { ...entry, billingPriceId: meteredPriceId } : entry,
      ),
    };
    const proposed = await request(env.q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(env.admin))
      .send({ summary: 'API calls billed on the Stripe metered price', baseVersion, definition: proposal })
      .expect(201);
    const checker = await seedApiKey(env.db.dataSource, ['integration.admin']);
    await request(env.q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'Metered price checked' })
      .expect(200);

    // Salesforce: the API-calls product, and the G1 order with its usage line (1 at 0.00: usage is priced by the
    // catalogue's metered price, billed from the meter), activated.
    const standard = (
      await env.sales.query<{ Id: string }>('SELECT Id FROM Pricebook2 WHERE IsStandard = true')
    ).records.at(0);
    const created = async (sobject: string, record: Record<string, unknown>): Promise<string> => {
      const result = await env.sales.sobject(sobject).create(record);
      if (!result.success) throw new Error(`${sobject} not created`);
      return result.id;
    };
    const apiCalls = await created('Product2', {
      Name: 'API calls',
      ProductCode: 'API-CALLS',
      SBQQ__ChargeType__c: 'Usage',
    });
    await created('PricebookEntry', { Pricebook2Id: standard?.Id, Product2Id: apiCalls, UnitPrice: 0 });
    const apiCallsEntry = await created('PricebookEntry', {
      Pricebook2Id: env.catalogue.pricebookId,
      Product2Id: apiCalls,
      UnitPrice: 0,
    });
    orderId = await created('Order', {
      AccountId: env.catalogue.accountId,
      Pricebook2Id: env.catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    });
    await created('OrderItem', {
      OrderId: orderId,
      PricebookEntryId: env.catalogue.seatsEntryId,
      Quantity: 10,
      UnitPrice: 1200,
    });
    await created('OrderItem', {
      OrderId: orderId,
      PricebookEntryId: apiCallsEntry,
      Quantity: 1,
      UnitPrice: 0,
      SBQQ__ChargeType__c: 'Usage',
    });
    await activateOrders(env.sales, [orderId]);
    const booked = (await env.completed(orderId, 1)).at(0);
    correlationId = booked?.correlation_id ?? '';
    subscriptionId = booked?.data.subscriptionId ?? '';
    await env.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: at('2026-03-31T00:00:00Z') });
    await env.settle();
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('books the contract with its usage line: one subscription, seats and the metered price without a quantity', async () => {
    // Stripe: the booking's subscription holds both items; the metered one has no quantity.
    const subscription = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.customer).toBe(customerId);
    expect(subscription.metadata).toMatchObject({ revline_contract_id: orderId });
    const items = subscription.items.data.map((i) => ({
      price: i.price.id,
      quantity: i.quantity,
      usage: i.price.recurring?.usage_type,
      interval: i.price.recurring?.interval,
    }));
    expect(items).toHaveLength(2);
    expect(items.find((i) => i.usage === 'licensed')).toMatchObject({ quantity: 10, interval: 'year' });
    expect(items.find((i) => i.usage === 'metered')).toEqual({
      price: meteredPriceId,
      quantity: undefined,
      usage: 'metered',
      interval: 'month',
    });

    // The booking invoice charged the seats only (12,000.00), nothing of the metered item: usage bills in arrears.
    const booking = (await env.sagas(orderId)).at(0);
    const invoice = await env.stripe.invoices.retrieve(booking?.data.invoices.at(0)?.documentId ?? '');
    expect(invoice.total).toBe(1_200_000);
    expect(invoice.lines.data.map((l) => l.pricing?.price_details?.price)).not.toContain(meteredPriceId);
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([1_200_000]);
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT foreigntotal FROM transaction WHERE externalid = 'INV-${invoice.id}'`,
    );
    expect(erpInvoice).toMatchObject({ foreigntotal: '12000.00' });

    // Nothing billed for January and February: no usage was reported.
    const invoices = await env.stripe.invoices.list({ subscription: subscriptionId });
    expect(invoices.data.filter((i) => i.id !== invoice.id).map((i) => i.total)).toEqual([0, 0]);
  });

  it('bills 130,000 March calls at 60.00 on 2026-04-01 and keeps the revenue for March, posted once by its close', async () => {
    const rows = Array.from({ length: 13 }, (_, i) => ({
      identifier: `g7-${String(i)}`,
      contractId: orderId,
      productCode: 'API-CALLS',
      quantity: 10_000,
      occurredAt: `2026-03-${String(i + 2).padStart(2, '0')}T12:00:00Z`,
    }));
    const reported = await request(env.q2c.url)
      .post('/v1/usage')
      .set(bearer(operator))
      .send(rows)
      .expect(200);
    expect(reported.body).toMatchObject({ received: 13, staged: 13, duplicates: 0 });
    await env.settle();
    const before = await ledger();
    const waterfallBefore = await waterfall();

    await env.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: at('2026-04-01T02:00:00Z') });
    await eventually(async () => (await usagePostings()).length > 0, 30_000);
    await env.settle();

    // Stripe: the March invoice of the booking's subscription, 30,000 calls over the allowance: 60.00, the usage
    // line alone (the seats renew in 2027).
    const invoices = await env.stripe.invoices.list({ subscription: subscriptionId });
    const march = invoices.data.find((i) => i.total > 0 && i.total !== 1_200_000);
    expect(march?.total).toBe(6000);
    expect(march?.status_transitions.finalized_at).toBeGreaterThanOrEqual(at('2026-04-01T00:00:00Z'));
    expect(
      march?.lines.data.map((l) => [l.amount, l.period.start, l.period.end, l.pricing?.price_details?.price]),
    ).toEqual([[6000, at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'), meteredPriceId]]);

    // NetSuite: the invoice of 60.00 on 2026-04-01, nothing else new; the 60.00 of revenue kept for March (not
    // April), posted by March's revenue run.
    const after = await ledger();
    const invoiceId = `INV-${march?.id ?? ''}`;
    const added = after.filter((t) => !before.some((b) => b.externalid === t.externalid));
    expect(added.find((t) => t.externalid === invoiceId)).toMatchObject({
      foreigntotal: '60.00',
      trandate: expect.stringMatching(/^(2026-04-01|4\/1\/2026)$/),
    });
    expect(added).toHaveLength(1);
    expect(await usagePostings()).toEqual([{ period: '2026-03', posted: '6000' }]);
    expect(await revenueAccount()).toBe('0');
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

    // The revenue waterfall: 60.00 more recognised in March (the month of use), 60.00 billed in April (the invoice's
    // month), so March closes 60.00 lower (unbilled usage) and April is back where it was; every month rolls forward.
    const waterfallAfter = await waterfall();
    const month = (w: Waterfall, period: string) => w.currencies[0]?.months.find((m) => m.period === period);
    const change = (period: string, field: keyof WaterfallMonth) =>
      BigInt(month(waterfallAfter, period)?.[field] ?? 'NaN') -
      BigInt(month(waterfallBefore, period)?.[field] ?? 'NaN');
    expect(waterfallAfter.currencies.map((c) => c.currency)).toEqual(['USD']);
    expect(
      ['recognisedMinor', 'billedMinor', 'closingDeferredMinor'].map((f) =>
        change('2026-03', f as keyof WaterfallMonth),
      ),
    ).toEqual([6000n, 0n, -6000n]);
    expect(
      ['recognisedMinor', 'billedMinor', 'closingDeferredMinor'].map((f) =>
        change('2026-04', f as keyof WaterfallMonth),
      ),
    ).toEqual([0n, 6000n, 0n]);
    expect(month(waterfallAfter, '2026-04')?.billedMinor).toBe('6000');
    for (const m of waterfallAfter.currencies[0]?.months ?? []) {
      expect(
        BigInt(m.openingDeferredMinor) + BigInt(m.billedMinor) - BigInt(m.recognisedMinor),
        m.period,
      ).toBe(BigInt(m.closingDeferredMinor));
    }
    const months = waterfallAfter.currencies[0]?.months ?? [];
    expect(months.slice(1).map((m) => m.openingDeferredMinor)).toEqual(
      months.slice(0, -1).map((m) => m.closingDeferredMinor),
    );

    // March's revenue run, the first, posts the revenue to March's end: the seats' January..March (2,958.90) and the
    // usage's 60.00, in the month of use.
    await request(env.q2c.url)
      .post('/v1/close/2026-03/revenue-runs')
      .set(bearer(operator))
      .send({})
      .expect(200);
    await env.settle();
    const runs = await request(env.q2c.url)
      .get('/v1/close/2026-03/revenue-runs')
      .set(bearer(operator))
      .expect(200);
    const run = (runs.body as RevenueRunListDto).items.at(0);
    expect(run?.state).toBe('posted');
    const lines = await request(env.q2c.url)
      .get(`/v1/close/2026-03/revenue-runs/${run?.runId ?? ''}/lines`)
      .set(bearer(operator))
      .expect(200);
    expect(lines.text).toContain(`${orderId},POB-USAGE,`);
    const usageLine = lines.text.split('\n').find((l) => l.startsWith(`${orderId},POB-USAGE,`));
    expect(usageLine?.split(',')[7]).toBe('6000');
    expect(await revenueAccount()).toBe('-3018.90');
    const closed = await ledger();

    // Reconciliation of contract ↔ revenue: the usage revenue posted for March is expected there (not an
    // unexpected posting), and the usage invoice counts as billed in April, so neither month finds a break.
    const recon = await reconciliation(env);
    for (const period of ['2026-03', '2026-04']) {
      const run = await recon.run({ scope: 'contract-revenue', period });
      expect(run.status, period).toBe('completed');
      const found = await recon.breaks(run.runId, { status: 'open' });
      expect(
        found.filter((b) => b.contractId === orderId).map((b) => [b.category, b.expected, b.actual]),
        period,
      ).toEqual([]);
    }

    // Lineage: under the contract's correlation id, from the billing invoice to both ERP postings.
    const hops = await env.db.dataSource.query<Array<{ hop: string }>>(
      `SELECT "system" || ':' || "object_type" || ':' || "status" || ':' || "external_id" AS hop FROM "q2c"."lineage"
        WHERE "correlation_id" = $1 AND "contract_id" = $2`,
      [correlationId, orderId],
    );
    expect(hops.map((h) => h.hop)).toEqual(
      expect.arrayContaining([
        `billing:Invoice:issued:${march?.id ?? ''}`,
        `erp:erp.post-invoice:sent:${invoiceId}`,
        `erp:invoice:posted:${invoiceId}`,
      ]),
    );
    expect(hops.map((h) => h.hop).filter((h) => h.includes('revenueJournal'))).toEqual([]);

    // The same invoice announced again (a webhook redelivered under another event id): nothing posts twice.
    const stored = (
      await env.db.dataSource.query<Array<{ payload: BillingDocumentPayload }>>(
        `SELECT "payload" FROM "q2c"."billing_documents" WHERE "document_id" = $1`,
        [march?.id],
      )
    ).at(0);
    if (!stored) throw new Error('the usage invoice was not kept');
    const again = createEnvelope('billing.invoice-issued', stored.payload, {
      idempotencyKey: `redelivered:${march?.id ?? ''}`,
    });
    const queue = await env.q2c.app.get(Queues, { strict: false }).get('billing.events');
    await queue.add(again.job, again, { jobId: jobIdFor(again.job, again.idempotencyKey) });
    await env.settle();
    expect(await ledger()).toEqual(closed);
    expect(await usagePostings()).toEqual([{ period: '2026-03', posted: '6000' }]);
  }, 120_000);
});
