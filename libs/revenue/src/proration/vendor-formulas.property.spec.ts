import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSchedules } from '../compute-schedules';
import type { RevenueContract } from '../input/contract-input';
import type { ProrationConvention } from './conventions';
import { previewProration } from './preview';

/*
 * Each convention against the vendor's documented formula, computed here on its own with JavaScript dates:
 * - Stripe (docs.stripe.com/billing/subscriptions/prorations): the price of the period × the time left /
 *   the period's time, a credit for the old price and a charge for the new one, each rounded.
 * - Zuora (docs.zuora.com, "Calculate total amount with partial period proration"): price per month ×
 *   (full months + prorated days / actual days of the prorated month), or / 30 under "assume 30 days";
 *   months run from the bill cycle day.
 * - Salesforce CPQ ("Subscription Prorate Precision", help.salesforce.com): day precision, days / 365 of a
 *   year; month precision, a partial month is a month; monthly + daily, whole months + days / (365/12).
 */

const DAY = 86_400_000;
const dayOf = (y: number, m: number, d: number): number => Date.UTC(y, m, d) / DAY;
const iso = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10);
const daysIn = (y: number, m: number): number => new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
/** The billing date of month index y × 12 + m on a bill cycle day (past the month's end: its last day). */
const cycleOn = (index: number, bcd: number): number => {
  const y = Math.floor(index / 12);
  const m = index - y * 12;
  return dayOf(y, m, Math.min(bcd, daysIn(y, m)));
};
const addMonths = (day: number, months: number): number => {
  const d = new Date(day * DAY);
  return cycleOn(d.getUTCFullYear() * 12 + d.getUTCMonth() + months, d.getUTCDate());
};

/** Exact fraction n / d (d > 0). */
type Q = readonly [bigint, bigint];
const q = (n: number | bigint, d: number | bigint = 1): Q => [BigInt(n), BigInt(d)];
const plus = (a: Q, b: Q): Q => [a[0] * b[1] + b[0] * a[1], a[1] * b[1]];
const times = (a: Q, b: Q): Q => [a[0] * b[0], a[1] * b[1]];
/** Half away from zero, to the cent. */
const cents = (x: Q): bigint => {
  const n = x[0] * 100n;
  const r = (2n * (n < 0n ? -n : n) + x[1]) / (2n * x[1]);
  return n < 0n ? -r : r;
};

/** from..to (inclusive) in months as Zuora and Salesforce CPQ count them, billing months from `bcd`. */
function vendorMonths(convention: ProrationConvention, from: number, to: number, bcd: number): Q {
  const days = to - from + 1;
  if (convention === 'cpq_day' || convention === 'actual_days' || convention === 'stripe_seconds') {
    return q(days * 12, 365);
  }
  const d = new Date(from * DAY);
  let index = d.getUTCFullYear() * 12 + d.getUTCMonth();
  if (cycleOn(index, bcd) > from) index--;
  let total = q(0);
  for (let day = from; day <= to; index++) {
    const start = cycleOn(index, bcd);
    const next = cycleOn(index + 1, bcd);
    const used = Math.min(to, next - 1) - day + 1;
    const length = next - start;
    const partial: Record<string, Q> = {
      thirty_360: q(used, 30),
      monthly_actual_days: q(used, length),
      cpq_month: q(1),
      cpq_monthly_daily: q(used * 12, 365),
    };
    total = plus(total, used === length ? q(1) : (partial[convention] ?? q(0)));
    day += used;
  }
  return total;
}

const CONVENTIONS: ProrationConvention[] = [
  'actual_days',
  'stripe_seconds',
  'thirty_360',
  'monthly_actual_days',
  'cpq_month',
  'cpq_monthly_daily',
  'cpq_day',
];
const START = dayOf(2024, 0, 1);

const changeArb = fc
  .record({
    start: fc.integer({ min: 0, max: 365 * 7 }),
    months: fc.constantFrom(1, 3, 6, 12),
    days: fc.integer({ min: 1, max: 400 }),
    wholeMonths: fc.boolean(),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    bcd: fc.option(fc.integer({ min: 1, max: 31 }), { nil: undefined }),
    q0: fc.integer({ min: 0, max: 50 }),
    more: fc.integer({ min: 1, max: 50 }),
    price: fc.integer({ min: 1, max: 2_000 }),
    convention: fc.constantFrom(...CONVENTIONS),
  })
  .map((g) => {
    const periodStart = START + g.start;
    const periodEnd = g.wholeMonths ? addMonths(periodStart, g.months) - 1 : periodStart + g.days - 1;
    const effective = periodStart + Math.floor(g.at * (periodEnd - periodStart));
    return { ...g, periodStart, periodEnd, effective, q1: g.q0 + g.more };
  });

