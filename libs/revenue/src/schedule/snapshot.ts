import { cumOf, type EngineState } from '../core/model';
import { monthEnd, monthIndexOf } from '../core/month-grid';

/** Recognised-to-date of one obligation at each month end of its months. */
export interface ObligationCums {
  readonly pobId: string;
  readonly firstMonth: number;
  readonly cums: bigint[];
}

/** Cumulative revenue per obligation at every month end, in the state as it is now. */
export function snapshot(state: EngineState): ObligationCums[] {
  return state.obligations.map((ob) => {
    const first = monthIndexOf(ob.start);
    let last = monthIndexOf(ob.end);
    for (const r of ob.regimes) {
      last = Math.max(last, monthIndexOf(r.from));
    }
    const cums: bigint[] = new Array<bigint>(last - first + 1);
    for (let m = first, i = 0; m <= last; m++, i++) {
      cums[i] = cumOf(ob, monthEnd(m));
    }
    return { pobId: ob.pobId, firstMonth: first, cums };
  });
}
