import { describe, expect, it } from 'vitest';
import { toEpochDay } from '@revline/canonical';
import { CALENDAR_GRID, FiscalGrid, periodOfDay, periodOfKey } from './period-grid';

const range = (key: string, from: string, to: string) => ({ key, from, to });

describe('periods by key', () => {
  const g445 = new FiscalGrid('4-4-5', toEpochDay('2026-01-04'));

  it('finds a fiscal period from its key, with its first and last days', () => {
    expect(periodOfKey(g445, 'FY2026-P03')).toEqual(range('FY2026-P03', '2026-03-01', '2026-04-04'));
    expect(periodOfKey(g445, 'FY2026-P12')).toEqual(range('FY2026-P12', '2026-11-29', '2027-01-02'));
    expect(periodOfKey(g445, 'FY2027-P01')).toEqual(range('FY2027-P01', '2027-01-03', '2027-01-30'));
  });

  it('answers every key the grid names, over years of 52 and 53 weeks, back to the day it covers', () => {
    for (const grid of [g445, new FiscalGrid('13-period', toEpochDay('2025-07-06'))]) {
      for (let day = toEpochDay('2024-01-01'); day < toEpochDay('2034-01-01'); day += 9) {
        const period = periodOfDay(grid, day);
        expect(periodOfKey(grid, period.key)).toEqual(period);
        expect(toEpochDay(period.from) <= day && day <= toEpochDay(period.to)).toBe(true);
      }
    }
  });

  it('refuses a key the grid does not name', () => {
    expect(periodOfKey(g445, '2026-03')).toBeUndefined();
    expect(periodOfKey(g445, 'FY2026-P13')).toBeUndefined();
    expect(periodOfKey(CALENDAR_GRID, 'FY2026-P01')).toBeUndefined();
    expect(periodOfKey(CALENDAR_GRID, '2026-13')).toBeUndefined();
  });

  it('names calendar months as before', () => {
    expect(periodOfKey(CALENDAR_GRID, '2026-02')).toEqual(range('2026-02', '2026-02-01', '2026-02-28'));
  });
});
