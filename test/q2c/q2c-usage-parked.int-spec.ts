import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import type { TestApp, TestDatabase } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP } from '../../apps/process-q2c/src/app.info';
import { AppModule } from '../../apps/process-q2c/src/app.module';
import { DATABASE } from '../../apps/process-q2c/src/database';
import { ParkedUsageRelay } from '../../apps/process-q2c/src/usage/parked-usage.relay';
import { seedUsageContracts, usageEvent } from '../../bench/support/usage-fixtures';

/**
 * USAGE_UNKNOWN_CONTRACT=park: usage of a contract Revline does not know yet is kept once per identifier, listed as
 * waiting, and ingested (reported to billing) once the contract's booking completes with a billing customer.
 */
describe('usage parked for its contract’s booking', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let operator: string;
  let known: string[];
  // The contract seedUsageContracts(…, 'Late', 1) books later in the test.
  const unknown = '801Late00000';

  const post = (events: object[]) =>
    request(q2c.url)
      .post('/v1/usage')
      .set(bearer(operator))
      .send(events)
      .ok(() => true);
  const count = async (sql: string, params: unknown[] = []): Promise<number> =>
    (await db.dataSource.query<Array<{ n: number }>>(sql, params))[0].n;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, {
      OUTBOX_RELAY: 'off',
      USAGE_UNKNOWN_CONTRACT: 'park',
      // The sweep runs when the spec says so.
      PARKED_SWEEP_MS: '600000',
    });
    operator = await seedApiKey(db.dataSource, ['finance.operator']);
    known = await seedUsageContracts(db.dataSource, 'Known', 1);
  });

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  it('parks an unknown contract’s events once, lists them, and ingests them when the booking completes', async () => {
    const later = (i: number) => ({ ...usageEvent('parked', i, [unknown]), quantity: String(10 * i) });
    const first = await post([usageEvent('kept', 0, known), later(1), later(2), later(3)]);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: 4, staged: 1, parked: 3, duplicates: 0, rejected: 0 });
    const again = await post([later(1), later(2), later(3)]);
    expect(again.body).toMatchObject({ staged: 0, parked: 0, duplicates: 3 });
    const ingestion = await request(q2c.url)
      .get(`/v1/usage/ingestions/${first.body.ingestionId as string}`)
      .set(bearer(operator));
    expect(ingestion.body).toMatchObject({ state: 'applied', accepted: 1, parked: 3 });

    const waiting = await request(q2c.url).get('/v1/usage/parked').set(bearer(operator)).expect(200);
    expect(waiting.body).toEqual([
      expect.objectContaining({
        contractId: unknown,
        events: 3,
        firstOccurredAt: '2026-03-02T12:01:00.000Z',
      }),
    ]);
    const relay = q2c.app.get(ParkedUsageRelay);
    expect(await relay.sweep()).toBe(0);

    await seedUsageContracts(db.dataSource, 'Late', 1);
    expect(await relay.sweep()).toBe(3);
    expect(
      await count(
        `SELECT count(*)::int AS n FROM "q2c"."usage_events" WHERE "contract_id" = $1 AND "customer_id" = 'cus_Late_0'`,
        [unknown],
      ),
    ).toBe(3);
    expect(await count(`SELECT count(*)::int AS n FROM "q2c"."parked_usage"`)).toBe(0);
    const [record] = await db.dataSource.query<Array<{ state: string; accepted: string; mode: string }>>(
      `SELECT "state", "accepted", "mode" FROM "q2c"."usage_ingestions" WHERE "requested_by" = 'revline:parked-usage'`,
    );
    expect(record).toEqual({ state: 'applied', accepted: '3', mode: 'partial' });
    const commands = await db.dataSource.query<Array<{ payload: { events: Array<{ value: string }> } }>>(
      `SELECT "envelope"->'payload' AS "payload" FROM "q2c"."outbox"
        WHERE "job" = 'billing.report-usage' AND "envelope"->'payload'->'events'->0->>'customerId' = 'cus_Late_0'`,
    );
    expect(commands.flatMap((c) => c.payload.events.map((e) => e.value)).sort()).toEqual(['10', '20', '30']);
    expect(await relay.sweep()).toBe(0);
    await request(q2c.url).get('/v1/usage/parked').set(bearer(operator)).expect(200, []);
  });
});
