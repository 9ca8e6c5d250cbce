import type { UnitPricePeriod } from '@revline/canonical';
import { mul, ratio, type Ratio } from '../core/ratio';
import { monthsOfPeriod, monthsUnder, type ProrationConvention } from './conventions';

/** Price units in one billing period: 12 for a monthly price over an annual period. */
export function unitsPerPeriod(unit: UnitPricePeriod, periodStart: number, periodEnd: number): Ratio {
  switch (unit) {
    case 'month':
      return monthsUnder('monthly_actual_days', periodStart, periodEnd);
    case 'year': {
      const m = monthsUnder('monthly_actual_days', periodStart, periodEnd);
      return ratio(m.n, m.d * 12n);
    }
    case 'term':
      return ratio(1n);
  }
}

/** Part of a billing period: periodStart..periodEnd is the whole period, from..to (inclusive) the part. */
export interface PeriodPart {
  readonly periodStart: number;
  readonly periodEnd: number;
  readonly from: number;
  readonly to: number;
  /**
   * Price units in the whole period, when known: a billing interval of a monthly price is `months per
   * period` whatever its days (31 January to 27 February is one month). Default: counted from the dates.
   */
  readonly units?: Ratio | undefined;
}

/** Stripe prorates by time: the part's share of the period's seconds (from `fromSecond` when given). */
function timeShare(part: PeriodPart, fromSecond: bigint | undefined): Ratio {
  const startS = BigInt(part.periodStart) * 86_400n;
  const endS = BigInt(part.periodEnd + 1) * 86_400n;
  const fromS = fromSecond ?? BigInt(part.from) * 86_400n;
  return ratio(BigInt(part.to + 1) * 86_400n - fromS, endS - startS);
}

/**
 * What `price` (major units per `unit`, for the whole quantity) charges for a part of a billing period
 * under a convention, exact. Stripe's conventions charge the period's price (the price per unit times the
 * units in the period) times the part's share of the period's time. The others measure the part itself in
 * their own months, counted from the bill-cycle day, and charge the monthly price for each (a yearly price
 * a twelfth of it); a price per billing period ('term') is charged for the part's share of the period,
 * both measured in those months.
 */
export function partValue(
  convention: ProrationConvention,
  unit: UnitPricePeriod,
  price: Ratio,
  part: PeriodPart,
  billCycleDay: number,
  fromSecond?: bigint,
): Ratio {
  if (part.to < part.from || price.n === 0n) {
    return ratio(0n);
  }
  if (convention === 'actual_days' || convention === 'stripe_seconds') {
    const share = timeShare(part, convention === 'stripe_seconds' ? fromSecond : undefined);
    return mul(mul(price, part.units ?? unitsPerPeriod(unit, part.periodStart, part.periodEnd)), share);
  }
  const months = monthsOfPeriod(convention, part.from, part.to, billCycleDay);
  switch (unit) {
    case 'month':
      return mul(price, months);
    case 'year':
      return mul(price, ratio(months.n, months.d * 12n));
    case 'term': {
      const whole = monthsOfPeriod(convention, part.periodStart, part.periodEnd, billCycleDay);
      return mul(price, ratio(months.n * whole.d, months.d * whole.n));
    }
  }
}
