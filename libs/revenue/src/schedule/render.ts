import { fromEpochDay } from '@revline/canonical';
import { contractPosition } from '../balances/contract-asset';
import type { EngineState } from '../core/model';
import type { ObligationCums } from './snapshot';
import type { BalancePeriod, ObligationSchedule, PeriodAmount } from './result';

export function renderObligations(state: EngineState, cums: readonly ObligationCums[]): ObligationSchedule[] {
  return state.obligations.map((ob, i) => {
    const c = cums.at(i);
    const periods: PeriodAmount[] = [];
    if (c !== undefined) {
      let prev = 0n;
      for (let j = 0; j < c.cums.length; j++) {
        const cum = c.cums[j] ?? 0n;
        periods.push({
          period: state.grid.key(c.firstMonth + j),
          amountMinor: cum - prev,
          cumulativeMinor: cum,
        });
        prev = cum;
      }
    }
    return {
      pobId: ob.pobId,
      lineId: ob.lineId,
      productCode: ob.productCode,
      method: ob.method,
      origin: ob.origin,
      serviceStart: fromEpochDay(ob.start),
      serviceEnd: fromEpochDay(ob.end),
      ...(ob.method === 'point_in_time' ? { deliveryDate: fromEpochDay(ob.delivery ?? ob.start) } : {}),
      allocatedMinor: ob.allocatedMinor,
      periods,
    };
  });
}

/** Billed, recognised and deferred at each month end from the first service month to the last invoice. */
export function renderBalances(state: EngineState, cums: readonly ObligationCums[]): BalancePeriod[] {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const c of cums) {
    first = Math.min(first, c.firstMonth);
    last = Math.max(last, c.firstMonth + c.cums.length - 1);
  }
  const billedByMonth = new Map<number, bigint>();
  for (const p of state.postings) {
    const m = state.grid.indexOf(p.day);
    billedByMonth.set(m, (billedByMonth.get(m) ?? 0n) + p.amount);
    first = Math.min(first, m);
    last = Math.max(last, m);
  }
  if (!Number.isFinite(first)) {
    return [];
  }
  const span = last - first + 1;
  // Recognised to date per month: each obligation's cumulative values, then its total carried on.
  const recognisedToDate: bigint[] = new Array<bigint>(span).fill(0n);
  const carried: bigint[] = new Array<bigint>(span + 1).fill(0n);
  for (const c of cums) {
    const offset = c.firstMonth - first;
    const n = c.cums.length;
    for (let k = 0; k < n; k++) {
      recognisedToDate[offset + k] = (recognisedToDate[offset + k] ?? 0n) + (c.cums[k] ?? 0n);
    }
    carried[offset + n] = (carried[offset + n] ?? 0n) + (c.cums[n - 1] ?? 0n);
  }
  let carry = 0n;
  for (let j = 0; j < span; j++) {
    carry += carried[j] ?? 0n;
    if (carry !== 0n) {
      recognisedToDate[j] = (recognisedToDate[j] ?? 0n) + carry;
    }
  }
  const out: BalancePeriod[] = [];
  let billedToDate = 0n;
  let prevRecognised = 0n;
  for (let j = 0; j < span; j++) {
    const billed = billedByMonth.get(first + j) ?? 0n;
    billedToDate += billed;
    const rec = recognisedToDate[j] ?? 0n;
    const deferred = billedToDate - rec;
    out.push({
      period: state.grid.key(first + j),
      recognisedMinor: rec - prevRecognised,
      billedMinor: billed,
      recognisedToDateMinor: rec,
      billedToDateMinor: billedToDate,
      deferredMinor: deferred,
      ...contractPosition(billedToDate, rec),
    });
    prevRecognised = rec;
  }
  return out;
}
