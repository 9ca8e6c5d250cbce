import { cumOf, type EngineState } from '../core/model';

/** Recognised-to-date of one obligation at each period end of its periods (months on a calendar grid). */
export interface ObligationCums {
  readonly pobId: string;
  readonly firstMonth: number;
  readonly cums: bigint[];
}

/** Cumulative revenue per obligation at every month end, in the state as it is now. */
export function snapshot(state: EngineState): ObligationCums[] {
  const grid = state.grid;
  return state.obligations.map((ob) => {
    const first = grid.indexOf(ob.start);
    let last = grid.indexOf(ob.end);
    for (const r of ob.regimes) {
      last = Math.max(last, grid.indexOf(r.from));
    }
    const cums: bigint[] = new Array<bigint>(last - first + 1);
    for (let m = first, i = 0; m <= last; m++, i++) {
      cums[i] = cumOf(ob, grid.end(m));
    }
    return { pobId: ob.pobId, firstMonth: first, cums };
  });
}
