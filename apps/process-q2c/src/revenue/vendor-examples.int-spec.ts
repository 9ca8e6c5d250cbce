import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';

/*
 * The billing platforms' own published examples, to the minor unit, through the preview routes.
 * - Stripe, "Prorations" (https://docs.stripe.com/billing/subscriptions/prorations): 10 USD → 20 USD halfway
 *   through the period: −5 USD unused time + 10 USD remaining time = +5 USD.
 * - Zuora, "Calculate total amount with partial period proration" (https://knowledgecenter.zuora.com/
 *   Zuora_Billing/Subscriptions/Subscriptions/Common_subscription_information/F_Proration/
 *   Calculate_total_amount_with_partial_period_proration): 100 USD a month from 01/01/2018, billing day the
 *   15th, billed to 02/14/2018: 100 × (1 + 14/30) = 146.67 assuming 30-day months, 100 × (1 + 14/31) = 145.16
 *   by actual days.
 * - Salesforce, "Monthly Proration Examples" (https://help.salesforce.com/s/articleView?id=ind.pricing_monthly_proration_examples.htm):
 *   90 USD a month from 2025-03-28 to 2026-02-04, periods from the 5th: 8/31 + 10 = 10.258065 periods, 923.23;
 *   without partial periods the partial one counts as a whole period, 11 × 90 = 990.00.
 * - Salesforce CPQ, "Subscription Prorate Precision" (help.salesforce.com): month precision rounds partial
 *   months up, 2017-01-01..2018-01-10 is 13 months.
 * - Chargebee, "Billing Mode & Proration" (https://www.chargebee.com/docs/proration.html) and "If I change the
 *   next billing date…" (https://support.chargebee.com/support/solutions/articles/251116): credits and charges
 *   are the price over the days of the term times the days: 30 → 100 a month with 15 of 30 days left is a
 *   credit of 15.00 and a charge of 50.00, net 35.00.
 */

const SCHEDULES = '/v1/revenue/schedule-previews';
const PRORATION = '/v1/proration-previews';

const line = (start: string, end: string, quantity: string, unitPrice: string, months: number) => ({
  lineId: 'L1',
  productCode: 'PLAN',
  pobId: 'POB-PLAN',
  chargeType: 'recurring',
  quantity,
  unitPrice,
  unitPricePeriod: 'month',
  netAmount: { amountMinor: String(Number(quantity) * Number(unitPrice) * months * 100), currency: 'USD' },
  serviceStart: start,
  serviceEnd: end,
  revenueTreatment: 'ratable_daily',
});

/** A monthly-billed contract and one change of its line effective on a date. */
const contractChange = (
  term: { start: string; end: string; months: number },
  effectiveDate: string,
  delta: { q0: string; q1: string; p0: string; p1: string },
  prorationConvention: string,
) => ({
  contract: {
    contractId: 'C-V',
    customer: { customerId: 'acct-v' },
    currency: 'USD',
    termStart: term.start,
    termEnd: term.end,
    billingFrequency: 'monthly',
    billingTiming: 'advance',
    lines: [line(term.start, term.end, delta.q0, delta.p0, term.months)],
  },
  amendments: [
    {
      amendmentId: 'A-V',
      amendsContractId: 'C-V',
      amendmentType: delta.p0 === delta.p1 ? 'expansion' : 'price_change',
      effectiveDate,
      coTerminated: true,
      lineDeltas: [
        {
          lineId: 'L1',
          priorQuantity: delta.q0,
          newQuantity: delta.q1,
          priorUnitPrice: delta.p0,
          newUnitPrice: delta.p1,
        },
      ],
    },
  ],
  policy: { prorationConvention },
});

const prorationOf = (
  period: { start: string; end: string },
  effectiveDate: string,
  delta: { q0: string; q1: string; p0: string; p1: string },
  convention: string,
  billCycleDay?: number,
) => ({
  change: {
    currency: 'USD',
    periodStart: period.start,
    periodEnd: period.end,
    effectiveDate,
    priorQuantity: delta.q0,
    newQuantity: delta.q1,
    priorUnitPrice: delta.p0,
    newUnitPrice: delta.p1,
    ...(billCycleDay === undefined ? {} : { billCycleDay }),
  },
  convention,
});

interface Schedule {
  modifications: { considerationMinor: string }[];
  totals: { billedMinor: string; transactionPriceMinor: string };
}

