import type { PeriodGrid } from '../core/period-grid';
import type { ObligationCums } from './snapshot';

export interface PeriodChange {
  readonly pobId: string;
  readonly period: string;
  readonly previousMinor: bigint;
  readonly currentMinor: bigint;
  readonly deltaMinor: bigint;
}

function amountAt(o: ObligationCums | undefined, month: number): bigint {
  if (o === undefined) {
    return 0n;
  }
  const i = month - o.firstMonth;
  if (i < 0 || i >= o.cums.length) {
    return 0n;
  }
  return (o.cums[i] ?? 0n) - (i === 0 ? 0n : (o.cums[i - 1] ?? 0n));
}

function range(o: ObligationCums | undefined): [number, number] {
  return o === undefined
    ? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
    : [o.firstMonth, o.firstMonth + o.cums.length - 1];
}

/** Per-obligation, per-period differences between two schedule versions (only what changed). */
export function diffSchedules(
  previous: readonly ObligationCums[],
  current: readonly ObligationCums[],
  grid: PeriodGrid,
): PeriodChange[] {
  const before = new Map(previous.map((o) => [o.pobId, o]));
  const changes: PeriodChange[] = [];
  const visit = (pobId: string, a: ObligationCums | undefined, b: ObligationCums | undefined): void => {
    const [a0, a1] = range(a);
    const [b0, b1] = range(b);
    for (let m = Math.min(a0, b0); m <= Math.max(a1, b1); m++) {
      const p = amountAt(a, m);
      const c = amountAt(b, m);
      if (p !== c) {
        changes.push({ pobId, period: grid.key(m), previousMinor: p, currentMinor: c, deltaMinor: c - p });
      }
    }
  };
  const seen = new Set<string>();
  for (const b of current) {
    seen.add(b.pobId);
    visit(b.pobId, before.get(b.pobId), b);
  }
  for (const a of previous) {
    if (!seen.has(a.pobId)) {
      visit(a.pobId, a, undefined);
    }
  }
  return changes;
}
