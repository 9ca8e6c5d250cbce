import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

interface Problem {
  detail: string;
  errors: Array<{ field: string; problem: string }>;
}

/** POST /v1/usage: bulk usage staged once per identifier and reported to Stripe's meter per customer. */
describe('bulk usage through the sandbox', () => {
  let env: Q2cEnv;
  let orderId: string;
  let customerId: string;
  let operator: string;

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

  beforeAll(async () => {
    env = await startQ2cEnv();
    const booked = await env.bookG1();
    orderId = booked.orderId;
    customerId = booked.saga.data.billingCustomerId ?? '';
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    await env.stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: 'api_calls',
      default_aggregation: { formula: 'sum' },
    });
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
      [`${JSON.stringify(row('u-1'))}\n{not json\n`, 'rows[1]', 'application/x-ndjson'],
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

    // system-billing applied both commands; Stripe holds each identifier once (a resend is refused as a duplicate).
    const applied = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "billing"."inbox" WHERE "idempotency_key" LIKE 'usage:%'`,
    );
    expect(applied).toHaveLength(2);
    for (const identifier of ['u-1', 'u-2', 'u-3', 'u-4']) {
      await expect(
        env.stripe.billing.meterEvents.create({
          event_name: 'api_calls',
          identifier,
          payload: { stripe_customer_id: customerId, value: '1' },
        }),
      ).rejects.toThrow(/already exists/);
    }
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
    const [check] = await env.db.dataSource.query<
      Array<{ rows: number; reported: number; twice: number; unmatched: number }>
    >(
      `WITH reported AS (
         SELECT o."idempotency_key" AS key, e->>'identifier' AS identifier
           FROM "q2c"."outbox" o, jsonb_array_elements(o."envelope"->'payload'->'events') e
          WHERE o."job" = 'billing.report-usage' AND e->>'identifier' LIKE 'c-%')
       SELECT (SELECT count(*) FROM "q2c"."usage_events" WHERE "identifier" LIKE 'c-%')::int AS rows,
              (SELECT count(*) FROM reported)::int AS reported,
              (SELECT count(*) FROM (SELECT identifier FROM reported GROUP BY 1 HAVING count(*) > 1) t)::int AS twice,
              (SELECT count(*) FROM "q2c"."usage_events" u WHERE u."identifier" LIKE 'c-%' AND NOT EXISTS (
                 SELECT 1 FROM reported r WHERE r.key = u."command_key" AND r.identifier = u."identifier"))::int AS unmatched`,
    );
    expect(check).toEqual({ rows: 4500, reported: 4500, twice: 0, unmatched: 0 });
    await env.settle();
    const exceptions = await env.db.dataSource.query<unknown[]>(`SELECT 1 FROM "billing"."exceptions"`);
    expect(exceptions).toEqual([]);
  }, 60_000);
});
