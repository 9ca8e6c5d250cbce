import type { ContractLine, ContractTerms, CurrencyCode } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import { checkCurrency, checkDate, checkId, checkMoney, checkNonNegativeDecimal } from './checks';

/**
 * The part of a canonical `ContractBooked` (or `ContractTerms`) the engine reads; a full event
 * passes as is. `customer` is not needed for revenue and may be omitted.
 */
export type RevenueContract = Pick<
  ContractTerms,
  'contractId' | 'currency' | 'termStart' | 'termEnd' | 'billingFrequency' | 'billingTiming' | 'lines'
> & { readonly customer?: ContractTerms['customer']; readonly billCycleDay?: number | undefined };

export interface CheckedLine {
  readonly line: ContractLine;
  readonly field: string;
  readonly start: number;
  readonly end: number;
  /** Point-in-time lines: the delivery day (deliveryDate, default serviceStart). */
  readonly delivery?: number;
  readonly netMinor: bigint;
  readonly sspMinor: bigint;
  readonly segments: readonly { readonly start: number; readonly end: number; readonly netMinor: bigint }[];
}

const FREQUENCIES = new Set(['monthly', 'quarterly', 'semiannual', 'annual', 'upfront']);
const TIMINGS = new Set(['advance', 'arrears']);
const TREATMENTS = new Set(['ratable_daily', 'even_monthly', 'monthly_prorated', 'point_in_time', 'usage']);
const CHARGE_TYPES = new Set(['recurring', 'one_time', 'usage']);
const UNIT_PERIODS = new Set(['month', 'year', 'term']);

function checkDelivery(line: ContractLine, field: string, start: number, end: number): number | undefined {
  if (line.deliveryDate === undefined) {
    return undefined;
  }
  if (line.revenueTreatment !== 'point_in_time') {
    throw new RevenueInputError(`${field}.deliveryDate`, 'is only for point_in_time lines');
  }
  const delivery = checkDate(line.deliveryDate, `${field}.deliveryDate`);
  if (delivery < start || delivery > end) {
    throw new RevenueInputError(`${field}.deliveryDate`, 'must fall inside serviceStart..serviceEnd');
  }
  return delivery;
}

/** Checks one contract line against the term; `field` is its path ("contract.lines[0]"). */
export function checkLine(
  line: ContractLine,
  field: string,
  currency: CurrencyCode,
  termStart: number,
  termEnd: number,
): CheckedLine {
  if (typeof line !== 'object' || (line as unknown) === null) {
    throw new RevenueInputError(field, 'must be an object');
  }
  checkId(line.lineId, `${field}.lineId`);
  checkId(line.pobId, `${field}.pobId`);
  checkId(line.productCode, `${field}.productCode`);
  if (!CHARGE_TYPES.has(line.chargeType)) {
    throw new RevenueInputError(`${field}.chargeType`, 'must be recurring, one_time or usage');
  }
  if (!TREATMENTS.has(line.revenueTreatment)) {
    throw new RevenueInputError(`${field}.revenueTreatment`, 'is not a known revenue treatment');
  }
  if (!UNIT_PERIODS.has(line.unitPricePeriod)) {
    throw new RevenueInputError(`${field}.unitPricePeriod`, 'must be month, year or term');
  }
  checkNonNegativeDecimal(line.quantity, `${field}.quantity`);
  checkNonNegativeDecimal(line.unitPrice, `${field}.unitPrice`);
  const start = checkDate(line.serviceStart, `${field}.serviceStart`);
  const end = checkDate(line.serviceEnd, `${field}.serviceEnd`);
  if (end < start) {
    throw new RevenueInputError(`${field}.serviceEnd`, 'is before serviceStart');
  }
  if (start < termStart || end > termEnd) {
    throw new RevenueInputError(`${field}.serviceStart`, 'service dates fall outside the contract term');
  }
  const delivery = checkDelivery(line, field, start, end);
  const netMinor = checkMoney(line.netAmount, currency, `${field}.netAmount`);
  const sspMinor = line.ssp === undefined ? netMinor : checkMoney(line.ssp, currency, `${field}.ssp`);
  if (line.includedUsage !== undefined) {
    checkNonNegativeDecimal(line.includedUsage, `${field}.includedUsage`);
  }
  if (line.overageRate !== undefined) {
    checkNonNegativeDecimal(line.overageRate, `${field}.overageRate`);
  }
  const segments = (line.rampSegments ?? []).map((seg, j) => {
    const at = `${field}.rampSegments[${String(j)}]`;
    const s = checkDate(seg.start, `${at}.start`);
    const e = checkDate(seg.end, `${at}.end`);
    if (e < s) {
      throw new RevenueInputError(`${at}.end`, 'is before start');
    }
    if (s < start || e > end) {
      throw new RevenueInputError(`${at}.start`, 'segment falls outside the line service dates');
    }
    checkNonNegativeDecimal(seg.quantity, `${at}.quantity`);
    checkNonNegativeDecimal(seg.unitPrice, `${at}.unitPrice`);
    return { start: s, end: e, netMinor: checkMoney(seg.netAmount, currency, `${at}.netAmount`) };
  });
  segments.forEach((seg, j) => {
    const prev = j > 0 ? segments.at(j - 1) : undefined;
    if (prev !== undefined && seg.start <= prev.end) {
      throw new RevenueInputError(
        `${field}.rampSegments[${String(j)}].start`,
        'overlaps the previous segment',
      );
    }
  });
  if (segments.length > 0) {
    const sum = segments.reduce((s, x) => s + x.netMinor, 0n);
    if (sum !== netMinor) {
      throw new RevenueInputError(`${field}.netAmount`, 'must equal the sum of the ramp segments');
    }
  }
  return {
    line,
    field,
    start,
    end,
    netMinor,
    sspMinor,
    segments,
    ...(delivery === undefined ? {} : { delivery }),
  };
}

