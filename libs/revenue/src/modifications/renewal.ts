import { formatRatio, fromEpochDay, type AmendmentTerms, type ModificationFacts } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import type { EngineState } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { add, decimalRatio, mul, ratio, toMinor } from '../core/ratio';
import { billingPostings } from '../billing/postings';
import { curveFor } from '../recognition/method-curve';
import { checkDate, checkNonNegativeDecimal, checkBound } from '../input/checks';
import { unitsPerPeriod } from '../proration/preview';
import { lineState } from '../schedule/line-state';
import { formatQuantity } from './amendment-input';

export interface RenewalResult {
  readonly considerationMinor: bigint;
  readonly facts: ModificationFacts;
}

/**
 * A renewal adds a new term that starts the day after the current one ends, at the prior unit
 * price × (1 + uplift) (or the new unit price of a line delta, taken as is). Each renewed line is a
 * new obligation: a separate contract (ASC 606-10-25-12).
 */
export function applyRenewal(
  state: EngineState,
  am: AmendmentTerms,
  field: string,
  policy: ResolvedPolicy,
): RenewalResult {
  if (am.renewal === undefined) {
    throw new RevenueInputError(`${field}.renewal`, 'is required for a renewal');
  }
  const start = checkDate(am.effectiveDate, `${field}.effectiveDate`);
  if (start !== state.termEnd + 1) {
    throw new RevenueInputError(
      `${field}.effectiveDate`,
      `a renewal starts the day after the term ends (${fromEpochDay(state.termEnd + 1)})`,
    );
  }
  const end = checkDate(am.renewal.termEnd, `${field}.renewal.termEnd`);
  if (end < start) {
    throw new RevenueInputError(`${field}.renewal.termEnd`, 'is before the renewal starts');
  }
  const uplift = decimalRatio(checkNonNegativeDecimal(am.renewal.upliftRate, `${field}.renewal.upliftRate`));
  const factor = add(ratio(1n), uplift);
  let consideration = 0n;
  for (const ls of [...state.lines.values()]) {
    if (ls.end !== state.termEnd || ls.line.chargeType !== 'recurring') {
      continue;
    }
    const delta = am.lineDeltas.find((d) => d.lineId === ls.line.lineId);
    const quantity = delta ? decimalRatio(delta.newQuantity) : ls.quantity;
    const unitPrice = delta ? decimalRatio(delta.newUnitPrice) : mul(ls.unitPrice, factor);
    if (quantity.n === 0n) {
      continue;
    }
    const price = checkBound(
      toMinor(
        mul(mul(quantity, unitPrice), unitsPerPeriod(ls.line.unitPricePeriod, start, end)),
        state.exponent,
      ),
      `${field}.renewal`,
    );
    consideration += price;
    const renewedLine = {
      ...ls.line,
      quantity: formatQuantity(quantity),
      unitPrice: formatRatio(unitPrice.n, unitPrice.d, 10).replace(/\.?0+$/, ''),
      serviceStart: fromEpochDay(start),
      serviceEnd: fromEpochDay(end),
    };
    const renewed = lineState(renewedLine, start, end, price, policy);
    state.lines.set(ls.line.lineId, renewed);
    state.obligations.push({
      pobId: `${ls.line.pobId}@${am.amendmentId}`,
      lineId: ls.line.lineId,
      productCode: ls.line.productCode,
      method: renewed.method,
      origin: am.amendmentId,
      start,
      end,
      quantity,
      allocatedMinor: price,
      regimes: [
        { from: start, base: 0n, curve: curveFor(renewed.method, price, start, end, { grid: state.grid }) },
      ],
      variable: false,
    });
    state.postings.push(
      ...billingPostings(
        price,
        start,
        end,
        start,
        state.billingFrequency,
        state.billingTiming,
        state.billCycleDay,
      ),
    );
  }
  state.termEnd = end;
  return {
    considerationMinor: consideration,
    facts: am.modificationFacts ?? {
      distinctGoodsAdded: true,
      pricedAtSsp: true,
      remainingGoodsDistinct: true,
    },
  };
}
