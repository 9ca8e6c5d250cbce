import { civilOf, addMonthsToEpochDay, type BillingFrequency, type BillingTiming } from '@revline/canonical';
import { splitCumulative } from '../recognition/allocation';
import type { Posting } from '../core/model';
import { MONTHS_PER_PERIOD } from './periods';

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    [a, b] = [b, a % b];
  }
  return a;
}

/**
 * Invoices (or credits) `amount` for service start..end over the billing periods anchored on
 * `anchor`: each period's share is its overlap in days over the period's length (full periods weigh
 * 1), split with cumulative rounding. In advance the posting is on the first served day of the
 * period; in arrears on the day after its last served day.
 */
export function billingPostings(
  amount: bigint,
  start: number,
  end: number,
  anchor: number,
  frequency: BillingFrequency,
  timing: BillingTiming,
): Posting[] {
  if (amount === 0n || end < start) {
    return [];
  }
  if (frequency === 'upfront') {
    return [{ day: timing === 'advance' ? start : end + 1, amount }];
  }
  const step = MONTHS_PER_PERIOD[frequency];
  const a = civilOf(anchor);
  const periods: { from: number; to: number; overlap: number; length: number }[] = [];
  let k = 0;
  let pStart = anchor;
  if (start > anchor) {
    // Jump close to the first relevant period without walking month by month from far back.
    while (addMonthsToEpochDay(a, (k + 1) * step) <= start) {
      k++;
    }
    pStart = addMonthsToEpochDay(a, k * step);
  }
  while (pStart <= end) {
    const pEnd = addMonthsToEpochDay(a, (k + 1) * step) - 1;
    const from = Math.max(pStart, start);
    const to = Math.min(pEnd, end);
    if (to >= from) {
      periods.push({ from, to, overlap: to - from + 1, length: pEnd - pStart + 1 });
    }
    k++;
    pStart = pEnd + 1;
  }
  let lcm = 1n;
  for (const p of periods) {
    const len = BigInt(p.length);
    lcm = (lcm / gcd(lcm, len)) * len;
  }
  const weights = periods.map((p) => (BigInt(p.overlap) * lcm) / BigInt(p.length));
  const parts = splitCumulative(amount, weights);
  const out: Posting[] = [];
  periods.forEach((p, i) => {
    const part = parts[i] ?? 0n;
    if (part !== 0n) {
      out.push({ day: timing === 'advance' ? p.from : p.to + 1, amount: part });
    }
  });
  return out;
}
