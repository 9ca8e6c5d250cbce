import type { UnitPricePeriod } from '@revline/canonical';
import { ratio, sub, toMinor, type Ratio } from '../core/ratio';
import type { EngineState, LineState } from '../core/model';
import { billingPeriodsOver, MONTHS_PER_PERIOD } from '../billing/periods';
import type { ProrationConvention } from '../proration/conventions';
import { dayOfMonth } from '../proration/cycle-months';
import { partValue, type PeriodPart } from '../proration/period-value';

/** What a change charges (or credits) for the part from..to (inclusive) of one billing period. */
export interface PeriodCharge {
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

const STRIPE_STYLE: ReadonlySet<ProrationConvention> = new Set(['actual_days', 'stripe_seconds']);

/** Price units in one billing period of a frequency: 3 months a quarter, a quarter of a yearly price. */
function unitsOfPeriod(state: EngineState, unit: UnitPricePeriod): Ratio | undefined {
  if (state.billingFrequency === 'upfront' || unit === 'term') {
    return undefined;
  }
  const months = BigInt(MONTHS_PER_PERIOD[state.billingFrequency]);
  return unit === 'month' ? ratio(months) : ratio(months, 12n);
}

/**
 * What the billing platform charges for a change of a line's price (quantity × unit price, per the line's
 * unit price period) from `oldPrice` to `newPrice`, from `from` to the line's end: for the rest of the
 * billing period it falls in, prorated under the convention, then for each later billing period (prorated
 * again when the line ends inside it). Each period is rounded to the minor unit on its own, as each is a line
 * of its own invoice; Stripe's conventions round the credit for the old price and the charge for the new one
 * each on its own (as Stripe itemises them), the others the prorated difference (as CPQ quotes it).
 * Months are counted from the contract's bill-cycle day (default: its term start's day of the month), and the
 * stub before its first cycle date is prorated against a whole billing period from the term start. A price per
 * 'term' is a price for the line's whole term, charged for each part's share of it.
 */
export function changeCharges(
  state: EngineState,
  ls: LineState,
  oldPrice: Ratio,
  newPrice: Ratio,
  from: number,
  convention: ProrationConvention,
): PeriodCharge[] {
  const unit: UnitPricePeriod = ls.line.unitPricePeriod;
  const billCycleDay = state.billCycleDay ?? dayOfMonth(state.termStart);
  const units = unitsOfPeriod(state, unit);
  const periods = billingPeriodsOver(
    state.termStart,
    state.termEnd,
    state.billingFrequency,
    from,
    ls.end,
    state.billCycleDay,
  );
  const value = (price: Ratio, part: PeriodPart): bigint =>
    toMinor(partValue(convention, unit, price, part, billCycleDay), state.exponent);
  const out: PeriodCharge[] = [];
  const charge = (part: PeriodPart): bigint =>
    STRIPE_STYLE.has(convention)
      ? value(newPrice, part) - value(oldPrice, part)
      : value(sub(newPrice, oldPrice), part);
  // Every whole billing period of a monthly or yearly price charges the same (CPQ day precision apart,
  // which counts a period's days): computed once.
  const sameWhenWhole = units !== undefined && convention !== 'cpq_day';
  let whole: bigint | undefined;
  for (const p of periods) {
    const partFrom = Math.max(from, p.start);
    const partTo = Math.min(ls.end, p.end);
    if (partTo < partFrom) {
      continue;
    }
    let amount: bigint;
    if (sameWhenWhole && partFrom === p.start && partTo === p.end && p.end === p.basisEnd) {
      whole ??= charge({ periodStart: p.start, periodEnd: p.end, from: partFrom, to: partTo, units });
      amount = whole;
    } else if (unit === 'term') {
      amount = charge({ periodStart: ls.start, periodEnd: ls.end, from: partFrom, to: partTo });
    } else {
      amount = charge({ periodStart: p.start, periodEnd: p.basisEnd, from: partFrom, to: partTo, units });
    }
    out.push({ from: partFrom, to: partTo, amount });
  }
  return out;
}