describe('every convention prorates as its vendor documents it', () => {
  it('over random periods (whole months or not), effective dates and bill cycle days', () => {
    fc.assert(
      fc.property(changeArb, (c) => {
        // Stripe's price is per billing interval: only whole-month periods have one.
        fc.pre(c.wholeMonths || !['actual_days', 'stripe_seconds'].includes(c.convention));
        const preview = previewProration(
          {
            currency: 'USD',
            periodStart: iso(c.periodStart),
            periodEnd: iso(c.periodEnd),
            effectiveDate: iso(c.effective),
            priorQuantity: String(c.q0),
            newQuantity: String(c.q1),
            priorUnitPrice: String(c.price),
            newUnitPrice: String(c.price),
            ...(c.bcd === undefined ? {} : { billCycleDay: c.bcd }),
          },
          c.convention,
        );
        let expected: bigint;
        if (c.convention === 'actual_days' || c.convention === 'stripe_seconds') {
          const left = q(c.periodEnd - c.effective + 1, c.periodEnd - c.periodStart + 1);
          const perPeriod = (n: number): Q => q(n * c.price * c.months);
          expected = cents(times(perPeriod(c.q1), left)) - cents(times(perPeriod(c.q0), left));
        } else {
          const bcd = c.bcd ?? new Date(c.periodStart * DAY).getUTCDate();
          const months = vendorMonths(c.convention, c.effective, c.periodEnd, bcd);
          expected = cents(times(q((c.q1 - c.q0) * c.price), months));
        }
        expect(preview.netMinor).toBe(expected.toString());
      }),
      { numRuns: 400 },
    );
  });
});

const FREQUENCIES = { monthly: 1, quarterly: 3, semiannual: 6, annual: 12 } as const;

const contractChangeArb = fc
  .record({
    start: fc.integer({ min: 0, max: 365 * 6 }),
    frequency: fc.constantFrom('monthly', 'quarterly', 'semiannual', 'annual' as const),
    periods: fc.integer({ min: 1, max: 4 }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    q0: fc.integer({ min: 1, max: 40 }),
    q1: fc.integer({ min: 0, max: 80 }),
    price: fc.integer({ min: 1, max: 900 }),
    timing: fc.constantFrom('advance', 'arrears' as const),
    convention: fc.constantFrom(...CONVENTIONS),
  })
  .filter((g) => g.q0 !== g.q1);

describe("a change's charges sum to what the billing platform invoices over the term", () => {
  it('for every billing frequency, effective date and convention', () => {
    fc.assert(
      fc.property(contractChangeArb, (g) => {
        const step = FREQUENCIES[g.frequency];
        const termStart = START + g.start;
        const termEnd = addMonths(termStart, step * g.periods) - 1;
        const effective = termStart + Math.floor(g.at * (termEnd - termStart));
        const contract: RevenueContract = {
          contractId: 'C-P',
          currency: 'USD',
          termStart: iso(termStart),
          termEnd: iso(termEnd),
          billingFrequency: g.frequency,
          billingTiming: g.timing,
          lines: [
            {
              lineId: 'seats',
              productCode: 'SEAT',
              pobId: 'seats',
              chargeType: 'recurring',
              quantity: String(g.q0),
              unitPrice: String(g.price),
              unitPricePeriod: 'month',
              netAmount: { amountMinor: String(g.q0 * g.price * step * g.periods * 100), currency: 'USD' },
              serviceStart: iso(termStart),
              serviceEnd: iso(termEnd),
              revenueTreatment: 'ratable_daily',
            },
          ],
        };
        const change = {
          amendmentId: 'A-P',
          amendsContractId: 'C-P',
          amendmentType: g.q1 > g.q0 ? ('expansion' as const) : ('reduction' as const),
          effectiveDate: iso(effective),
          coTerminated: true,
          lineDeltas: [
            {
              lineId: 'seats',
              priorQuantity: String(g.q0),
              newQuantity: String(g.q1),
              priorUnitPrice: String(g.price),
              newUnitPrice: String(g.price),
            },
          ],
        };
        const policy = { prorationConvention: g.convention };
        const before = computeSchedules(contract, [], policy).totals.billedMinor;
        const after = computeSchedules(contract, [change], policy).totals.billedMinor;

        // The platform's invoices: each billing period from the term start, the one the change falls in
        // prorated from the change, the later ones whole at the new quantity, each invoice line rounded.
        let invoiced = 0n;
        for (let k = 0; k < g.periods; k++) {
          const ps = addMonths(termStart, k * step);
          const pe = addMonths(termStart, (k + 1) * step) - 1;
          if (pe < effective) continue;
          const from = Math.max(ps, effective);
          if (g.convention === 'actual_days' || g.convention === 'stripe_seconds') {
            const left = q(pe - from + 1, pe - ps + 1);
            invoiced +=
              cents(times(q(g.q1 * g.price * step), left)) - cents(times(q(g.q0 * g.price * step), left));
          } else {
            const bcd = new Date(termStart * DAY).getUTCDate();
            invoiced += cents(times(q((g.q1 - g.q0) * g.price), vendorMonths(g.convention, from, pe, bcd)));
          }
        }
        expect(after - before).toBe(invoiced);
      }),
      { numRuns: 300 },
    );
  });
});
