import { formatRatio, fromEpochDay, type AmendmentTerms, type ModificationFacts } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import type { EngineState, LineState } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { decimalRatio, mul, roundHalfUp, sub, toMinor, type Ratio } from '../core/ratio';
import { checkBound, checkDate, checkId, checkMoney, checkNonNegativeDecimal } from '../input/checks';
import { checkLine, type CheckedLine } from '../input/contract-input';
import { monthsUnder } from '../proration/conventions';
import { changeCharges, type PeriodCharge } from './change-charges';

/** The part of a canonical `ContractAmended` (or `AmendmentTerms`) the engine reads. */
export type RevenueAmendment = AmendmentTerms;

export interface CheckedDelta {
  readonly ls: LineState;
  readonly field: string;
  readonly q0: Ratio;
  readonly q1: Ratio;
  readonly p1: Ratio;
  /** First day the change applies to the line. */
  readonly from: number;
  /** Change in consideration for the rest of the line's term, minor units. */
  readonly amount: bigint;
  /**
   * What the billing platform charges for it, per billing period (their sum is `amount`); absent when the
   * amendment gives the amount (`amountDelta`) or the line is a one-time charge.
   */
  readonly charges?: readonly PeriodCharge[];
}

export interface CheckedAmendment {
  readonly effective: number;
  readonly deltas: CheckedDelta[];
  readonly added: CheckedLine[];
  readonly considerationMinor: bigint;
  readonly considerationGiven: boolean;
  readonly facts: ModificationFacts;
  readonly addedSspMinor: bigint;
}

export function sameRatio(a: Ratio, b: Ratio): boolean {
  return a.n * b.d === b.n * a.d;
}

export function formatQuantity(q: Ratio): string {
  return formatRatio(q.n, q.d, 6).replace(/\.?0+$/, '');
}

function synthesiseCancellation(state: EngineState, effective: number): AmendmentTerms['lineDeltas'] {
  const out: AmendmentTerms['lineDeltas'] = [];
  for (const ls of state.lines.values()) {
    if (ls.end >= effective && ls.quantity.n > 0n && ls.line.chargeType !== 'usage') {
      const q = formatQuantity(ls.quantity);
      const p = formatQuantity(ls.unitPrice);
      out.push({
        lineId: ls.line.lineId,
        priorQuantity: q,
        newQuantity: '0',
        priorUnitPrice: p,
        newUnitPrice: p,
      });
    }
  }
  return out;
}

/**
 * Checks an amendment against the contract as amended so far, prices each line change for the
 * rest of the term as the billing platform invoices it (the rest of the billing period the change falls
 * in, prorated under the tenant's convention, then each later billing period; see changeCharges), unless
 * the amendment gives the amount, and establishes the ASC 606 facts.
 */