describe("the billing platforms' published examples, through the preview routes", () => {
  let db: TestDatabase;
  let test: TestApp;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  const post = async (path: string, body: object): Promise<request.Response> =>
    request(test.url).post(path).set(bearer(viewer)).send(body).expect(200);

  /** The consideration the engine records for the change, and what it adds to the contract's invoices. */
  const charged = async (body: object): Promise<[string, string]> => {
    const s = (await post(SCHEDULES, body)).body as Schedule;
    const consideration = BigInt(s.modifications[0]?.considerationMinor ?? '0');
    const booked = BigInt(s.totals.transactionPriceMinor) - consideration;
    return [String(consideration), String(BigInt(s.totals.billedMinor) - booked)];
  };

  describe('Stripe: 10 → 20 USD halfway through the period', () => {
    const half = { q0: '1', q1: '1', p0: '10', p1: '20' };

    it('is −5.00 + 10.00 = 5.00 on the proration preview', async () => {
      const res = await post(
        PRORATION,
        prorationOf({ start: '2026-04-01', end: '2026-04-30' }, '2026-04-16', half, 'stripe_seconds'),
      );
      expect(res.body.lines.map((l: { amountMinor: string }) => l.amountMinor)).toEqual(['-500', '1000']);
      expect(res.body.netMinor).toBe('500');
    });

    it('is 5.00 more invoiced on a monthly contract', async () => {
      const amounts = await charged(
        contractChange(
          { start: '2026-04-01', end: '2026-04-30', months: 1 },
          '2026-04-16',
          half,
          'actual_days',
        ),
      );
      expect(amounts).toEqual(['500', '500']);
    });
  });

  describe('Zuora: 100 USD a month from 01/01/2018, billing day the 15th, billed to 02/14/2018', () => {
    const added = { q0: '0', q1: '1', p0: '100', p1: '100' };
    const toFeb14 = { start: '2018-01-01', end: '2018-02-14' };

    it.each([
      ['thirty_360', '14667'],
      ['monthly_actual_days', '14516'],
    ])('%s: %s on the proration preview', async (convention, net) => {
      const res = await post(PRORATION, prorationOf(toFeb14, '2018-01-01', added, convention, 15));
      expect(res.body.netMinor).toBe(net);
    });

    it.each([
      ['thirty_360', '14667'],
      ['monthly_actual_days', '14516'],
    ])('%s: %s for a seat added on 01/01 to a contract billed from the 15th', async (convention, amount) => {
      const amounts = await charged(
        contractChange(
          { start: '2017-12-15', end: '2018-02-14', months: 2 },
          '2018-01-01',
          { q0: '1', q1: '2', p0: '100', p1: '100' },
          convention,
        ),
      );
      expect(amounts).toEqual([amount, amount]);
    });
  });

  describe('Salesforce: 90 USD a month from 2025-03-28 to 2026-02-04, periods from the 5th', () => {
    const term = { start: '2025-03-28', end: '2026-02-04' };
    const added = { q0: '0', q1: '1', p0: '90', p1: '90' };

    it('is 923.23 with partial periods (8/31 + 10) and 990.00 without (11 periods)', async () => {
      expect(
        (await post(PRORATION, prorationOf(term, term.start, added, 'monthly_actual_days', 5))).body.netMinor,
      ).toBe('92323');
      expect(
        (await post(PRORATION, prorationOf(term, term.start, added, 'cpq_month', 5))).body.netMinor,
      ).toBe('99000');
    });

    it('is charged the same on a contract billed from the 5th', async () => {
      const contract = { start: '2025-03-05', end: '2026-02-04', months: 11 };
      const seat = { q0: '1', q1: '2', p0: '90', p1: '90' };
      expect(await charged(contractChange(contract, term.start, seat, 'monthly_actual_days'))).toEqual([
        '92323',
        '92323',
      ]);
      expect(await charged(contractChange(contract, term.start, seat, 'cpq_month'))).toEqual([
        '99000',
        '99000',
      ]);
    });
  });

  it('Salesforce CPQ month precision: 2017-01-01..2018-01-10 is 13 months, 1,300.00 at 100 a month', async () => {
    const res = await post(
      PRORATION,
      prorationOf(
        { start: '2017-01-01', end: '2018-01-10' },
        '2017-01-01',
        { q0: '0', q1: '1', p0: '100', p1: '100' },
        'cpq_month',
      ),
    );
    expect(res.body.netMinor).toBe('130000');
  });

  describe('Chargebee: 30 → 100 a month with 15 of 30 days left', () => {
    const upgrade = { q0: '1', q1: '1', p0: '30', p1: '100' };

    it('credits 15.00 and charges 50.00, net 35.00', async () => {
      const res = await post(
        PRORATION,
        prorationOf({ start: '2026-11-01', end: '2026-11-30' }, '2026-11-16', upgrade, 'actual_days'),
      );
      expect(res.body.lines.map((l: { amountMinor: string }) => l.amountMinor)).toEqual(['-1500', '5000']);
      expect(res.body.netMinor).toBe('3500');
    });

    it('adds 35.00 to the invoices of a monthly contract', async () => {
      const amounts = await charged(
        contractChange(
          { start: '2026-11-01', end: '2026-11-30', months: 1 },
          '2026-11-16',
          upgrade,
          'actual_days',
        ),
      );
      expect(amounts).toEqual(['3500', '3500']);
    });
  });
});
