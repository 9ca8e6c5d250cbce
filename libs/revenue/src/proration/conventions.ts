import { wholeMonthsAndDaysOfEpochDays as wmd } from '@revline/canonical';
import { add, ratio, type Ratio } from '../core/ratio';
import { cycleMonths, dayOfMonth } from './cycle-months';

/**
 * Proration conventions:
 * - actual_days: remaining days / days in the period (end inclusive).
 * - stripe_seconds: remaining seconds / seconds in the period; equal to actual_days at 00:00 UTC.
 * - thirty_360: months of 30 days: whole months + leftover days / 30.
 * - monthly_actual_days: whole months + leftover days / days of the month they fall in.
 * - cpq_month: Salesforce CPQ month precision; a partial month counts as a whole month.
 * - cpq_monthly_daily: CPQ monthly + daily; whole months + leftover days / (365/12).
 * - cpq_day: CPQ day precision; days / (365/12) months.
 * `monthsUnder` counts whole calendar months from the start date, then leftover days (a CPQ quote's
 * prorate multiplier); a billing period's proration counts months from the bill-cycle day
 * (`monthsOfPeriod`, `remainingFraction`), as Zuora and Salesforce Billing invoice it.
 */
export const PRORATION_CONVENTIONS = [
  'actual_days',
  'stripe_seconds',
  'thirty_360',
  'monthly_actual_days',
  'cpq_month',
  'cpq_monthly_daily',
  'cpq_day',
] as const;

export type ProrationConvention = (typeof PRORATION_CONVENTIONS)[number];

export function isProrationConvention(value: unknown): value is ProrationConvention {
  return typeof value === 'string' && (PRORATION_CONVENTIONS as readonly string[]).includes(value);
}

/** Length of start..end (epoch days, inclusive) in months under a convention (exact). */
export function monthsUnder(convention: ProrationConvention, start: number, end: number): Ratio {
  const days = BigInt(end - start + 1);
  switch (convention) {
    case 'actual_days':
    case 'stripe_seconds':
    case 'cpq_day':
      // 365/12 days per month: days × 12 / 365.
      return ratio(days * 12n, 365n);
    case 'thirty_360': {
      const w = wmd(start, end);
      return add(ratio(BigInt(w.months)), ratio(BigInt(w.days), 30n));
    }
    case 'monthly_actual_days': {
      const w = wmd(start, end);
      return add(ratio(BigInt(w.months)), ratio(BigInt(w.days), BigInt(w.leftoverMonthDays)));
    }
    case 'cpq_month': {
      const w = wmd(start, end);
      return ratio(BigInt(w.months + (w.days > 0 ? 1 : 0)));
    }
    case 'cpq_monthly_daily': {
      const w = wmd(start, end);
      return add(ratio(BigInt(w.months)), ratio(BigInt(w.days) * 12n, 365n));
    }
  }
}

/**
 * Length of from..to (epoch days, inclusive) in months, measured as the convention measures it, the
 * months running from the bill-cycle day: CPQ day (and the day-based conventions) counts days over a
 * 365-day year (days × 12 / 365); the month-based ones count whole billing months plus partial ones
 * (cpq_month: a partial month is a month; cpq_monthly_daily: days / (365/12); thirty_360: days / 30;
 * monthly_actual_days: days / the days of that billing month).
 */
export function monthsOfPeriod(
  convention: ProrationConvention,
  from: number,
  to: number,
  billCycleDay: number,
): Ratio {
  switch (convention) {
    case 'actual_days':
    case 'stripe_seconds':
    case 'cpq_day':
      return ratio(BigInt(to - from + 1) * 12n, 365n);
    case 'thirty_360':
    case 'monthly_actual_days':
    case 'cpq_month':
    case 'cpq_monthly_daily':
      return cycleMonths(convention, from, to, billCycleDay);
  }
}

/**
 * The share of a billing period (periodStart..periodEnd inclusive) that remains from `from`
 * (inclusive) under a convention, both measured in the convention's own units. For stripe_seconds,
 * `fromSecond` (unix seconds) may give a time within the day; the period boundaries are 00:00 UTC.
 * Month-based conventions count billing months from `billCycleDay` (default: periodStart's day).
 */
export function remainingFraction(
  convention: ProrationConvention,
  periodStart: number,
  periodEnd: number,
  from: number,
  fromSecond?: bigint,
  billCycleDay: number = dayOfMonth(periodStart),
): Ratio {
  if (from > periodEnd) {
    return ratio(0n);
  }
  switch (convention) {
    case 'actual_days':
    case 'cpq_day':
      return ratio(BigInt(periodEnd - from + 1), BigInt(periodEnd - periodStart + 1));
    case 'stripe_seconds': {
      const startS = BigInt(periodStart) * 86_400n;
      const endS = BigInt(periodEnd + 1) * 86_400n;
      const fromS = fromSecond ?? BigInt(from) * 86_400n;
      return ratio(endS - fromS, endS - startS);
    }
    case 'thirty_360':
    case 'monthly_actual_days':
    case 'cpq_month':
    case 'cpq_monthly_daily': {
      const remaining = cycleMonths(convention, from, periodEnd, billCycleDay);
      const whole = cycleMonths(convention, periodStart, periodEnd, billCycleDay);
      return ratio(remaining.n * whole.d, remaining.d * whole.n);
    }
  }
}
