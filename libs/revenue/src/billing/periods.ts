import {
  addMonthsToEpochDay,
  civilOf,
  fromEpochDay,
  toEpochDay,
  type BillingFrequency,
  type IsoDate,
  type UnitPricePeriod,
} from '@revline/canonical';

/** Months per billing period of each frequency ('upfront' bills the whole term as one period). */
export const MONTHS_PER_PERIOD: Record<Exclude<BillingFrequency, 'upfront'>, number> = {
  monthly: 1,
  quarterly: 3,
  semiannual: 6,
  annual: 12,
};

export interface BillingPeriod {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

/**
 * The billing periods of a contract (anchored on its term start, so billed on the term start's day of the
 * month) that overlap from..to, whole (not cut at from or to). An upfront contract has one period, its term.
 */
export function billingPeriodsOver(
  anchor: number,
  termEnd: number,
  frequency: BillingFrequency,
  from: number,
  to: number,
): BillingPeriod[] {
  if (frequency === 'upfront') {
    return from <= termEnd && to >= anchor ? [{ start: anchor, end: termEnd }] : [];
  }
  const step = MONTHS_PER_PERIOD[frequency];
  const a = civilOf(anchor);
  // The period from falls in: months elapsed since the anchor, rounded down to a whole period.
  const f = civilOf(Math.max(from, anchor));
  let k = Math.max(0, Math.floor(((f.year - a.year) * 12 + f.month - a.month) / step) - 1);
  while (addMonthsToEpochDay(a, (k + 1) * step) <= from) {
    k++;
  }
  const out: BillingPeriod[] = [];
  let start = addMonthsToEpochDay(a, k * step);
  while (start <= to) {
    const end = addMonthsToEpochDay(a, (k + 1) * step) - 1;
    out.push({ start, end });
    k++;
    start = end + 1;
  }
  return out;
}

/** The billing period `day` falls in. */
export function billingPeriodAt(
  anchor: number,
  termEnd: number,
  frequency: BillingFrequency,
  day: number,
): BillingPeriod | undefined {
  return billingPeriodsOver(anchor, termEnd, frequency, day, day).at(0);
}

const FREQUENCY_OF_INTERVAL: Record<UnitPricePeriod, BillingFrequency> = {
  month: 'monthly',
  year: 'annual',
  term: 'upfront',
};

/**
 * The billing period a date falls in when a price is billed every `interval` from the term start (a
 * 'term' price: the whole term), as ISO dates, end inclusive.
 */
export function billingPeriodOn(
  termStart: IsoDate,
  termEnd: IsoDate,
  interval: UnitPricePeriod,
  date: IsoDate,
): { start: IsoDate; end: IsoDate } {
  const day = toEpochDay(date);
  const p = billingPeriodAt(toEpochDay(termStart), toEpochDay(termEnd), FREQUENCY_OF_INTERVAL[interval], day);
  return p === undefined
    ? { start: termStart, end: termEnd }
    : { start: fromEpochDay(p.start), end: fromEpochDay(p.end) };
}
