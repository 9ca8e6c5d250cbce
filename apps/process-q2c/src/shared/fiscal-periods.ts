import { Injectable } from '@nestjs/common';
import { fromEpochDay, toEpochDay } from '@revline/canonical';
import { DomainError } from '@revline/http';
import type { FiscalCalendar, PeriodGrid, PeriodRange, RevenuePolicy } from '@revline/revenue';
import { periodGrid, periodOfDay, periodOfKey, resolvePolicy } from '@revline/revenue';
import { FiscalCalendarConfig } from './fiscal-calendar.config';

/** The revenue policy fields of the tenant's fiscal calendar (what every schedule the sagas compute uses). */
export function fiscalPolicy(config: FiscalCalendarConfig): RevenuePolicy {
  return config.REVENUE_FISCAL_CALENDAR === 'calendar'
    ? {}
    : {
        fiscalCalendar: config.REVENUE_FISCAL_CALENDAR,
        ...(config.REVENUE_FISCAL_YEAR_START ? { fiscalYearStart: config.REVENUE_FISCAL_YEAR_START } : {}),
      };
}

/**
 * The tenant's accounting periods (REVENUE_FISCAL_CALENDAR): a period's key for a day, and the period a key names,
 * for the reads and the period close that take a period. Built at startup: a fiscal year start that is not a date
 * stops the app.
 */
@Injectable()
export class FiscalPeriods {
  readonly calendar: FiscalCalendar;
  readonly policy: RevenuePolicy;
  private readonly grid: PeriodGrid;

  constructor(config: FiscalCalendarConfig) {
    this.policy = fiscalPolicy(config);
    const resolved = resolvePolicy(this.policy);
    this.calendar = resolved.fiscalCalendar;
    this.grid = periodGrid(
      resolved.fiscalCalendar,
      resolved.fiscalYearStart === undefined ? undefined : toEpochDay(resolved.fiscalYearStart),
    );
  }

  /** How a period is named on this calendar, for error messages. */
  get format(): string {
    return this.calendar === 'calendar'
      ? 'a month as YYYY-MM, e.g. 2026-03'
      : `a ${this.calendar} fiscal period as FYyyyy-Pnn, e.g. FY2026-P03`;
  }

  /** The period an ISO date falls in. */
  periodOf(date: string): PeriodRange {
    return periodOfDay(this.grid, toEpochDay(date.slice(0, 10)));
  }

  /** The key of the period that ended last before the one holding `at` (UTC): what a scheduled close closes. */
  previousKey(at: Date): string {
    const current = this.periodOf(at.toISOString().slice(0, 10));
    return this.periodOf(fromEpochDay(toEpochDay(current.from) - 1)).key;
  }

  /** The key of the period an ISO date falls in. */
  keyOf(date: string): string {
    return this.periodOf(date).key;
  }

  /** The period a key names on this calendar, if it names one. */
  find(key: string): PeriodRange | undefined {
    return periodOfKey(this.grid, key);
  }

  /** The period a key names on this calendar; a 400 naming `field` when it names none. */
  period(key: string, field = 'period'): PeriodRange {
    const range = this.find(key);
    if (!range)
      throw new DomainError(400, `${field} must be ${this.format}`, [
        { field, problem: `must be ${this.format}` },
      ]);
    return range;
  }

  /**
   * How system-erp's reads of a period (`/v1/revenue-postings`, `/v1/exports/documents`) name a period of this
   * calendar: a month is the ERP's accounting period; a fiscal period is its days (its period-close journals are dated
   * its last, which the ERP files in the month holding it, beside another fiscal period's days).
   */
  erpQuery(key: string): Record<string, string> {
    const { from, to } = this.period(key);
    return this.calendar === 'calendar' ? { period: key } : { from, to };
  }

  /** The keys of the periods from `from` to `to` inclusive (at most `limit` of them). */
  between(from: PeriodRange, to: PeriodRange, limit = Infinity): string[] {
    const out: string[] = [];
    for (let day = toEpochDay(from.from); day <= toEpochDay(to.to) && out.length < limit;) {
      const p = periodOfDay(this.grid, day);
      out.push(p.key);
      day = toEpochDay(p.to) + 1;
    }
    return out;
  }

  /** The keys of the periods from one key to another, inclusive (for roll-forwards over stored keys). */
  readonly keysBetween = (from: string, to: string): string[] =>
    this.between(this.period(from), this.period(to));
}
