import type { EngineState, LineState, Obligation } from '../core/model';
import { add, ratio, sub, type Ratio } from '../core/ratio';
import type { CheckedDelta } from './amendment-input';

function obligationsOfLine(state: EngineState, ls: LineState, effective: number): Obligation[] {
  return state.obligations.filter((o) => o.lineId === ls.line.lineId && !o.variable && o.end >= effective);
}

function min(a: Ratio, b: Ratio): Ratio {
  return a.n * b.d <= b.n * a.d ? a : b;
}

/**
 * Moves line quantities to their new values on the obligations that carry them: an increase goes
 * to the line's first live obligation, a decrease comes off the most recently added ones first
 * (so removing seats an expansion added ends that expansion's obligation).
 */
export function applyQuantityChanges(
  state: EngineState,
  deltas: readonly CheckedDelta[],
  effective: number,
): void {
  for (const d of deltas) {
    const obs = obligationsOfLine(state, d.ls, effective);
    const change = sub(d.q1, d.q0);
    if (change.n > 0n) {
      const primary = obs.at(0);
      if (primary !== undefined) {
        primary.quantity = add(primary.quantity, change);
      }
    } else if (change.n < 0n) {
      let toRemove = ratio(-change.n, change.d);
      for (let i = obs.length - 1; i >= 0 && toRemove.n > 0n; i--) {
        const ob = obs.at(i);
        if (ob === undefined || ob.quantity.n === 0n) {
          continue;
        }
        const take = min(ob.quantity, toRemove);
        ob.quantity = sub(ob.quantity, take);
        toRemove = sub(toRemove, take);
      }
    }
    d.ls.quantity = d.q1;
    d.ls.unitPrice = d.p1;
  }
}
