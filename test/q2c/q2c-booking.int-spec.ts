import { bearer, eventually } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { netsuitePlans } from './netsuite-plans';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { G1_MONTHS } from '../support/golden';

/**
 * The booking saga end to end: Salesforce (jsforce) → system-salesforce → process-q2c → system-billing → Stripe
 * sandbox → signed webhook → process-q2c → system-erp → NetSuite sandbox → process-q2c → Salesforce write-back.
 */
describe('quote-to-cash booking saga through the sandbox (all four apps in one process)', () => {
  let env: Q2cEnv;
  let db: Q2cEnv['db'];
  let q2c: Q2cEnv['q2c'];
  let netsuite: Q2cEnv['netsuite'];
  let sales: Q2cEnv['sales'];
  let stripe: Q2cEnv['stripe'];
  let catalogue: Q2cEnv['catalogue'];
  let alice: string;
  const sagas = (contractId: string): Promise<SagaRow[]> => env.sagas(contractId);

  beforeAll(async () => {
    env = await startQ2cEnv();
    ({ db, q2c, netsuite, sales, stripe, catalogue, admin: alice } = env);
    // Billed on the term's first day, not the day the suite runs (a later day would make it a back-dated booking).
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('books G1: Stripe holds the subscription and invoice, NetSuite the invoice and deferred revenue, Salesforce the write-back', async () => {
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);

    const saga = await eventually(async () => {
      const rows = await sagas(orderId);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    }, 40_000).catch(async (error: unknown) => {
      const billed = await db.dataSource.query(
        `SELECT job, published_at, (SELECT count(*) FROM "q2c"."billing_documents") AS docs, (SELECT json_agg(idempotency_key) FROM "q2c"."inbox") AS inbox FROM "billing"."outbox"`,
      );
      const q2cExceptions = await db.dataSource.query(`SELECT category, reason, job FROM "q2c"."exceptions"`);
      throw new Error(
        `saga did not complete: ${JSON.stringify(await sagas(orderId))} ${JSON.stringify(billed)} ${JSON.stringify(q2cExceptions)} ${String(error)}`,
      );
    });
    expect(saga).toMatchObject({ kind: 'booking', step: 'done', last_error: null });

    // Stripe: one subscription of 10 seats, one invoice of 12,000.00.
    const subscription = await stripe.subscriptions.retrieve(saga?.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([10]);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total)).toEqual([1_200_000]);

    // NetSuite: the invoice (12,000.00) as receivable and deferred revenue, and no revenue: it is posted at period
    // close (REVENUE_POSTING=period_close, the default). The G1 schedule is stored for the close, month by month.
    const invoiceId = invoices.data[0]?.id ?? '';
    expect(saga?.data.invoices).toEqual([
      expect.objectContaining({ documentId: invoiceId, erpId: expect.any(String) }),
    ]);
    const [erpInvoice] = await netsuite.suiteql(
      `SELECT externalid, foreigntotal FROM transaction WHERE externalid = 'INV-${invoiceId}'`,
    );
    expect(erpInvoice).toMatchObject({ externalid: `INV-${invoiceId}`, foreigntotal: '12000.00' });
    // Two NetSuite records in all: the new customer and the invoice, whose seats line carries the revenue plan
    // (version 1, its total and months); no schedule record.
    expect(await netsuite.suiteql('SELECT externalid FROM customer')).toHaveLength(1);
    expect(await netsuite.suiteql("SELECT externalid FROM transaction WHERE type = 'CustInvc'")).toEqual([
      { externalid: `INV-${invoiceId}` },
    ]);
    expect(await netsuite.suiteql('SELECT id FROM customrecord_rl_revenue_schedule')).toEqual([]);
    const plans = await netsuitePlans(netsuite);
    expect(plans.map((p) => ({ ...p, periods: undefined }))).toEqual([
      {
        obligation: 'POB-SEATS',
        version: '1',
        total: '12000.00',
        externalId: `INV-${invoiceId}`,
        on: 'invoice',
        periods: undefined,
      },
    ]);
    expect(
      (JSON.parse(plans[0]?.periods ?? '[]') as Array<{ amount: string }>).map((p) =>
        p.amount.replace('.', ''),
      ),
    ).toEqual(G1_MONTHS);
    expect(await netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`)).toEqual([]);
    const balance = async (account: string): Promise<string> =>
      (
        await netsuite.suiteql(
          `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '${account}'`,
        )
      ).at(0)?.b ?? '0';
    expect(await balance('4')).toBe('-12000.00');
    expect(await balance('5')).toBe('0');
    const [postings] = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "erp"."revenue_postings" WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(postings).toEqual({ n: 0 });
    const schedules = await db.dataSource.query<
      Array<{ obligation_id: string; periods: Array<{ period: string; amountMinor: string }> }>
    >(`SELECT "obligation_id", "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`, [orderId]);
    expect(schedules.map((r) => r.obligation_id)).toEqual(['POB-SEATS']);
    expect(schedules[0]?.periods.map((m) => m.period)).toEqual(
      Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
    );
    expect(schedules[0]?.periods.map((m) => m.amountMinor)).toEqual(G1_MONTHS);
    expect(await netsuite.imbalance()).toEqual({ USD: '0' });

    // Salesforce: the order shows the sync, the subscription and the correlation id.
    const order = await eventually(async () => {
      const o = await sales.sobject('Order').retrieve(orderId);
      return (o as Record<string, unknown>).Revline_Integration_Status__c === 'Synced' ? o : undefined;
    }, 20_000);
    expect(order).toMatchObject({
      Revline_Billing_Id__c: subscription.id,
      Revline_Correlation_Id__c: saga?.correlation_id,
    });

    // Lineage: the whole story under one correlation id.
    const hops = await db.dataSource.query<Array<{ system: string; object_type: string; status: string }>>(
      `SELECT "system", "object_type", "status" FROM "q2c"."lineage" WHERE "correlation_id" = $1 ORDER BY "occurred_at"`,
      [saga?.correlation_id],
    );
    const story = hops.map((h) => `${h.system}:${h.object_type}:${h.status}`);
    for (const hop of [
      'salesforce:Order:captured',
      'revline:ContractBooked:normalised',
      'erp:customer:posted',
      'billing:billing.apply-contract-change:sent',
      'billing:Invoice:issued',
      'erp:invoice:posted',
      'erp:erp.upsert-revenue-schedule:sent',
      'erp:revenueSchedule:posted',
      'salesforce:crm.write-back:sent',
      'revline:Saga:completed',
    ]) {
      expect(story).toContain(hop);
    }
    expect(story).not.toContain('erp:revenueJournal:posted');

    // Sync latency exported as a histogram.
    const metrics = await request(q2c.url).get('/metrics').set(bearer(alice)).expect(200);
    expect(metrics.text).toMatch(/revline_q2c_sync_latency_seconds_count\{kind="booking"\} 1/);

    // Every message each app sent is confirmed by the app that consumed it, across their schemas.
    const undelivered = async () => {
      const rows = await db.dataSource.query<Array<{ schema: string; total: number; delivered: number }>>(
        `SELECT 'salesforce' AS schema, count(*)::int AS total, count("delivered_at")::int AS delivered FROM "salesforce"."outbox"
         UNION ALL SELECT 'q2c', count(*)::int, count("delivered_at")::int FROM "q2c"."outbox"
         UNION ALL SELECT 'billing', count(*)::int, count("delivered_at")::int FROM "billing"."outbox"
         UNION ALL SELECT 'erp', count(*)::int, count("delivered_at")::int FROM "erp"."outbox"`,
      );
      return rows;
    };
    const confirmed = await eventually(async () => {
      const rows = await undelivered();
      return rows.every((r) => r.delivered === r.total) ? rows : undefined;
    }, 20_000);
    for (const schema of ['salesforce', 'q2c', 'billing', 'erp'])
      expect(confirmed?.find((r) => r.schema === schema)?.total).toBeGreaterThan(0);
  }, 90_000);
});
