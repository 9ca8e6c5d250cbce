import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

const BOOKINGS = 12;

/**
 * The Salesforce side of the vendor-request budget: write-backs of bookings made together go out batched across
 * contracts (sObject Collections / Composite), so the sandbox counts at most one Salesforce API request per booking
 * for them — the order's status, ids and invoice, and the account's ids.
 */
describe('Salesforce write-backs of a burst of bookings', () => {
  let env: Q2cEnv;

  beforeAll(async () => {
    env = await startQ2cEnv();
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it(`${String(BOOKINGS)} bookings cost at most one Salesforce request each for their write-backs`, async () => {
    const ids = await createDraftOrders(env.sales, env.catalogue, BOOKINGS);
    await activateOrders(env.sales, ids);
    // Counted from here: what the sales rep's own calls cost is not Revline's.
    await request(env.sfSandbox.url).post('/sandbox/stats/reset').expect(200);
    for (const id of ids) await env.completed(id, 1, 90_000);
    await env.settle();

    const { requests } = (await request(env.sfSandbox.url).get('/sandbox/stats').expect(200)).body as {
      requests: Partial<Record<string, number>>;
    };
    // Write-backs are the only Revline calls under /composite (reads go through /query).
    const writeBackRequests = (requests.composite ?? 0) + (requests['composite/sobjects'] ?? 0);
    expect(writeBackRequests).toBeGreaterThan(0);
    expect(writeBackRequests / BOOKINGS).toBeLessThanOrEqual(1);
    // Each order carries its write-back: status, subscription, correlation id and its invoice.
    const orders = await env.sales.sobject('Order').retrieve(ids);
    expect(
      orders.map((o) => (o as { Revline_Integration_Status__c?: string }).Revline_Integration_Status__c),
    ).toEqual(ids.map(() => 'Synced'));
    const invoices = await env.sales.query<{ Revline_Order__c: string }>(
      'SELECT Revline_Order__c FROM Revline_Billing_Invoice__c',
    );
    expect(new Set(invoices.records.map((r) => r.Revline_Order__c))).toEqual(new Set(ids));
  }, 180_000);
});
