import type { AmendmentTerms } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import { cumOf, type EngineState, type Obligation } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { mul, roundHalfUp, sub } from '../core/ratio';
import { billingPostings } from '../billing/postings';
import { allocateByWeights } from '../recognition/allocation';
import { PointInTimeCurve } from '../recognition/curves';
import { curveFor } from '../recognition/method-curve';
import { monthsUnder } from '../proration/conventions';
import { lineState } from '../schedule/line-state';
import type { CheckedAmendment } from './amendment-input';
import { applyQuantityChanges } from './quantities';

function isLive(ob: Obligation, effective: number): boolean {
  return (
    !ob.variable &&
    (ob.method === 'point_in_time' ? (ob.delivery ?? ob.start) >= effective : ob.end >= effective)
  );
}

/** Standalone selling price of what remains of an obligation from `effective`, at its quantity now. */
function remainingSsp(state: EngineState, ob: Obligation, effective: number): bigint {
  const ls = state.lines.get(ob.lineId);
  if (ls === undefined) {
    return 0n;
  }
  const from = ob.method === 'point_in_time' ? ls.start : Math.max(effective, ob.start);
  const to = ob.method === 'point_in_time' ? ls.end : ob.end;
  return roundHalfUp(mul(mul(ls.sspPerUnitMonth, ob.quantity), monthsUnder('monthly_actual_days', from, to)));
}

function addLinesAsObligations(
  state: EngineState,
  c: CheckedAmendment,
  shares: readonly bigint[],
  origin: string,
  policy: ResolvedPolicy,
): void {
  c.added.forEach((line, i) => {
    const ls = lineState(line.line, line.start, line.end, line.sspMinor, policy);
    state.lines.set(line.line.lineId, ls);
    const share = shares[i] ?? 0n;
    state.obligations.push({
      pobId: line.line.pobId,
      lineId: line.line.lineId,
      productCode: line.line.productCode,
      method: ls.method,
      origin,
      start: line.start,
      end: line.end,
      ...(line.delivery === undefined ? {} : { delivery: line.delivery }),
      quantity: ls.quantity,
      allocatedMinor: share,
      regimes: [
        {
          from: line.start,
          base: 0n,
          curve: curveFor(ls.method, share, line.start, line.end, {
            delivery: line.delivery,
            grid: state.grid,
          }),
        },
      ],
      variable: false,
    });
  });
}

/** Invoices and credits the amendment produces: each line change over the rest of its term. */
export function postAmendmentBilling(state: EngineState, c: CheckedAmendment): void {
  const post = (amount: bigint, start: number, end: number, oneTime: boolean): void => {
    state.postings.push(
      ...billingPostings(
        amount,
        start,
        end,
        state.termStart,
        oneTime ? 'upfront' : state.billingFrequency,
        oneTime ? 'advance' : state.billingTiming,
        state.billCycleDay,
      ),
    );
  };
  if (c.considerationGiven) {
    // A bundle price is invoiced (or credited) when the amendment takes effect.
    state.postings.push({ day: c.effective, amount: c.considerationMinor });
    return;
  }
  for (const d of c.deltas) {
    if (d.charges === undefined) {
      post(d.amount, d.from, d.ls.end, d.ls.line.chargeType === 'one_time');
      continue;
    }
    // Each billing period's charge on its own invoice: in advance from its first day, in arrears after it.
    for (const charge of d.charges) {
      if (charge.amount !== 0n) {
        const day = state.billingTiming === 'advance' ? charge.from : charge.to + 1;
        state.postings.push({ day, amount: charge.amount });
      }
    }
  }
  for (const a of c.added) {
    post(a.netMinor, a.start, a.end, a.line.chargeType === 'one_time');
  }
}

