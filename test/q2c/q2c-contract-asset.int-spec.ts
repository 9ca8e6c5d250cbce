import { bearer } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { G1_MONTHS } from '../support/golden';

const PERIODS = G1_MONTHS.map((_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
const MONTH_ENDS = [
  '2026-01-31',
  '2026-02-28',
  '2026-03-31',
  '2026-04-30',
  '2026-05-31',
  '2026-06-30',
  '2026-07-31',
  '2026-08-31',
  '2026-09-30',
  '2026-10-31',
  '2026-11-30',
  '2026-12-31',
];

interface Month {
  period: string;
  openingDeferredMinor: string;
  openingUnbilledMinor: string;
  billedMinor: string;
  recognisedMinor: string;
  closingDeferredMinor: string;
  closingUnbilledMinor: string;
}

/**
 * A back-dated booking end to end: G1 (12,000.00 a year from 2026-01-01, ratable daily) activated in Salesforce on
 * 2026-04-01, its Stripe customer on a test clock frozen that day, so Stripe backdates the subscription to the
 * term start and invoices the year on 2026-04-01. January..March are recognised before anything is billed: the
 * ERP holds them as an unbilled receivable (contract asset), cleared by the April invoice; deferred revenue never
 * goes below zero, in the NetSuite ledger, in system-erp's balances or in the waterfall. Its subject is the
 * per-contract contract-asset journals of the legacy mode, REVENUE_POSTING=at_booking.
 */
describe('a back-dated booking: revenue ahead of billing is a contract asset', () => {
  let env: Q2cEnv;
  let orderId: string;

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'at_booking' });
    await env.customerOnTestClock('2026-04-01T00:00:00Z');
    ({ orderId } = await env.bookG1());
    await env.settle();
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  /** A ledger account's balance for the contract on a day (debits positive, as NetSuite's amounts). */
  const balance = async (account: string, day: string): Promise<string> => {
    const rows = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '${account}' AND custcol_rl_contract = '${orderId}' AND trandate <= '${day}'`,
    );
    return rows.at(0)?.b ?? '0';
  };
  /** The receivable sits on the invoice's main line, which carries no column field: read by the body's contract. */
  const receivable = async (day: string): Promise<string> => {
    const rows = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction WHERE account = '2' AND custbody_rl_contract = '${orderId}' AND trandate <= '${day}'`,
    );
    return rows.at(0)?.b ?? '0';
  };

  it('is invoiced by Stripe on the booking day, the ERP invoice carrying its service period', async () => {
    const saga = (await env.sagas(orderId)).at(0);
    const invoices = await env.stripe.invoices.list({ subscription: saga?.data.subscriptionId ?? '' });
    expect(
      invoices.data.map((i) => [i.total, new Date(i.created * 1000).toISOString().slice(0, 10)]),
    ).toEqual([[1_200_000, '2026-04-01']]);
    const sent = (
      await env.db.dataSource.query<Array<{ payload: { tranDate: string; lines: object[] } }>>(
        `SELECT "payload" FROM "q2c"."saga_commands" WHERE "saga_id" = $1 AND "job" = 'erp.post-invoice'`,
        [saga?.saga_id],
      )
    ).at(0);
    expect(sent?.payload.tranDate).toBe('2026-04-01');
    expect(sent?.payload.lines).toEqual([
      expect.objectContaining({
        amountMinor: '1200000',
        serviceStart: '2026-01-01',
        serviceEnd: '2026-12-31',
      }),
    ]);
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT trandate, foreigntotal FROM transaction WHERE type = 'CustInvc' AND custbody_rl_contract = '${orderId}'`,
    );
    expect(erpInvoice).toEqual({ trandate: '2026-04-01', foreigntotal: '12000.00' });
  });

  it('posts the year of revenue, and moves January..March to the unbilled receivable until April', async () => {
    const rows = await env.db.dataSource.query<
      Array<{ obligation_id: string; period: string; posted: string }>
    >(
      `SELECT "obligation_id", "period", "posted_amount_minor" AS posted FROM "erp"."revenue_postings"
        WHERE "contract_id" = $1 ORDER BY "obligation_id", "period"`,
      [orderId],
    );
    expect(rows.filter((r) => r.obligation_id === 'contract-asset').map((r) => [r.period, r.posted])).toEqual(
      [
        ['2026-01', '101918'],
        ['2026-02', '92055'],
        ['2026-03', '101917'],
        ['2026-04', '-295890'],
      ],
    );
    expect(rows.filter((r) => r.obligation_id !== 'contract-asset').map((r) => r.posted)).toEqual(G1_MONTHS);
  });

  it('replays dry: the contract-asset journals recomputed are the ones posted', async () => {
    const res = await request(env.q2c.url)
      .post('/v1/replays')
      .set(bearer(env.admin))
      .send({ contractId: orderId, dryRun: true })
      .expect(200);
    const result = res.body as {
      differences: number;
      commands: Array<{ job: string; externalId: string; difference: string }>;
    };
    expect(result.differences).toBe(0);
    const asset = result.commands.filter((c) => c.externalId.includes(':contract-asset:'));
    expect(asset.map((c) => [c.job, c.difference])).toEqual(
      Array.from({ length: 4 }, () => ['erp.post-revenue-journal', 'none']),
    );
  });

  it("holds exactly the golden difference in NetSuite's unbilled receivable, and never a negative deferral", async () => {
    // 2026-03-31: 1,019.18 + 920.55 + 1,019.17 recognised, nothing billed.
    expect(await balance('6', '2026-03-31')).toBe('2958.90');
    expect(await balance('4', '2026-03-31')).toBe('0.00');
    expect(await receivable('2026-03-31')).toBe('0');
    expect(await receivable('2026-04-30')).toBe('12000.00');
    // 2026-04-30: 12,000.00 billed, 3,945.21 recognised: 8,054.79 deferred, the asset cleared.
    expect(await balance('6', '2026-04-30')).toBe('0.00');
    expect(await balance('4', '2026-04-30')).toBe('-8054.79');
    // Deferred revenue is a credit balance: at no month end a debit.
    for (const day of MONTH_ENDS) expect(Number(await balance('4', day))).toBeLessThanOrEqual(0);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  });

  it("shows the contract asset in system-erp's balances", async () => {
    const at = async (asOf: string) =>
      (
        await request(env.erp.url)
          .get(`/v1/contracts/${orderId}/balances`)
          .query({ asOf })
          .set(bearer(env.admin))
          .expect(200)
      ).body as { balances: object[] };
    expect((await at('2026-03')).balances).toEqual([
      {
        currency: 'USD',
        deferredMinor: '0',
        recognisedMinor: '295890',
        receivableMinor: '0',
        unbilledMinor: '295890',
      },
    ]);
    expect((await at('2026-04')).balances).toEqual([
      {
        currency: 'USD',
        deferredMinor: '805479',
        recognisedMinor: '394521',
        receivableMinor: '1200000',
        unbilledMinor: '0',
      },
    ]);
  });

  it('shows unbilled in the waterfall until the invoice, then deferred revenue, never a negative balance', async () => {
    const res = await request(env.q2c.url)
      .get('/v1/revenue/waterfall')
      .query({ from: '2026-01', to: '2026-12', contractId: orderId })
      .set(bearer(env.admin))
      .expect(200);
    const months = (res.body as { currencies: Array<{ months: Month[] }> }).currencies[0]?.months ?? [];
    expect(months.map((m) => m.period)).toEqual(PERIODS);
    expect(months.map((m) => m.recognisedMinor)).toEqual(G1_MONTHS);
    expect(
      months.slice(0, 4).map((m) => [m.billedMinor, m.closingDeferredMinor, m.closingUnbilledMinor]),
    ).toEqual([
      ['0', '0', '101918'],
      ['0', '0', '193973'],
      ['0', '0', '295890'],
      ['1200000', '805479', '0'],
    ]);
    for (const m of months) {
      expect(BigInt(m.closingDeferredMinor)).toBeGreaterThanOrEqual(0n);
      expect(BigInt(m.closingUnbilledMinor)).toBeGreaterThanOrEqual(0n);
    }
    expect(months.at(-1)).toMatchObject({ closingDeferredMinor: '0', closingUnbilledMinor: '0' });
  });
});
