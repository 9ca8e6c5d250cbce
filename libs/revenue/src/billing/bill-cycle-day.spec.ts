import { fromEpochDay, toEpochDay } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import { computeSchedules } from '../compute-schedules';
import { resolvePolicy } from '../core/policy';
import { ratio } from '../core/ratio';
import { changeCharges } from '../modifications/change-charges';
import { bookContract } from '../schedule/book-contract';
import { g1Contract, g2Expansion } from '../testing/fixtures';
import { billingPeriodsOver, firstCycleDate } from './periods';
import { stubCharge } from './stub-charge';

const day = (iso: string): number => toEpochDay(iso);
const iso = (p: { start: number; end: number; basisEnd: number }): string[] => [
  fromEpochDay(p.start),
  fromEpochDay(p.end),
  fromEpochDay(p.basisEnd),
];

/** 10 seats × 100.00 a month over 2026, billed monthly in advance on the 15th. */
const monthlyOn15 = g1Contract({ billingFrequency: 'monthly', billCycleDay: 15 });

describe('bill-cycle day: the stub to the first cycle date, then whole periods from the cycle day', () => {
  it('starts on the 15th after a stub from the 1st, measured against the month from the 1st', () => {
    const periods = billingPeriodsOver(
      day('2026-01-01'),
      day('2026-12-31'),
      'monthly',
      day('2026-01-01'),
      day('2026-03-20'),
      15,
    );
    expect(periods.map(iso)).toEqual([
      ['2026-01-01', '2026-01-14', '2026-01-31'],
      ['2026-01-15', '2026-02-14', '2026-02-14'],
      ['2026-02-15', '2026-03-14', '2026-03-14'],
      ['2026-03-15', '2026-04-14', '2026-04-14'],
    ]);
  });

  it('clamps a cycle day of 31 to the end of short months and returns to the 31st', () => {
    expect(fromEpochDay(firstCycleDate(day('2026-02-10'), 31))).toBe('2026-02-28');
    const periods = billingPeriodsOver(
      day('2026-02-10'),
      day('2027-02-09'),
      'monthly',
      day('2026-02-10'),
      day('2026-05-01'),
      31,
    );
    expect(periods.map(iso)).toEqual([
      ['2026-02-10', '2026-02-27', '2026-03-09'],
      ['2026-02-28', '2026-03-30', '2026-03-30'],
      ['2026-03-31', '2026-04-29', '2026-04-29'],
      ['2026-04-30', '2026-05-30', '2026-05-30'],
    ]);
  });

  it('takes the next month when the cycle day is before the term start, quarters from there', () => {
    const periods = billingPeriodsOver(
      day('2026-01-20'),
      day('2027-01-19'),
      'quarterly',
      day('2026-01-20'),
      day('2026-06-01'),
      5,
    );
    expect(periods.map(iso)).toEqual([
      ['2026-01-20', '2026-02-04', '2026-04-19'],
      ['2026-02-05', '2026-05-04', '2026-05-04'],
      ['2026-05-05', '2026-08-04', '2026-08-04'],
    ]);
  });

  it("has no stub and the same periods as today when the cycle day is the term start's day or absent", () => {
    const args = [
      day('2026-01-31'),
      day('2027-01-30'),
      'monthly',
      day('2026-01-31'),
      day('2026-04-30'),
    ] as const;
    const today = billingPeriodsOver(...args);
    expect(billingPeriodsOver(...args, 31)).toEqual(today);
    expect(today.map(iso)).toEqual([
      ['2026-01-31', '2026-02-27', '2026-02-27'],
      ['2026-02-28', '2026-03-30', '2026-03-30'],
      ['2026-03-31', '2026-04-29', '2026-04-29'],
      ['2026-04-30', '2026-05-30', '2026-05-30'],
    ]);
  });

  it('invoices the stub as 14/31 of a month, whole months on the 15th, and the 17 days left in December', () => {
    const state = bookContract(monthlyOn15, resolvePolicy(undefined));
    const postings = state.postings.map((p) => [fromEpochDay(p.day), p.amount]);
    // 1,000.00 a month: 1,000.00 × 14 / 31 = 451.6129… → 451.61; the rest of the 12,000.00 after 11 whole months.
    const stub = (100_000n * 14n * 2n + 31n) / (31n * 2n);
    expect(stub).toBe(45_161n);
    expect(postings.at(0)).toEqual(['2026-01-01', stub]);
    expect(postings.slice(1, 12)).toEqual(
      Array.from({ length: 11 }, (_, i) => [`2026-${String(i + 1).padStart(2, '0')}-15`, 100_000n]),
    );
    expect(postings.at(12)).toEqual(['2026-12-15', 1_200_000n - stub - 11n * 100_000n]);
    expect(postings).toHaveLength(13);
    const january = computeSchedules(monthlyOn15).deferredByPeriod.find((p) => p.period === '2026-01');
    expect(january?.billedMinor).toBe(stub + 100_000n);
  });

  it('charges a change over the cycle-day period it falls in: +5 seats on 1 March is 14/28 of 500.00', () => {
    const state = bookContract(monthlyOn15, resolvePolicy(undefined));
    const ls = state.lines.get('seats');
    if (!ls) throw new Error('no seats line');
    const charges = changeCharges(state, ls, ratio(1_000n), ratio(1_500n), day('2026-03-01'), 'actual_days');
    expect(charges.at(0)).toEqual({ from: day('2026-03-01'), to: day('2026-03-14'), amount: 25_000n });
    expect(charges.at(1)).toEqual({ from: day('2026-03-15'), to: day('2026-04-14'), amount: 50_000n });
    // 17 days of December's period (15 December to 14 January, 31 days): 500.00 × 17 / 31 = 274.19.
    expect(charges.at(-1)).toEqual({ from: day('2026-12-15'), to: day('2026-12-31'), amount: 27_419n });
    expect(charges).toHaveLength(11);
  });

  it('prorates a change inside the stub against the month from the term start (Stripe)', () => {
    const state = bookContract(monthlyOn15, resolvePolicy(undefined));
    const ls = state.lines.get('seats');
    if (!ls) throw new Error('no seats line');
    const [first] = changeCharges(state, ls, ratio(1_000n), ratio(1_500n), day('2026-01-08'), 'actual_days');
    // 7 days (8..14 January) of January's 31: 500.00 × 7 / 31 = 112.90.
    expect(first).toEqual({ from: day('2026-01-08'), to: day('2026-01-14'), amount: 11_290n });
  });

  it('refuses a cycle day outside 1..31, naming the field', () => {
    expect(() => computeSchedules(g1Contract({ billCycleDay: 32 }))).toThrow(/contract\.billCycleDay/);
    expect(() => computeSchedules(g1Contract({ billCycleDay: 0 }))).toThrow(/1\.\.31/);
  });

  it("bills G2 exactly as without a cycle day when the cycle day is the term start's day", () => {
    const withDay = computeSchedules(g1Contract({ billCycleDay: 1 }), [g2Expansion]);
    const without = computeSchedules(g1Contract(), [g2Expansion]);
    expect(withDay.deferredByPeriod).toEqual(without.deferredByPeriod);
  });
});

describe('stubCharge: what the billing platform invoices first for a bill-cycle day after the term start', () => {
  const item = {
    currency: 'USD' as const,
    termStart: '2026-01-01',
    termEnd: '2026-12-31',
    unitPricePeriod: 'month' as const,
    quantity: '10',
    unitPrice: '100',
  };

  it('is 14 of the 31 days of January for a monthly price on the 15th', () => {
    expect(stubCharge({ ...item, billCycleDay: 15 })).toBe(45_161n);
  });

  it('is 14 of the 365 days of the year from the term start for a yearly price', () => {
    // 10 × 1,200.00 × 14 / 365 = 460.27397… → 460.27
    expect(stubCharge({ ...item, unitPricePeriod: 'year', unitPrice: '1200', billCycleDay: 15 })).toBe(
      46_027n,
    );
  });

  it('is nothing to expect when the term starts on its cycle date', () => {
    expect(stubCharge(item)).toBeUndefined();
    expect(stubCharge({ ...item, billCycleDay: 1 })).toBeUndefined();
  });
});
