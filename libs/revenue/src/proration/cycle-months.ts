import { civilOf, daysInMonth, epochDayOf } from '@revline/canonical';
import { add, ratio, type Ratio } from '../core/ratio';

/** The conventions that count a period in months split on the bill-cycle day. */
export type MonthConvention = 'thirty_360' | 'monthly_actual_days' | 'cpq_month' | 'cpq_monthly_daily';

/** The cycle date of month index (year × 12 + month − 1): the bill-cycle day, or the month's last day. */
export function cycleDate(index: number, billCycleDay: number): number {
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return epochDayOf(year, month, Math.min(billCycleDay, daysInMonth(year, month)));
}

/** Month index whose cycle date starts the billing month `day` falls in. */
function cycleIndexOf(day: number, billCycleDay: number): number {
  const c = civilOf(day);
  const index = c.year * 12 + c.month - 1;
  return cycleDate(index, billCycleDay) > day ? index - 1 : index;
}

/** What a partial billing month of `days` days out of `length` counts for under a convention. */
function partialMonth(convention: MonthConvention, days: number, length: number): Ratio {
  switch (convention) {
    case 'thirty_360':
      return ratio(BigInt(days), 30n);
    case 'monthly_actual_days':
      return ratio(BigInt(days), BigInt(length));
    case 'cpq_month':
      return ratio(1n);
    case 'cpq_monthly_daily':
      return ratio(BigInt(days) * 12n, 365n);
  }
}

/**
 * Length of from..to (epoch days, inclusive) in months under a month-based convention, the months
 * running from bill-cycle day to bill-cycle day (a day past a month's end is its last day: 31 bills on
 * 30 April and 28 February), as Zuora and Salesforce Billing count them: each whole billing month
 * counts 1, a partial one (at the start, against the cycle day, or at the end) by the convention.
 */
export function cycleMonths(
  convention: MonthConvention,
  from: number,
  to: number,
  billCycleDay: number,
): Ratio {
  let whole = 0n;
  let partial = ratio(0n);
  let index = cycleIndexOf(from, billCycleDay);
  let start = cycleDate(index, billCycleDay);
  let day = from;
  while (day <= to) {
    const next = cycleDate(index + 1, billCycleDay);
    const last = Math.min(to, next - 1);
    const days = last - day + 1;
    const length = next - start;
    if (days === length) {
      whole++;
    } else {
      partial = add(partial, partialMonth(convention, days, length));
    }
    day = last + 1;
    index++;
    start = next;
  }
  return add(ratio(whole), partial);
}

/** The bill-cycle day of a date: its day of the month. */
export function dayOfMonth(day: number): number {
  return civilOf(day).day;
}
