import type { UnitPricePeriod } from '@revline/canonical';
import { toMinor, type Ratio } from '../core/ratio';
import type { EngineState, LineState } from '../core/model';
import { billingPeriodsOver } from '../billing/periods';
import type { ProrationConvention } from '../proration/conventions';
import { dayOfMonth } from '../proration/cycle-months';
import { partValue } from '../proration/period-value';

/** What a change charges (or credits) for the part from..to (inclusive) of one billing period. */
export interface PeriodCharge {
  readonly from: number;
  readonly to: number;
  readonly amount: bigint;
}

/**
 * What the billing platform charges for a change of `price` (the change in quantity × unit price, per the
 * line's unit price period) from `from` to the line's end: for the rest of the billing period it falls in,
 * prorated under the convention, then for each later billing period (prorated again when the line ends
 * inside it), each period rounded to the minor unit on its own, as each is a line of its own invoice.
 * Months are counted from the contract's bill-cycle day, its term start's day of the month. A price per
 * 'term' is a price for the line's whole term, charged for each part's share of it.
 */
export function changeCharges(
  state: EngineState,
  ls: LineState,
  price: Ratio,
  from: number,
  convention: ProrationConvention,
): PeriodCharge[] {
  const unit: UnitPricePeriod = ls.line.unitPricePeriod;
  const billCycleDay = dayOfMonth(state.termStart);
  const periods = billingPeriodsOver(state.termStart, state.termEnd, state.billingFrequency, from, ls.end);
  const out: PeriodCharge[] = [];
  for (const p of periods) {
    const whole =
      unit === 'term'
        ? { periodStart: ls.start, periodEnd: ls.end }
        : { periodStart: p.start, periodEnd: p.end };
    const part = { ...whole, from: Math.max(from, p.start), to: Math.min(ls.end, p.end) };
    if (part.to < part.from) {
      continue;
    }
    out.push({
      from: part.from,
      to: part.to,
      amount: toMinor(partValue(convention, unit, price, part, billCycleDay), state.exponent),
    });
  }
  return out;
}
