import {
  addMonthsToEpochDay,
  civilOf,
  fromEpochDay,
  toEpochDay,
  type BillingFrequency,
  type IsoDate,
  type UnitPricePeriod,
} from '@revline/canonical';
import { cycleDate } from '../proration/cycle-months';

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
  /**
   * Inclusive end of the interval the period is prorated against: its own end, except for the stub before the
   * first cycle date, which is measured against one whole interval from its start (as Stripe prorates the time
   * before a subscription's billing cycle anchor).
   */
  readonly basisEnd: number;
}

/** Month index (year × 12 + month − 1) of a day. */
function monthIndex(day: number): number {
  const c = civilOf(day);
  return c.year * 12 + c.month - 1;
}

/**
 * The first cycle date on or after the term start: the term start itself when there is no bill-cycle day (or it
 * is the term start's day), else the bill-cycle day of the term start's month or of the next one.
 */
export function firstCycleDate(termStart: number, billCycleDay?: number): number {
  if (billCycleDay === undefined) {
    return termStart;
  }
  const index = monthIndex(termStart);
  const same = cycleDate(index, billCycleDay);
  return same >= termStart ? same : cycleDate(index + 1, billCycleDay);
}

/**
 * The billing periods of a contract that overlap from..to, whole (not cut at from or to). Without a bill-cycle
 * day they run from the term start, on its day of the month. With one they start on the first cycle date, after a
 * stub from the term start when that is later; a cycle day past a month's end bills on its last day. An upfront
 * contract has one period, its term.
 */
export function billingPeriodsOver(
  termStart: number,
  termEnd: number,
  frequency: BillingFrequency,
  from: number,
  to: number,
  billCycleDay?: number,
): BillingPeriod[] {
  if (frequency === 'upfront') {
    return from <= termEnd && to >= termStart ? [{ start: termStart, end: termEnd, basisEnd: termEnd }] : [];
  }
  const step = MONTHS_PER_PERIOD[frequency];
  const anchor = firstCycleDate(termStart, billCycleDay);
  const out: BillingPeriod[] = [];
  if (anchor > termStart && from < anchor && to >= termStart) {
    const basisEnd = addMonthsToEpochDay(civilOf(termStart), step) - 1;
    out.push({ start: termStart, end: anchor - 1, basisEnd });
  }
  const day = billCycleDay ?? civilOf(termStart).day;
  const base = monthIndex(anchor);
  const at = (k: number): number => cycleDate(base + k * step, day);
  // The period `from` falls in: months elapsed since the anchor, rounded down to a whole period.
  let k = Math.max(0, Math.floor((monthIndex(Math.max(from, anchor)) - base) / step) - 1);
  while (at(k + 1) <= from) {
    k++;
  }
  let start = at(k);
  while (start <= to) {
    const end = at(k + 1) - 1;
    out.push({ start, end, basisEnd: end });
    k++;
    start = end + 1;
  }
  return out;
}

/** The first cycle date on or after a term start, as an ISO date (the term start without a bill-cycle day). */
export function firstCycleDateOn(termStart: IsoDate, billCycleDay?: number): IsoDate {
  return fromEpochDay(firstCycleDate(toEpochDay(termStart), billCycleDay));
}

/** The billing period `day` falls in. */
export function billingPeriodAt(
  termStart: number,
  termEnd: number,
  frequency: BillingFrequency,
  day: number,
  billCycleDay?: number,
): BillingPeriod | undefined {
  return billingPeriodsOver(termStart, termEnd, frequency, day, day, billCycleDay).at(0);
}

const FREQUENCY_OF_INTERVAL: Record<UnitPricePeriod, BillingFrequency> = {
  month: 'monthly',
  year: 'annual',
  term: 'upfront',
};

/**
 * The billing period a date falls in when a price is billed every `interval` from the term start (or from the
 * first cycle date of a bill-cycle day, after a stub), a 'term' price over the whole term, as ISO dates, end
 * inclusive; `basisEnd` is the end of the interval the period is prorated against.
 */
export function billingPeriodOn(
  termStart: IsoDate,
  termEnd: IsoDate,
  interval: UnitPricePeriod,
  date: IsoDate,
  billCycleDay?: number,
): { start: IsoDate; end: IsoDate; basisEnd: IsoDate } {
  const day = toEpochDay(date);
  const p = billingPeriodAt(
    toEpochDay(termStart),
    toEpochDay(termEnd),
    FREQUENCY_OF_INTERVAL[interval],
    day,
    billCycleDay,
  );
  return p === undefined
    ? { start: termStart, end: termEnd, basisEnd: termEnd }
    : { start: fromEpochDay(p.start), end: fromEpochDay(p.end), basisEnd: fromEpochDay(p.basisEnd) };
}
