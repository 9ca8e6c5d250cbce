import type { ContractLine } from '@revline/canonical';
import type { LineState } from '../core/model';
import type { ResolvedPolicy } from '../core/policy';
import { decimalRatio, ratio } from '../core/ratio';
import type { RecognitionMethod } from '../recognition/method-curve';
import { monthsUnder } from '../proration/conventions';
import { unitsPerPeriod } from '../proration/preview';

/** The recognition method of a line once the tenant's ratable convention is applied. */
export function methodOf(line: ContractLine, policy: ResolvedPolicy): RecognitionMethod {
  switch (line.revenueTreatment) {
    case 'ratable_daily':
      return policy.ratableConvention;
    case 'usage':
      return policy.ratableConvention;
    case 'even_monthly':
    case 'monthly_prorated':
    case 'point_in_time':
      return line.revenueTreatment;
  }
}

export function lineState(
  line: ContractLine,
  start: number,
  end: number,
  sspMinor: bigint,
  policy: ResolvedPolicy,
): LineState {
  const quantity = decimalRatio(line.quantity);
  const months = monthsUnder('monthly_actual_days', start, end);
  // SSP per unit-month; with no quantity fall back to the unit price.
  const sspPerUnitMonth =
    quantity.n === 0n || months.n === 0n
      ? ratio(0n)
      : ratio(sspMinor * quantity.d * months.d, quantity.n * months.n);
  return {
    line,
    start,
    end,
    quantity,
    unitPrice: decimalRatio(line.unitPrice),
    unitsInTerm:
      line.chargeType === 'one_time' ? ratio(1n) : unitsPerPeriod(line.unitPricePeriod, start, end),
    sspPerUnitMonth,
    method: methodOf(line, policy),
  };
}
