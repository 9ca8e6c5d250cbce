import type { TestApp } from '@revline/testing';
import { createTestApp, eventually } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { StripeStore } from './state/store';
import { StripeSandboxModule } from './stripe-sandbox.module';

const SPEC = SANDBOXES.find((s) => s.module === StripeSandboxModule)!.spec;
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

type ErrorReport = Stripe.Events.V1BillingMeterErrorReportTriggeredEvent;

/** The v2 meter event stream and v2 events, driven by the stripe SDK as system-billing drives them. */
describe('Stripe sandbox: the v2 meter event stream', () => {
  let sandbox: TestApp;
  let stripe: Stripe;
  let eventName: string;
  let meter: Stripe.Billing.Meter;
  let customer: Stripe.Customer;
  let other: Stripe.Customer;

  /** Usage events of `customer` on the meter, per UTC day from `from` to `to` (exclusive), oldest first. */
  const daySums = async (customerId: string, from: string, to: string) => {
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customerId,
      start_time: at(`${from}T00:00:00Z`),
      end_time: at(`${to}T00:00:00Z`),
      value_grouping_window: 'day',
    });
    return summaries.data
      .map((d) => [new Date(d.start_time * 1000).toISOString().slice(0, 10), d.aggregated_value])
      .reverse();
  };

  const session = () => stripe.v2.billing.meterEventSession.create();
  const send = async (events: Array<Record<string, unknown>>, token?: string) =>
    stripe.v2.billing.meterEventStream.create(
      { events: events as never },
      { apiKey: token ?? (await session()).authentication_token },
    );
  const errorReports = async () => {
    const page = await stripe.v2.core.events.list({ types: ['v1.billing.meter.error_report_triggered'] });
    return page.data as unknown as ErrorReport[];
  };

  beforeAll(async () => {
    sandbox = await createTestApp(StripeSandboxModule, SPEC, { SANDBOX_STRIPE_WEBHOOK_URLS: 'none' });
    const url = new URL(sandbox.url);
    stripe = new Stripe('sk_test_revline_sandbox', {
      host: url.hostname,
      port: Number(url.port),
      protocol: 'http',
    });
    eventName = `api_calls_${randomUUID().slice(0, 8)}`;
    meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: eventName,
      default_aggregation: { formula: 'sum' },
    });
    // Both customers live at 2026-03-31: the window Stripe takes reaches back to 2026-02-24.
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-03-31T00:00:00Z') });
    customer = await stripe.customers.create({ name: 'Streamed', test_clock: clock.id });
    other = await stripe.customers.create({ name: 'Through v1', test_clock: clock.id });
  });

  afterAll(async () => {
    await sandbox.close();
  });

  it('gives a session token for 15 minutes, in Stripe’s shape', async () => {
    const created = await session();
    expect(created).toMatchObject({
      object: 'v2.billing.meter_event_session',
      id: expect.any(String),
      authentication_token: expect.any(String),
      livemode: false,
    });
    expect(Date.parse(created.expires_at) - Date.parse(created.created)).toBe(15 * 60_000);
  });

  it('counts streamed events into the meter event summaries as v1 meter events, and a resent identifier once', async () => {
    const days = [
      ['2026-03-10T12:00:00Z', '100'],
      ['2026-03-10T18:30:00Z', '0.5'],
      ['2026-03-20T12:00:00Z', '250'],
    ];
    const streamed = days.map(([time, value], i) => ({
      event_name: eventName,
      identifier: `s-${String(i)}`,
      timestamp: time,
      payload: { stripe_customer_id: customer.id, value },
    }));
    await send(streamed);
    for (const [i, [time, value]] of days.entries())
      await stripe.billing.meterEvents.create({
        event_name: eventName,
        identifier: `v1-${String(i)}`,
        timestamp: at(time),
        payload: { stripe_customer_id: other.id, value },
      });
    const expected = [
      ['2026-03-10', 100.5],
      ['2026-03-20', 250],
    ];
    expect(
      await eventually(async () =>
        (await daySums(customer.id, '2026-03-01', '2026-03-31')).length === 2 ? true : null,
      ),
    ).toBe(true);
    expect(await daySums(customer.id, '2026-03-01', '2026-03-31')).toEqual(expected);
    expect(await daySums(other.id, '2026-03-01', '2026-03-31')).toEqual(expected);

    // The same events again, under another session, one with another value, then a new one: the identifiers
    // already taken are dropped, nothing counts twice.
    await send(streamed);
    await send([
      { ...streamed[0], payload: { stripe_customer_id: customer.id, value: '7' } },
      { ...streamed[0], identifier: 's-new', timestamp: '2026-03-21T12:00:00Z' },
    ]);
    const store = sandbox.app.get(StripeStore);
    await eventually(() => Promise.resolve(store.meterEvents.has('s-new') ? true : null));
    expect(await daySums(customer.id, '2026-03-01', '2026-03-31')).toEqual(
      [...expected, ['2026-03-21', 100]].sort(),
    );
    expect(await errorReports()).toEqual([]);
  });

  it('refuses a malformed request at once: over 100 events, a missing event name or payload, an unknown field', async () => {
    const event = (i: number) => ({
      event_name: eventName,
      identifier: `big-${String(i)}`,
      payload: { stripe_customer_id: customer.id, value: '1' },
    });
    await expect(send(Array.from({ length: 101 }, (_, i) => event(i)))).rejects.toMatchObject({
      statusCode: 400,
      param: 'events',
    });
    await expect(send([{ identifier: 'x', payload: {} }])).rejects.toMatchObject({
      statusCode: 400,
      param: 'events[0].event_name',
      code: 'parameter_missing',
    });
    await expect(send([event(1), { event_name: eventName }])).rejects.toMatchObject({
      statusCode: 400,
      param: 'events[1].payload',
    });
    await expect(send([{ ...event(1), value: 3 }])).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
    });
    await expect(send([{ ...event(1), timestamp: 1_700_000_000 }])).rejects.toMatchObject({
      statusCode: 400,
      param: 'events[0].timestamp',
    });
    // 100 is the most a request carries, and is taken.
    await expect(send(Array.from({ length: 100 }, (_, i) => event(i)))).resolves.toBeDefined();
  });

  it('takes only a live session token: the secret key and unknown tokens are refused, an expired one with 401', async () => {
    const event = { event_name: eventName, payload: { stripe_customer_id: customer.id, value: '1' } };
    await expect(send([event], 'sk_test_revline_sandbox')).rejects.toMatchObject({ statusCode: 401 });
    await expect(send([event], 'mest_unknown')).rejects.toMatchObject({ statusCode: 401 });
    const expired = await session();
    const stored = sandbox.app.get(StripeStore).meterEventSessions.get(expired.authentication_token);
    if (!stored) throw new Error('session not stored');
    stored.expires_at = new Date(Date.now() - 1_000).toISOString();
    const refused = await send([event], expired.authentication_token).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Stripe.errors.TemporarySessionExpiredError);
    expect(refused).toMatchObject({ statusCode: 401, rawType: 'temporary_session_expired' });
    // The session endpoint itself wants the secret key.
    await request(sandbox.url)
      .post('/v2/billing/meter_event_session')
      .set('authorization', `Bearer ${expired.authentication_token}`)
      .expect(401);
  });

  it('reports refused events later, as v1.billing.meter.error_report_triggered v2 events naming each identifier', async () => {
    const ghost = 'cus_doesnotexist';
    await send([
      {
        event_name: eventName,
        identifier: 'old-1',
        timestamp: '2026-02-19T12:00:00Z',
        payload: { stripe_customer_id: customer.id, value: '7' },
      },
      { event_name: eventName, identifier: 'ghost-1', payload: { stripe_customer_id: ghost, value: '1' } },
      {
        event_name: eventName,
        identifier: 'ok-1',
        timestamp: '2026-03-25T12:00:00Z',
        payload: { stripe_customer_id: customer.id, value: '3' },
      },
      {
        event_name: `nothing_${randomUUID().slice(0, 8)}`,
        identifier: 'nomatch-1',
        payload: { stripe_customer_id: customer.id, value: '1' },
      },
    ]);
    const [report] =
      (await eventually(async () => {
        const reports = await errorReports();
        return reports.length > 0 ? reports : null;
      })) ?? [];
    expect(report).toMatchObject({
      object: 'v2.core.event',
      type: 'v1.billing.meter.error_report_triggered',
      livemode: false,
      related_object: { id: meter.id, type: 'billing.meter', url: `/v1/billing/meters/${meter.id}` },
      data: {
        developer_message_summary: 'There are 2 invalid events',
        reason: {
          error_count: 2,
          error_types: expect.arrayContaining([
            {
              code: 'timestamp_too_far_in_past',
              error_count: 1,
              sample_errors: [
                {
                  error_message: expect.stringMatching(
                    /^The event timestamp cannot be more than 35 days in past/,
                  ),
                  request: { identifier: 'old-1' },
                },
              ],
            },
            {
              code: 'meter_event_customer_not_found',
              error_count: 1,
              sample_errors: [
                { error_message: `No such customer: '${ghost}'`, request: { identifier: 'ghost-1' } },
              ],
            },
          ]),
        },
      },
    });
    expect(Date.parse(report.created)).not.toBeNaN();
    expect(Date.parse(report.data.validation_end)).toBeGreaterThanOrEqual(
      Date.parse(report.data.validation_start),
    );
    // The good event of the same request counts; the event with no meter is reported apart.
    expect(await daySums(customer.id, '2026-03-25', '2026-03-26')).toEqual([['2026-03-25', 3]]);
    const noMeter = await stripe.v2.core.events.list({ types: ['v1.billing.meter.no_meter_found'] });
    expect(noMeter.data).toHaveLength(1);
    expect(noMeter.data[0]).toMatchObject({
      data: {
        reason: {
          error_types: [{ code: 'no_meter', sample_errors: [{ request: { identifier: 'nomatch-1' } }] }],
        },
      },
    });
    expect(await stripe.v2.core.events.retrieve(report.id)).toMatchObject({
      id: report.id,
      type: report.type,
    });
    const byMeter = await stripe.v2.core.events.list({ object_id: meter.id });
    expect(byMeter.data.map((e) => e.id)).toEqual([report.id]);
  });

  it('lists v2 events newest first, a page at a time through next_page_url', async () => {
    for (const i of [1, 2, 3])
      await send([
        {
          event_name: eventName,
          identifier: `late-${String(i)}`,
          timestamp: '2026-01-01T00:00:00Z',
          payload: { stripe_customer_id: customer.id, value: '1' },
        },
      ]);
    const all =
      (await eventually(async () => {
        const reports = await errorReports();
        return reports.length >= 4 ? reports : null;
      })) ?? [];
    const first = await stripe.v2.core.events.list({
      types: ['v1.billing.meter.error_report_triggered'],
      limit: 3,
    });
    expect(first.data.map((e) => e.id)).toEqual(all.slice(0, 3).map((e) => e.id));
    expect(first.next_page_url).toEqual(expect.stringMatching(/^\/v2\/core\/events\?page=/));
    if (!first.next_page_url) throw new Error('no next page');
    const second = (await stripe.rawRequest('GET', first.next_page_url)) as {
      data: Array<{ id: string }>;
      next_page_url: string | null;
    };
    expect(second.data.map((e) => e.id)).toEqual(all.slice(3).map((e) => e.id));
    expect(second.next_page_url).toBeNull();
    const times = all.map((e) => Date.parse(e.created));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });
});