export function checkAmendment(
  state: EngineState,
  am: RevenueAmendment,
  field: string,
  policy: ResolvedPolicy,
): CheckedAmendment {
  checkId(am.amendmentId, `${field}.amendmentId`);
  if (am.amendsContractId !== state.contractId) {
    throw new RevenueInputError(`${field}.amendsContractId`, `must be ${state.contractId}`);
  }
  const effective = checkDate(am.effectiveDate, `${field}.effectiveDate`);
  if (effective < state.termStart || effective > state.termEnd) {
    throw new RevenueInputError(
      `${field}.effectiveDate`,
      `is outside the contract term ${fromEpochDay(state.termStart)}..${fromEpochDay(state.termEnd)}`,
    );
  }
  const rawDeltas =
    am.amendmentType === 'cancellation' && am.lineDeltas.length === 0
      ? synthesiseCancellation(state, effective)
      : am.lineDeltas;
  const deltas = rawDeltas.map((d, j): CheckedDelta => {
    const at = `${field}.lineDeltas[${String(j)}]`;
    const ls = state.lines.get(d.lineId);
    if (ls === undefined) {
      throw new RevenueInputError(`${at}.lineId`, `is not a line of contract ${state.contractId}`);
    }
    const q0 = decimalRatio(checkNonNegativeDecimal(d.priorQuantity, `${at}.priorQuantity`));
    const q1 = decimalRatio(checkNonNegativeDecimal(d.newQuantity, `${at}.newQuantity`));
    const p0 = decimalRatio(checkNonNegativeDecimal(d.priorUnitPrice, `${at}.priorUnitPrice`));
    const p1 = decimalRatio(checkNonNegativeDecimal(d.newUnitPrice, `${at}.newUnitPrice`));
    if (!sameRatio(q0, ls.quantity)) {
      throw new RevenueInputError(
        `${at}.priorQuantity`,
        `is ${d.priorQuantity} but the line has ${formatQuantity(ls.quantity)}`,
      );
    }
    if (effective > ls.end) {
      throw new RevenueInputError(
        `${field}.effectiveDate`,
        `is after line ${d.lineId} ends (${fromEpochDay(ls.end)})`,
      );
    }
    const from = Math.max(effective, ls.start);
    const oldPrice = mul(q0, p0);
    const newPrice = mul(q1, p1);
    let charges: PeriodCharge[] | undefined;
    let amount: bigint;
    if (d.amountDelta !== undefined) {
      amount = checkMoney(d.amountDelta, state.currency, `${at}.amountDelta`, true);
    } else if (ls.line.chargeType === 'one_time') {
      amount = toMinor(mul(sub(newPrice, oldPrice), ls.unitsInTerm), state.exponent);
    } else {
      charges = changeCharges(state, ls, oldPrice, newPrice, from, policy.prorationConvention);
      amount = charges.reduce((s, c) => s + c.amount, 0n);
    }
    return {
      ls,
      field: at,
      q0,
      q1,
      p1,
      from,
      amount: checkBound(amount, `${at}.amountDelta`),
      ...(charges ? { charges } : {}),
    };
  });
  const added = (am.addedLines ?? []).map((line, j) => {
    const at = `${field}.addedLines[${String(j)}]`;
    const c = checkLine(line, at, state.currency, state.termStart, state.termEnd);
    if (state.lines.has(line.lineId)) {
      throw new RevenueInputError(`${at}.lineId`, 'is already a line of the contract');
    }
    if (c.start < effective) {
      throw new RevenueInputError(`${at}.serviceStart`, 'is before the amendment takes effect');
    }
    return c;
  });
  const considerationGiven = am.consideration !== undefined;
  const considerationMinor = checkBound(
    am.consideration !== undefined
      ? checkMoney(am.consideration, state.currency, `${field}.consideration`, true)
      : deltas.reduce((s, d) => s + d.amount, 0n) + added.reduce((s, c) => s + c.netMinor, 0n),
    `${field}.consideration`,
  );
  let addedSsp = added.reduce((s, c) => s + c.sspMinor, 0n);
  for (const d of deltas) {
    const extra = sub(d.q1, d.q0);
    if (extra.n > 0n) {
      addedSsp += roundHalfUp(
        mul(mul(d.ls.sspPerUnitMonth, extra), monthsUnder('monthly_actual_days', d.from, d.ls.end)),
      );
    }
  }
  const distinctGoodsAdded = added.length > 0 || deltas.some((d) => d.q1.n * d.q0.d > d.q0.n * d.q1.d);
  const tolerance = decimalRatio(policy.sspTolerance);
  const gap = considerationMinor - addedSsp;
  const absGap = gap < 0n ? -gap : gap;
  const pricedAtSsp = addedSsp > 0n && absGap * tolerance.d <= addedSsp * tolerance.n;
  const facts: ModificationFacts = am.modificationFacts ?? {
    distinctGoodsAdded,
    pricedAtSsp: distinctGoodsAdded && pricedAtSsp,
    remainingGoodsDistinct: true,
  };
  return { effective, deltas, added, considerationMinor, considerationGiven, facts, addedSspMinor: addedSsp };
}
