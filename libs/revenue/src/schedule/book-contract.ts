import { currencyExponent } from '@revline/canonical';
import type { EngineState, Obligation } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { allocateByWeights, splitCumulative } from '../recognition/allocation';
import { SumCurve, type Curve } from '../recognition/curves';
import { curveFor } from '../recognition/method-curve';
import { billingPostings } from '../billing/postings';
import { checkContract, type CheckedLine, type RevenueContract } from '../input/contract-input';
import { lineState } from './line-state';
import { gridOf } from '../core/policy';
import type { PeriodGrid } from '../core/period-grid';

function lineCurve(
  c: CheckedLine,
  allocated: bigint,
  method: Obligation['method'],
  policy: ResolvedPolicy,
  grid: PeriodGrid,
): Curve {
  if (c.segments.length === 0 || policy.rampRecognition === 'straight_line' || method === 'point_in_time') {
    return curveFor(method, allocated, c.start, c.end, { delivery: c.delivery, grid });
  }
  // Ramp recognised as billed: each segment over its own dates, allocation split by segment price.
  const parts = splitCumulative(
    allocated,
    c.segments.map((s) => s.netMinor),
  );
  return new SumCurve(c.segments.map((s, i) => curveFor(method, parts[i] ?? 0n, s.start, s.end, { grid })));
}

/**
 * Books a contract: allocates the transaction price to the lines' performance obligations by
 * relative SSP (remainder to the largest), builds each obligation's recognition curve and the
 * invoices the billing terms produce.
 */
export function bookContract(contract: RevenueContract, policy: ResolvedPolicy): EngineState {
  const checked = checkContract(contract);
  const exponent = currencyExponent(checked.currency);
  const transactionPrice = checked.lines.reduce((s, l) => s + l.netMinor, 0n);
  const allocations = allocateByWeights(
    transactionPrice,
    checked.lines.map((l) => l.sspMinor),
  );
  const state: EngineState = {
    contractId: contract.contractId,
    currency: checked.currency,
    exponent,
    termStart: checked.termStart,
    termEnd: checked.termEnd,
    billingFrequency: contract.billingFrequency,
    billingTiming: contract.billingTiming,
    billCycleDay: checked.billCycleDay,
    grid: gridOf(policy),
    lines: new Map(),
    obligations: [],
    postings: [],
    transactionPriceMinor: transactionPrice,
  };
  const usedPobIds = new Set<string>();
  checked.lines.forEach((c, i) => {
    const ls = lineState(c.line, c.start, c.end, c.sspMinor, policy);
    state.lines.set(c.line.lineId, ls);
    const allocated = allocations[i] ?? 0n;
    const pobId = usedPobIds.has(c.line.pobId) ? `${c.line.pobId}/${c.line.lineId}` : c.line.pobId;
    usedPobIds.add(pobId);
    state.obligations.push({
      pobId,
      lineId: c.line.lineId,
      productCode: c.line.productCode,
      method: ls.method,
      origin: 'booking',
      start: c.start,
      end: c.end,
      ...(c.delivery === undefined ? {} : { delivery: c.delivery }),
      quantity: ls.quantity,
      allocatedMinor: allocated,
      regimes: [{ from: c.start, base: 0n, curve: lineCurve(c, allocated, ls.method, policy, state.grid) }],
      variable: false,
    });
    const pieces =
      c.segments.length > 0 ? c.segments : [{ start: c.start, end: c.end, netMinor: c.netMinor }];
    for (const piece of pieces) {
      const frequency = c.line.chargeType === 'one_time' ? 'upfront' : contract.billingFrequency;
      const timing = c.line.chargeType === 'one_time' ? 'advance' : contract.billingTiming;
      state.postings.push(
        ...billingPostings(
          piece.netMinor,
          piece.start,
          piece.end,
          checked.termStart,
          frequency,
          timing,
          checked.billCycleDay,
        ),
      );
    }
  });
  return state;
}
