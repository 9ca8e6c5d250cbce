import { loadConfig } from '@revline/config';
import { DomainError } from '@revline/http';
import { describe, expect, it } from 'vitest';
import { FiscalCalendarConfig } from './fiscal-calendar.config';
import { fiscalPolicy, FiscalPeriods } from './fiscal-periods';

const periodsOf = (env: Record<string, string>): FiscalPeriods =>
  new FiscalPeriods(loadConfig(FiscalCalendarConfig, env));

describe('the tenant’s fiscal calendar setting', () => {
  it('defaults to calendar months, adding nothing to the revenue policy', () => {
    const months = periodsOf({});
    expect(months.calendar).toBe('calendar');
    expect(fiscalPolicy(loadConfig(FiscalCalendarConfig, {}))).toEqual({});
    expect(months.period('2026-02')).toEqual({ key: '2026-02', from: '2026-02-01', to: '2026-02-28' });
    expect(months.keyOf('2026-02-14')).toBe('2026-02');
  });

  it('stops the app when a week calendar has no fiscal year start, or an unknown calendar is named', () => {
    expect(() => loadConfig(FiscalCalendarConfig, { REVENUE_FISCAL_CALENDAR: '4-4-5' })).toThrow(
      /REVENUE_FISCAL_YEAR_START/,
    );
    expect(() => loadConfig(FiscalCalendarConfig, { REVENUE_FISCAL_CALENDAR: '4-4-4' })).toThrow(
      /REVENUE_FISCAL_CALENDAR/,
    );
    const notADay = { REVENUE_FISCAL_CALENDAR: '5-4-4', REVENUE_FISCAL_YEAR_START: '2026-02-30' };
    expect(() => loadConfig(FiscalCalendarConfig, notADay)).toThrow(
      'REVENUE_FISCAL_YEAR_START was "2026-02-30": must be a calendar date',
    );
  });

  it('names a 4-4-5 tenant’s periods FYyyyy-Pnn, each with its first and last day', () => {
    const fiscal = periodsOf({ REVENUE_FISCAL_CALENDAR: '4-4-5', REVENUE_FISCAL_YEAR_START: '2025-12-28' });
    expect(fiscal.policy).toEqual({ fiscalCalendar: '4-4-5', fiscalYearStart: '2025-12-28' });
    expect(fiscal.keyOf('2026-01-01')).toBe('FY2026-P01');
    expect(fiscal.keyOf('2026-12-31')).toBe('FY2027-P01');
    expect(fiscal.period('FY2026-P03')).toEqual({ key: 'FY2026-P03', from: '2026-02-22', to: '2026-03-28' });
    expect(fiscal.between(fiscal.period('FY2026-P11'), fiscal.period('FY2027-P02'))).toEqual([
      'FY2026-P11',
      'FY2026-P12',
      'FY2027-P01',
      'FY2027-P02',
    ]);
  });

  it('answers 400 for a period that is not of the calendar, saying how its periods are named', () => {
    const fiscal = periodsOf({
      REVENUE_FISCAL_CALENDAR: '13-period',
      REVENUE_FISCAL_YEAR_START: '2025-12-28',
    });
    expect(fiscal.period('FY2026-P13').to).toBe('2026-12-26');
    for (const key of ['2026-03', 'FY2026-P14', 'soon']) {
      expect(() => fiscal.period(key, 'from')).toThrow(DomainError);
      expect(() => fiscal.period(key, 'from')).toThrow('from must be a 13-period fiscal period');
    }
  });

  it('asks the ERP for a month by its accounting period, for a fiscal period by its days', () => {
    expect(periodsOf({}).erpQuery('2026-02')).toEqual({ period: '2026-02' });
    const fiscal = periodsOf({ REVENUE_FISCAL_CALENDAR: '4-4-5', REVENUE_FISCAL_YEAR_START: '2025-12-28' });
    expect(fiscal.erpQuery('FY2026-P01')).toEqual({ from: '2025-12-28', to: '2026-01-24' });
    expect(() => fiscal.erpQuery('2026-01')).toThrow('period must be a 4-4-5 fiscal period');
    expect(() => periodsOf({}).erpQuery('FY2026-P01')).toThrow('period must be a month as YYYY-MM');
  });
});
