import { describe, expect, it } from 'vitest';
import { fromEpochDay, toEpochDay } from '@revline/canonical';
import { computeSchedules } from '../compute-schedules';
import { g1Contract, seatsLine, usd } from '../testing/fixtures';
import { RevenueInputError } from './errors';
import { FiscalGrid } from './period-grid';
import type { RevenuePolicy } from './policy';

/** A 4-4-5 tenant whose fiscal 2026 starts on Sunday 2026-01-04 (364 days, to Saturday 2027-01-02). */
const policy445: RevenuePolicy = { fiscalCalendar: '4-4-5', fiscalYearStart: '2026-01-04' };
const fy2026 = g1Contract({
  termStart: '2026-01-04',
  termEnd: '2027-01-02',
  lines: [seatsLine({ serviceStart: '2026-01-04', serviceEnd: '2027-01-02' })],
});

const periodsOf = (grid: FiscalGrid, from: string, to: string) => {
  const out: { key: string; start: string; end: string; days: number }[] = [];
  for (let i = grid.indexOf(toEpochDay(from)); i <= grid.indexOf(toEpochDay(to)); i++) {
    const start = grid.end(i - 1) + 1;
    out.push({
      key: grid.key(i),
      start: fromEpochDay(start),
      end: fromEpochDay(grid.end(i)),
      days: grid.end(i) - start + 1,
    });
  }
  return out;
};

describe('a 4-4-5 fiscal year', () => {
  it('has twelve periods of 4, 4 and 5 weeks from the year start', () => {
    const periods = periodsOf(new FiscalGrid('4-4-5', toEpochDay('2026-01-04')), '2026-01-04', '2027-01-02');
    expect(periods.map((p) => p.days)).toEqual([28, 28, 35, 28, 28, 35, 28, 28, 35, 28, 28, 35]);
    expect(periods[0]).toEqual({ key: 'FY2026-P01', start: '2026-01-04', end: '2026-01-31', days: 28 });
    expect(periods[2]).toEqual({ key: 'FY2026-P03', start: '2026-03-01', end: '2026-04-04', days: 35 });
    expect(periods[11]).toEqual({ key: 'FY2026-P12', start: '2026-11-29', end: '2027-01-02', days: 35 });
  });

  it('recognises 12,000.00 over its 364 days in periods that sum exactly to the price', () => {
    const result = computeSchedules(fy2026, [], policy445);
    const periods = result.obligations[0]?.periods ?? [];
    expect(periods.map((p) => p.period)).toEqual(
      Array.from({ length: 12 }, (_, i) => `FY2026-P${String(i + 1).padStart(2, '0')}`),
    );
    // 12,000 × 28/364 = 923.08; to P02 12,000 × 56/364 = 1,846.15; to P03 12,000 × 91/364 = 3,000.00.
    expect(periods.slice(0, 3).map((p) => p.amountMinor)).toEqual([92_308n, 92_307n, 115_385n]);
    expect(periods.filter((_, i) => i % 3 === 2).map((p) => p.cumulativeMinor)).toEqual([
      300_000n,
      600_000n,
      900_000n,
      1_200_000n,
    ]);
    expect(periods.reduce((s, p) => s + p.amountMinor, 0n)).toBe(1_200_000n);
    expect(result.totals.recognisedMinor).toBe(1_200_000n);
    expect(result.deferredByPeriod.at(-1)?.period).toBe('FY2026-P12');
  });

  it('is recorded on the schedule', () => {
    expect(computeSchedules(fy2026, [], policy445).policy).toMatchObject(policy445);
    expect(computeSchedules(fy2026).policy.fiscalCalendar).toBe('calendar');
  });

  it('spreads even-monthly revenue evenly over its periods: 1,000.00 each', () => {
    const result = computeSchedules(fy2026, [], { ...policy445, ratableConvention: 'even_monthly' });
    expect(result.obligations[0]?.periods.map((p) => p.amountMinor)).toEqual(Array(12).fill(100_000n));
  });
});

describe('the other week calendars', () => {
  it('cut 4-5-4 and 5-4-4 quarters', () => {
    const days = (c: '4-5-4' | '5-4-4') =>
      periodsOf(new FiscalGrid(c, toEpochDay('2026-01-04')), '2026-01-04', '2026-04-04').map((p) => p.days);
    expect(days('4-5-4')).toEqual([28, 35, 28]);
    expect(days('5-4-4')).toEqual([35, 28, 28]);
  });

  it('give a 53rd week to the last period when the year start drifts a week (FY2028: 371 days)', () => {
    // Years start on the Sunday nearest 4 January: 2027-01-03, 2028-01-02, then 2029-01-07.
    const grid = new FiscalGrid('4-4-5', toEpochDay('2026-01-04'));
    const fy2028 = periodsOf(grid, '2028-01-02', '2029-01-06');
    expect(fy2028).toHaveLength(12);
    expect(fy2028[0]?.start).toBe('2028-01-02');
    expect(fy2028[11]).toEqual({ key: 'FY2028-P12', start: '2028-11-26', end: '2029-01-06', days: 42 });
    expect(grid.key(grid.indexOf(toEpochDay('2029-01-07')))).toBe('FY2029-P01');
  });

  it('cut a 13-period year into four-week periods, 5 weeks for P13 of a 53-week year', () => {
    const grid = new FiscalGrid('13-period', toEpochDay('2026-01-04'));
    expect(periodsOf(grid, '2026-01-04', '2027-01-02').map((p) => p.days)).toEqual(Array(13).fill(28));
    const fy2028 = periodsOf(grid, '2028-01-02', '2029-01-06');
    expect(fy2028.at(-1)).toMatchObject({ key: 'FY2028-P13', days: 35 });
  });

  it('keep a 13-period contract exact: 13,000.00 over FY2026 in 1,000.00 periods', () => {
    const result = computeSchedules(
      {
        ...fy2026,
        lines: [
          seatsLine({ serviceStart: '2026-01-04', serviceEnd: '2027-01-02', netAmount: usd(1_300_000) }),
        ],
      },
      [],
      { fiscalCalendar: '13-period', fiscalYearStart: '2026-01-04' },
    );
    expect(result.obligations[0]?.periods.map((p) => p.amountMinor)).toEqual(Array(13).fill(100_000n));
  });
});

describe('a fiscal calendar without its year start', () => {
  it('is refused naming policy.fiscalYearStart', () => {
    expect(() => computeSchedules(fy2026, [], { fiscalCalendar: '4-4-5' })).toThrow(RevenueInputError);
    expect(() => computeSchedules(fy2026, [], { fiscalCalendar: '4-4-5' })).toThrow(/fiscalYearStart/);
  });
});
