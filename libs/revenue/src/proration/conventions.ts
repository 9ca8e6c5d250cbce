import { wholeMonthsAndDaysOfEpochDays as wmd } from '@revline/canonical';
import { add, ratio, type Ratio } from '../core/ratio';

/**
 * Proration conventions (DESIGN.md §5):
 * - actual_days: remaining days / days in the period (end inclusive).
 * - stripe_seconds: remaining seconds / seconds in the period; equal to actual_days at 00:00 UTC.
 * - thirty_360: months of 30 days: whole months + leftover days / 30.
 * - monthly_actual_days: whole months + leftover days / days of the month they fall in.
 * - cpq_month: Salesforce CPQ month precision; a partial month counts as a whole month.
 * - cpq_monthly_daily: CPQ monthly + daily; whole months + leftover days / (365/12).
 * - cpq_day: CPQ day precision; days / (365/12) months.
 * Month-based conventions count whole calendar months from the start date, then leftover days.
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
 * The share of a billing period (periodStart..periodEnd inclusive) that remains from `from`
 * (inclusive) under a convention. For stripe_seconds, `fromSecond` (unix seconds) may give a time
 * within the day; the period boundaries are 00:00 UTC.
 */
export function remainingFraction(
  convention: ProrationConvention,
  periodStart: number,
  periodEnd: number,
  from: number,
  fromSecond?: bigint,
): Ratio {
  if (from > periodEnd) {
    return ratio(0n);
  }
  switch (convention) {
    case 'actual_days':
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
    case 'cpq_monthly_daily':
    case 'cpq_day': {
      const remaining = monthsUnder(convention, from, periodEnd);
      const whole =
        convention === 'cpq_day'
          ? monthsUnder('cpq_monthly_daily', periodStart, periodEnd)
          : monthsUnder(convention, periodStart, periodEnd);
      return ratio(remaining.n * whole.d, remaining.d * whole.n);
    }
  }
}