describe('Stripe sandbox, realistic profile: the meter event stream under its own rate limit', () => {
  it('refuses stream requests past its limit with 429, apart from the API limits', async () => {
    const sandbox = await createTestApp(StripeSandboxModule, SPEC, {
      SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_STRIPE_METER_EVENT_STREAM_RATE_PER_SECOND: '3',
    });
    try {
      const url = new URL(sandbox.url);
      const stripe = new Stripe('sk_test_revline_sandbox', {
        host: url.hostname,
        port: Number(url.port),
        protocol: 'http',
        maxNetworkRetries: 0,
      });
      const { authentication_token: token } = await stripe.v2.billing.meterEventSession.create();
      const event = { event_name: 'anything', payload: { stripe_customer_id: 'cus_x', value: '1' } };
      const burst = await Promise.allSettled(
        Array.from({ length: 5 }, () =>
          stripe.v2.billing.meterEventStream.create({ events: [event] }, { apiKey: token }),
        ),
      );
      const refused = burst
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => r.reason as unknown);
      expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(refused).toHaveLength(2);
      for (const error of refused) expect(error).toMatchObject({ statusCode: 429 });
      // The API's own limits still have room: the stream's requests did not count against them.
      await expect(stripe.customers.create({ name: 'After the burst' })).resolves.toMatchObject({
        object: 'customer',
      });
    } finally {
      await sandbox.close();
    }
  });
});
