import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/**
 * A bill-cycle day end to end: Salesforce Billing's Order.blng__BillingDayOfMonth__c (jsforce) → ContractBooked's
 * billCycleDay → the billing command's first cycle date → Stripe's billing_cycle_anchor (stripe SDK), whose prorated
 * first invoice the saga checks against the engine's stub.
 */
describe('bill-cycle day through the sandbox', () => {
  let env: Q2cEnv;

  beforeAll(async () => {
    env = await startQ2cEnv();
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  const draftOrder = (billingDay: string): Promise<unknown> =>
    env.sales.sobject('Order').create({
      AccountId: env.catalogue.accountId,
      Pricebook2Id: env.catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
      blng__BillingDayOfMonth__c: billingDay,
    });

  it('bills the 1..14 January stub first and anchors the subscription on the 15th', async () => {
    const created = (await draftOrder('15')) as { id: string };
    await env.sales.sobject('OrderItem').create({
      OrderId: created.id,
      PricebookEntryId: env.catalogue.seatsEntryId,
      Quantity: 10,
      UnitPrice: 1200,
    });
    await activateOrders(env.sales, [created.id]);
    const [saga] = await env.completed(created.id, 1);

    const subscription = await env.stripe.subscriptions.retrieve(saga.data.subscriptionId ?? '');
    expect(subscription.billing_cycle_anchor).toBe(seconds('2026-01-15T00:00:00Z'));
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    // 10 seats × 1,200.00 a year, 14 of the 365 days from 1 January: 460.27397… → 460.27.
    const stub = Math.round((1_200_000 * 14) / 365);
    expect(stub).toBe(46_027);
    expect(invoices.data.map((i) => i.total)).toEqual([stub]);
    expect(saga.data).toMatchObject({
      expectedProrationMinor: String(stub),
      billedProrationMinor: String(stub),
    });
    const exceptions = await env.db.dataSource.query(
      `SELECT category FROM "q2c"."exceptions" UNION ALL SELECT category FROM "billing"."exceptions"`,
    );
    expect(exceptions).toEqual([]);
  });

  it('refuses a bill-cycle day of 32 where it is entered, and nothing reaches the billing platform', async () => {
    const ordersBefore = await env.sales.query('SELECT Id FROM Order');
    const subscriptionsBefore = await env.stripe.subscriptions.list({ limit: 100 });
    await expect(draftOrder('32')).rejects.toThrow(/restricted picklist/);
    expect((await env.sales.query('SELECT Id FROM Order')).totalSize).toBe(ordersBefore.totalSize);
    await env.settle();
    expect((await env.stripe.subscriptions.list({ limit: 100 })).data).toHaveLength(
      subscriptionsBefore.data.length,
    );
  });
});