/** ASC 606-10-25-12: the added goods become obligations of their own; nothing existing changes. */
export function applySeparateContract(
  state: EngineState,
  c: CheckedAmendment,
  am: AmendmentTerms,
  field: string,
  policy: ResolvedPolicy,
): void {
  if (c.deltas.some((d) => d.q1.n * d.q0.d < d.q0.n * d.q1.d)) {
    throw new RevenueInputError(
      field,
      'a separate contract can only add goods; this amendment also removes some',
    );
  }
  const growing = c.deltas.filter((d) => d.amount !== 0n);
  const weights = [
    ...growing.map((d) => {
      const ssp = roundHalfUp(
        mul(mul(d.ls.sspPerUnitMonth, sub(d.q1, d.q0)), monthsUnder('monthly_actual_days', d.from, d.ls.end)),
      );
      return ssp > 0n ? ssp : d.amount;
    }),
    ...c.added.map((a) => a.sspMinor),
  ];
  const shares = allocateByWeights(c.considerationMinor, weights);
  growing.forEach((d, i) => {
    const share = shares[i] ?? 0n;
    state.obligations.push({
      pobId: `${d.ls.line.pobId}@${am.amendmentId}`,
      lineId: d.ls.line.lineId,
      productCode: d.ls.line.productCode,
      method: d.ls.method,
      origin: am.amendmentId,
      start: d.from,
      end: d.ls.end,
      quantity: sub(d.q1, d.q0),
      allocatedMinor: share,
      regimes: [
        {
          from: d.from,
          base: 0n,
          curve: curveFor(d.ls.method, share, d.from, d.ls.end, { grid: state.grid }),
        },
      ],
      variable: false,
    });
    d.ls.quantity = d.q1;
    d.ls.unitPrice = d.p1;
  });
  addLinesAsObligations(state, c, shares.slice(growing.length), am.amendmentId, policy);
}

/**
 * ASC 606-10-25-13(a): what is not yet recognised, plus the change in consideration, is
 * reallocated by remaining standalone selling price over the remaining obligations (and any added
 * ones) and recognised from the effective date; what was recognised stays.
 */
export function applyProspective(
  state: EngineState,
  c: CheckedAmendment,
  am: AmendmentTerms,
  policy: ResolvedPolicy,
): void {
  const e = c.effective;
  applyQuantityChanges(state, c.deltas, e);
  const live = state.obligations.filter((o) => isLive(o, e));
  const recognised = live.map((o) => cumOf(o, e - 1));
  const unrecognised = live.reduce((s, o, i) => s + o.allocatedMinor - (recognised[i] ?? 0n), 0n);
  const weights = [...live.map((o) => remainingSsp(state, o, e)), ...c.added.map((a) => a.sspMinor)];
  const shares = allocateByWeights(unrecognised + c.considerationMinor, weights);
  live.forEach((ob, i) => {
    const share = shares[i] ?? 0n;
    const base = recognised[i] ?? 0n;
    const from = Math.max(e, ob.start);
    const curve =
      ob.quantity.n === 0n
        ? new PointInTimeCurve(share, e)
        : curveFor(ob.method, share, from, ob.end, { delivery: ob.delivery ?? from, grid: state.grid });
    ob.regimes.push({ from: e, base, curve });
    ob.allocatedMinor = base + share;
  });
  addLinesAsObligations(state, c, shares.slice(live.length), am.amendmentId, policy);
}

/**
 * ASC 606-10-25-13(b): the change joins the existing, partially satisfied obligations; their new
 * totals are recognised over the original periods, and the difference to date is caught up on the
 * effective date. Returns the catch-up amount.
 */
export function applyCumulativeCatchUp(state: EngineState, c: CheckedAmendment): bigint {
  const e = c.effective;
  applyQuantityChanges(state, c.deltas, e);
  const changed = new Set(c.deltas.map((d) => d.ls.line.lineId));
  const live = state.obligations.filter((o) => isLive(o, e));
  const affected = live.some((o) => changed.has(o.lineId)) ? live.filter((o) => changed.has(o.lineId)) : live;
  if (affected.length === 0) {
    throw new RevenueInputError(
      'effectiveDate',
      'no performance obligation remains to absorb a cumulative catch-up',
    );
  }
  const ssp = affected.map((o) => remainingSsp(state, o, e));
  const weights = ssp.some((w) => w > 0n) ? ssp : affected.map((o) => o.allocatedMinor);
  const shares = allocateByWeights(c.considerationMinor, weights);
  let catchUp = 0n;
  affected.forEach((ob, i) => {
    const before = cumOf(ob, e - 1);
    const total = ob.allocatedMinor + (shares[i] ?? 0n);
    const curve = curveFor(ob.method, total, ob.start, ob.end, { delivery: ob.delivery, grid: state.grid });
    catchUp += curve.cumAt(e - 1) - before;
    ob.regimes.push({ from: e, base: 0n, curve });
    ob.allocatedMinor = total;
  });
  return catchUp;
}
