import { eventually } from '@revline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

interface ExceptionRow {
  category: string;
  reason: string;
  status: string;
  details: { problems: unknown[] };
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

/**
 * A bill-cycle day end to end: Revline's Order.Revline_Bill_Cycle_Day__c (jsforce) → ContractBooked's
 * billCycleDay → the billing command's first cycle date → Stripe's billing_cycle_anchor (stripe SDK), whose prorated
 * first invoice the saga checks against the engine's stub. The org's Number(2, 0) field takes 32; Revline's
 * normalisation refuses it as a schema_violation naming the field, and nothing reaches Stripe or NetSuite.
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

  /** Creates and activates a G1-like order (10 seats at 1,200.00 a year from 1 January) with a bill-cycle day. */
  const activatedOrder = async (billCycleDay: number): Promise<string> => {
    const created = (await env.sales.sobject('Order').create({
      AccountId: env.catalogue.accountId,
      Pricebook2Id: env.catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
      Revline_Bill_Cycle_Day__c: billCycleDay,
    })) as { id: string };
    await env.sales.sobject('OrderItem').create({
      OrderId: created.id,
      PricebookEntryId: env.catalogue.seatsEntryId,
      Quantity: 10,
      UnitPrice: 1200,
    });
    await activateOrders(env.sales, [created.id]);
    return created.id;
  };

  it('bills the 1..14 January stub first and anchors the subscription on the 15th', async () => {
    const orderId = await activatedOrder(15);
    const [saga] = await env.completed(orderId, 1);

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

  it('refuses a bill-cycle day of 32, which the org accepts, as a schema_violation naming the field', async () => {
    const stripeObjects = async () => ({
      customers: (await env.stripe.customers.list({ limit: 100 })).data.map((c) => c.id),
      subscriptions: (await env.stripe.subscriptions.list({ limit: 100 })).data.map((s) => s.id),
    });
    const netsuiteRecords = async () => ({
      customers: await env.netsuite.suiteql('SELECT id FROM customer'),
      transactions: await env.netsuite.suiteql('SELECT id FROM transaction'),
    });
    const stripeBefore = await stripeObjects();
    const netsuiteBefore = await netsuiteRecords();
    const orderId = await activatedOrder(32);
    expect((await env.sales.sobject('Order').retrieve(orderId)).Revline_Bill_Cycle_Day__c).toBe(32);

    const exceptions = await eventually(async () => {
      const rows = await env.db.dataSource.query<ExceptionRow[]>(
        `SELECT category, reason, status, details FROM "q2c"."exceptions"`,
      );
      return rows.length > 0 ? rows : undefined;
    }, 30_000);
    expect(exceptions).toEqual([
      expect.objectContaining({
        category: 'schema_violation',
        status: 'open',
        reason: 'billCycleDay (Revline_Bill_Cycle_Day__c) is 32, not a whole day of the month (1 to 31)',
      }),
    ]);
    expect(exceptions?.[0]?.details.problems).toEqual([
      expect.objectContaining({
        category: 'schema_violation',
        field: 'billCycleDay (Revline_Bill_Cycle_Day__c)',
      }),
    ]);
    await env.settle();
    expect(await env.sagas(orderId)).toEqual([]);
    expect(await stripeObjects()).toEqual(stripeBefore);
    expect(await netsuiteRecords()).toEqual(netsuiteBefore);
  });
});