export interface CheckedContract {
  readonly currency: CurrencyCode;
  readonly termStart: number;
  readonly termEnd: number;
  readonly billCycleDay?: number;
  readonly lines: CheckedLine[];
}

/** A bill-cycle day, when given: a whole day of the month. */
export function checkBillCycleDay(value: unknown, field: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 31) {
    throw new RevenueInputError(field, 'must be a whole day of the month, 1..31');
  }
  return value;
}

/** Checks a contract and returns its parsed dates and amounts, or throws RevenueInputError. */
export function checkContract(contract: RevenueContract, field = 'contract'): CheckedContract {
  if (typeof contract !== 'object' || (contract as unknown) === null) {
    throw new RevenueInputError(field, 'must be an object');
  }
  checkId(contract.contractId, `${field}.contractId`);
  const currency = checkCurrency(contract.currency, `${field}.currency`);
  const termStart = checkDate(contract.termStart, `${field}.termStart`);
  const termEnd = checkDate(contract.termEnd, `${field}.termEnd`);
  if (termEnd < termStart) {
    throw new RevenueInputError(`${field}.termEnd`, 'is before termStart');
  }
  if (!FREQUENCIES.has(contract.billingFrequency)) {
    throw new RevenueInputError(
      `${field}.billingFrequency`,
      'must be monthly, quarterly, semiannual, annual or upfront',
    );
  }
  if (!TIMINGS.has(contract.billingTiming)) {
    throw new RevenueInputError(`${field}.billingTiming`, 'must be advance or arrears');
  }
  const billCycleDay = checkBillCycleDay(contract.billCycleDay, `${field}.billCycleDay`);
  if (!Array.isArray(contract.lines) || contract.lines.length === 0) {
    throw new RevenueInputError(`${field}.lines`, 'must list at least one line');
  }
  const seen = new Set<string>();
  const lines = contract.lines.map((line, i) => {
    const checked = checkLine(line, `${field}.lines[${String(i)}]`, currency, termStart, termEnd);
    if (seen.has(line.lineId)) {
      throw new RevenueInputError(`${field}.lines[${String(i)}].lineId`, 'is used by another line');
    }
    seen.add(line.lineId);
    return checked;
  });
  return { currency, termStart, termEnd, lines, ...(billCycleDay === undefined ? {} : { billCycleDay }) };
}
