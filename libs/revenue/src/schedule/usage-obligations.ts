import type { UsageReported } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import type { EngineState } from '../core/model';
import { monthEnd, monthIndexOf } from '../core/month-grid';
import { add, decimalRatio, mul, ratio, sub, toMinor, type Ratio } from '../core/ratio';
import { StepCurve } from '../recognition/curves';
import { checkBound, checkDate, checkNonNegativeDecimal } from '../input/checks';

/** The part of a canonical `UsageReported` the engine reads. */
export type RevenueUsage = Pick<UsageReported, 'lineId' | 'quantity' | 'usageStart' | 'usageEnd'>;

/**
 * Usage overage is revenue of the month of use: per line and month,
 * max(0, used − includedUsage) × overageRate, rounded half-up once; it is invoiced in arrears on
 * the first day of the next month. Each usage line gets an `<pobId>:overage` obligation.
 */
export function addUsageObligations(
  state: EngineState,
  usage: readonly RevenueUsage[],
  field = 'usage',
): void {
  const byLine = new Map<string, Map<number, Ratio>>();
  usage.forEach((u, i) => {
    const at = `${field}[${String(i)}]`;
    const ls = state.lines.get(u.lineId);
    if (ls === undefined) {
      throw new RevenueInputError(`${at}.lineId`, `is not a line of contract ${state.contractId}`);
    }
    if (ls.line.overageRate === undefined) {
      throw new RevenueInputError(`${at}.lineId`, 'the line has no overageRate');
    }
    const s = checkDate(u.usageStart, `${at}.usageStart`);
    const e = checkDate(u.usageEnd, `${at}.usageEnd`);
    if (e < s) {
      throw new RevenueInputError(`${at}.usageEnd`, 'is before usageStart');
    }
    if (s < ls.start || e > ls.end) {
      throw new RevenueInputError(`${at}.usageStart`, 'usage falls outside the line service dates');
    }
    const m = monthIndexOf(s);
    if (monthIndexOf(e) !== m) {
      throw new RevenueInputError(`${at}.usageEnd`, 'a usage record must fall within one calendar month');
    }
    const q = decimalRatio(checkNonNegativeDecimal(u.quantity, `${at}.quantity`));
    const months = byLine.get(u.lineId) ?? new Map<number, Ratio>();
    months.set(m, add(months.get(m) ?? ratio(0n), q));
    byLine.set(u.lineId, months);
  });
  for (const [lineId, months] of byLine) {
    const ls = state.lines.get(lineId);
    if (ls === undefined) {
      continue;
    }
    const included = decimalRatio(ls.line.includedUsage ?? '0');
    const rate = decimalRatio(ls.line.overageRate ?? '0');
    const steps = [...months.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([m, used]) => {
        const over = sub(used, included);
        const amount = over.n > 0n ? toMinor(mul(over, rate), state.exponent) : 0n;
        return { day: monthEnd(m), amount: checkBound(amount, field) };
      });
    const curve = new StepCurve(steps);
    state.obligations.push({
      pobId: `${ls.line.pobId}:overage`,
      lineId,
      productCode: ls.line.productCode,
      method: 'usage',
      origin: 'usage',
      start: ls.start,
      end: ls.end,
      quantity: ratio(0n),
      allocatedMinor: curve.total,
      regimes: [{ from: ls.start, base: 0n, curve }],
      variable: true,
    });
    for (const s of steps) {
      if (s.amount !== 0n) {
        state.postings.push({ day: s.day + 1, amount: s.amount });
      }
    }
    state.transactionPriceMinor += curve.total;
  }
}
