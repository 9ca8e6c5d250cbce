import { describe, expect, it } from 'vitest';
import {
  addMonths,
  daysBetween,
  fromEpochDay,
  inclusiveDays,
  isIsoDate,
  isLeapYear,
  lastDayOfMonth,
  monthsBetween,
  toEpochDay,
  wholeMonthsAndDays,
} from './calendar-date';

describe('calendar dates', () => {
  it('knows leap years', () => {
    expect([2024, 2026, 2028, 1900, 2000, 2100].map(isLeapYear)).toEqual([
      true,
      false,
      true,
      false,
      true,
      false,
    ]);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
  });

  it('counts days with inclusive term ends', () => {
    expect(inclusiveDays('2026-01-01', '2026-12-31')).toBe(365);
    expect(inclusiveDays('2028-01-01', '2028-12-31')).toBe(366);
    expect(inclusiveDays('2026-03-15', '2026-12-31')).toBe(292);
    expect(daysBetween('2026-10-01', '2027-01-01')).toBe(92);
    expect(toEpochDay('1970-01-01')).toBe(0);
    expect(fromEpochDay(toEpochDay('2028-02-29') + 1)).toBe('2028-03-01');
  });

  it('adds months with end-of-month clamping, anchored', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-01-31', 2)).toBe('2026-03-31');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('iterates months and splits whole months from days', () => {
    expect(monthsBetween('2026-03-15', '2026-12-31')).toHaveLength(10);
    expect(monthsBetween('2026-12-15', '2027-01-02')).toEqual(['2026-12', '2027-01']);
    expect(lastDayOfMonth('2028-02')).toBe('2028-02-29');
    expect(wholeMonthsAndDays('2026-03-15', '2026-12-31')).toEqual({
      months: 9,
      days: 17,
      leftoverMonthDays: 31,
    });
    expect(wholeMonthsAndDays('2019-05-23', '2019-09-30')).toMatchObject({ months: 4, days: 8 });
    expect(wholeMonthsAndDays('2017-01-01', '2018-01-10')).toMatchObject({ months: 12, days: 10 });
    expect(wholeMonthsAndDays('2026-01-01', '2026-12-31')).toMatchObject({ months: 12, days: 0 });
  });
});
