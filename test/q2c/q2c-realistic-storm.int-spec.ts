import { eventually } from '@revline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

const BOOKINGS = 20;

interface Stats {
  refused?: number;
  maxInFlight?: number;
}

/**
 * A 429 storm from the sandbox's realistic profile: NetSuite answers after its latency and runs 2 requests at a
 * time while system-erp believes the account runs 5, and Stripe's rates are the test mode's while system-billing
 * paces nothing. Twenty bookings activated at once all complete, under period close (two NetSuite records a
 * booking: the customer and the invoice carrying the revenue plan); every 429 was waited out and retried, and
 * none became an exception.
 */
describe('a 429 storm under the realistic profile', () => {
  let env: Q2cEnv;

  beforeAll(async () => {
    env = await startQ2cEnv(
      {
        REVENUE_POSTING: 'period_close',
        NETSUITE_CONCURRENCY_LIMIT: '5',
        NETSUITE_RATE_LIMIT_BACKOFF_MS: '50',
        STRIPE_RATE_LIMIT_PER_SECOND: '100000',
        STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '100000',
      },
      {
        SANDBOX_PROFILE: 'realistic',
        SANDBOX_NETSUITE_LATENCY_MS: '150',
        SANDBOX_NETSUITE_CONCURRENCY_LIMIT: '2',
        SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '5',
      },
    );
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('completes every booking with no exception', async () => {
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
    const orderIds = await createDraftOrders(env.sales, env.catalogue, BOOKINGS);
    await activateOrders(env.sales, orderIds);
    const done = await eventually(async () => {
      const rows = await env.db.dataSource.query<Array<{ status: string }>>(
        `SELECT "status" FROM "q2c"."sagas" WHERE "contract_id" = ANY($1)`,
        [orderIds],
      );
      return rows.length === BOOKINGS && rows.every((r) => r.status === 'completed') ? rows : undefined;
    }, 150_000);
    expect(done).toHaveLength(BOOKINGS);
    await env.settle();

    const netsuite = (await (await fetch(`${env.netsuite.url}/sandbox/stats`)).json()) as Stats;
    expect(netsuite.refused).toBeGreaterThan(0);
    expect(netsuite.maxInFlight).toBe(2);
    const stripe = (await (await fetch(`${env.stripeSandbox.url}/sandbox/rate-limits`)).json()) as {
      refused: Record<string, number>;
    };
    expect(Object.values(stripe.refused).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);

    for (const schema of ['q2c', 'billing', 'erp', 'salesforce'])
      expect(
        await env.db.dataSource.query(`SELECT "category", "reason" FROM "${schema}"."exceptions"`),
      ).toEqual([]);
  }, 180_000);
});
