import type { BillingFrequency, BillingTiming } from '@revline/canonical';
import { splitCumulative } from '../recognition/allocation';
import type { Posting } from '../core/model';
import { billingPeriodsOver } from './periods';

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) {
    [a, b] = [b, a % b];
  }
  return a;
}

/**
 * Invoices (or credits) `amount` for service start..end over the billing periods of a term starting on
 * `termStart` (and its bill-cycle day, if any): each period's share is its overlap in days over the length
 * of the interval it is prorated against (full periods weigh 1), split with cumulative rounding. In advance
 * the posting is on the first served day of the period; in arrears on the day after its last served day.
 */
export function billingPostings(
  amount: bigint,
  start: number,
  end: number,
  termStart: number,
  frequency: BillingFrequency,
  timing: BillingTiming,
  billCycleDay?: number,
): Posting[] {
  if (amount === 0n || end < start) {
    return [];
  }
  if (frequency === 'upfront') {
    return [{ day: timing === 'advance' ? start : end + 1, amount }];
  }
  const periods = billingPeriodsOver(termStart, end, frequency, start, end, billCycleDay)
    .map((p) => ({
      from: Math.max(p.start, start),
      to: Math.min(p.end, end),
      length: p.basisEnd - p.start + 1,
    }))
    .filter((p) => p.to >= p.from)
    .map((p) => ({ ...p, overlap: p.to - p.from + 1 }));
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
