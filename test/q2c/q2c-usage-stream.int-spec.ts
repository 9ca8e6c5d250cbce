import type { Envelope } from '@revline/messaging';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeStore } from '../../apps/sandbox/src/stripe/state/store';
import { BillingCommandsHandler } from '../../apps/system-billing/src/commands/billing-commands.handler';
import { MeterErrorReports } from '../../apps/system-billing/src/webhooks/meter-error-reports';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * POST /v1/usage with system-billing on Stripe's v2 meter event stream (STRIPE_METER_EVENT_STREAM=on): the same
 * figures reach the meter as through v1 meter events (q2c-usage.int-spec.ts), a command sent again counts once,
 * and a day Stripe refuses after taking it in (over 35 days old) reaches the workbench as billing_rejected from
 * the meter's error report. The customer lives on a test clock frozen at 2026-03-31.
 */
describe('bulk usage through the meter event stream', () => {
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
  const upload = (body: unknown) =>
    request(env.q2c.url)
      .post('/v1/usage')
      .set(bearer(operator))
      .set('content-type', 'application/json')
      .send(JSON.stringify(body));
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
  const stripeStore = () => env.stripeSandbox.app.get(StripeStore);
  const storedMeterEvents = () =>
    [...stripeStore().meterEvents.values()].filter((e) => e.customer === customerId);
  const commands = (key: string) =>
    env.db.dataSource.query<Array<{ envelope: Envelope<'billing.report-usage'> }>>(
      `SELECT "envelope" FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage' AND "idempotency_key" = $1`,
      [key],
    );

  beforeAll(async () => {
    env = await startQ2cEnv({ STRIPE_METER_EVENT_STREAM: 'on', STRIPE_METER_ERRORS_POLL_MS: '200' });
    await env.customerOnTestClock('2026-03-31T00:00:00Z');
    const booked = await env.bookG1();
    orderId = booked.orderId;
    customerId = booked.saga.data.billingCustomerId ?? '';
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
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

  it('reports usage on the stream: the day sums of the v1 path, one session, a resent command counted once', async () => {
    const hour = (i: number) => String(i).padStart(2, '0');
    const rows = [
      row('u-1'),
      row('u-2', { quantity: '2500' }),
      row('u-3', { quantity: '0.5' }),
      ...Array.from({ length: 300 }, (_, i) =>
        row(`d20-${String(i)}`, { quantity: '0.1', occurredAt: `2026-03-20T${hour(i % 24)}:00:00Z` }),
      ),
      row('d20-last', { quantity: '0.2', occurredAt: '2026-03-20T23:59:59Z' }),
      row('d21-first', { quantity: '1.05', occurredAt: '2026-03-21T00:00:00Z' }),
    ];
    const res = await upload(rows).expect(200);
    expect(res.body).toMatchObject({ received: 305, staged: 305, duplicates: 0 });
    const [command] = (res.body as { commands: Array<{ idempotencyKey: string; events: number }> }).commands;
    await env.settle();
    // The figures q2c-usage.int-spec.ts sees through v1 meter events: one aggregate per customer-day.
    expect(await daySums('2026-03-09', '2026-03-23')).toEqual([
      ['2026-03-10', 3500.5],
      ['2026-03-20', 30.2],
      ['2026-03-21', 1.05],
    ]);
    expect(storedMeterEvents()).toHaveLength(3);
    expect(stripeStore().meterEventSessions.size).toBe(1);

    // The same command delivered again (a redelivery): the stream takes its identifiers once.
    const sent = (await commands(command.idempotencyKey)).at(0);
    if (!sent) throw new Error('no report command');
    const again = await env.billing.app
      .get(BillingCommandsHandler)
      .reportUsage({ ...sent.envelope, messageId: randomUUID() });
    expect(again).toEqual({ accepted: 3, duplicates: 0 });
    const last = sent.envelope.payload.events.at(-1)?.identifier ?? '';
    await eventually(() => Promise.resolve(stripeStore().meterEvents.has(last) ? true : null));
    await env.settle();
    expect(await daySums('2026-03-09', '2026-03-23')).toEqual([
      ['2026-03-10', 3500.5],
      ['2026-03-20', 30.2],
      ['2026-03-21', 1.05],
    ]);
    expect(storedMeterEvents()).toHaveLength(3);
    // The session is reused while it lasts.
    expect(stripeStore().meterEventSessions.size).toBe(1);
    const exceptions = await env.db.dataSource.query<unknown[]>(`SELECT 1 FROM "billing"."exceptions"`);
    expect(exceptions).toEqual([]);
  }, 60_000);

  it('brings a day Stripe refuses after taking it in (over 35 days old) to the workbench within seconds, once', async () => {
    const res = await upload([
      row('old-1', { quantity: '7', occurredAt: '2026-02-20T10:00:00Z' }),
      row('new-1', { quantity: '3', occurredAt: '2026-03-25T10:00:00Z' }),
    ]).expect(200);
    const [command] = (res.body as { commands: Array<{ idempotencyKey: string }> }).commands;
    const sent = (await commands(command.idempotencyKey)).at(0);
    const old = sent?.envelope.payload.events.find((e) => e.timestamp.startsWith('2026-02-20'));
    if (!old) throw new Error('the old day was not reported');
    const started = Date.now();
    await env.settle();
    // The stream answered: the command itself is not refused.
    const rejected = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."exceptions" WHERE "reason" LIKE '%billing.report-usage%'`,
    );
    expect(rejected).toEqual([]);
    expect(await daySums('2026-03-24', '2026-03-27')).toEqual([['2026-03-25', 3]]);
    expect(await daySums('2026-02-19', '2026-02-22')).toEqual([]);

    const workbench = await eventually(async () => {
      const rows = await env.db.dataSource.query<
        Array<{
          category: string;
          status: string;
          reason: string;
          job: string;
          details: Record<string, unknown>;
        }>
      >(
        `SELECT "category", "status", "reason", "job", "details" FROM "q2c"."exceptions" WHERE "job" = 'meter-event:stripe'`,
      );
      return rows.length > 0 ? rows : null;
    });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(workbench).toEqual([
      {
        category: 'billing_rejected',
        status: 'open',
        job: 'meter-event:stripe',
        reason: `Stripe refused meter event ${old.identifier} (meter ${meterId}) after taking it in: The event timestamp cannot be more than 35 days in past. Expected a timestamp greater than or equal to ${String(at('2026-03-31T00:00:00Z') - 35 * 86_400)}. (timestamp_too_far_in_past)`,
        details: expect.objectContaining({
          identifier: old.identifier,
          meter: meterId,
          code: 'timestamp_too_far_in_past',
          forwardedFrom: 'billing',
        }),
      },
    ]);

    // Read again (the poll overlaps its cursor, the report may be read twice): the identifier is raised once.
    await env.billing.app.get(MeterErrorReports).pollOnce();
    await env.settle();
    const billing = await env.db.dataSource.query<Array<{ occurrences: number }>>(
      `SELECT "occurrences" FROM "billing"."exceptions" WHERE "job" = 'meter-event:stripe'`,
    );
    expect(billing).toEqual([{ occurrences: 1 }]);
    const forwarded = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."exceptions" WHERE "job" = 'meter-event:stripe'`,
    );
    expect(forwarded).toHaveLength(1);
  }, 60_000);

  it("passes the preflight's stream check: the account grants a meter event session and refusals are read", async () => {
    const answer = await request(env.billing.url).get('/health/vendors').set(bearer(env.admin)).expect(200);
    const check = (
      answer.body as { checks: Array<{ id: string; status: string; detail: string }> }
    ).checks.find((c) => c.id === 'stripe.meter-event-stream');
    expect(check?.status).toBe('pass');
    expect(check?.detail).toMatch(
      /^a meter event session granted until \d{4}-\d{2}-\d{2}T.*; refusals read from \/v2\/core\/events every 200 ms$/,
    );
  });
});
