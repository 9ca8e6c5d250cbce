import type { ContractLine } from '@revline/canonical';
import type { RevenueContract } from '../input/contract-input';
import type { RevenueAmendment } from '../modifications/amendment-input';

/** Test data shared by the revenue specs: the golden examples of domain/golden-examples.md. */
export function usd(amountMinor: number | bigint): { amountMinor: string; currency: 'USD' } {
  return { amountMinor: String(amountMinor), currency: 'USD' };
}

export function seatsLine(overrides: Partial<ContractLine> = {}): ContractLine {
  return {
    lineId: 'seats',
    productCode: 'SEAT',
    pobId: 'seats',
    chargeType: 'recurring',
    quantity: '10',
    unitPrice: '100',
    unitPricePeriod: 'month',
    netAmount: usd(1_200_000),
    serviceStart: '2026-01-01',
    serviceEnd: '2026-12-31',
    revenueTreatment: 'ratable_daily',
    ...overrides,
  };
}

/** G1: 12,000.00 USD, 2026-01-01..2026-12-31, invoiced upfront (annual, in advance). */
export function g1Contract(overrides: Partial<RevenueContract> = {}): RevenueContract {
  return {
    contractId: 'C-G1',
    currency: 'USD',
    termStart: '2026-01-01',
    termEnd: '2026-12-31',
    billingFrequency: 'annual',
    billingTiming: 'advance',
    lines: [seatsLine()],
    ...overrides,
  };
}

export function amendment(
  overrides: Partial<RevenueAmendment> & Pick<RevenueAmendment, 'amendmentId' | 'effectiveDate'>,
): RevenueAmendment {
  return {
    amendsContractId: 'C-G1',
    amendmentType: 'expansion',
    coTerminated: true,
    lineDeltas: [],
    ...overrides,
  };
}

/** G2: 10 → 15 seats at 100 USD/seat/month effective 2026-03-15, co-terminated. */
export const g2Expansion: RevenueAmendment = amendment({
  amendmentId: 'A-G2',
  effectiveDate: '2026-03-15',
  lineDeltas: [
    { lineId: 'seats', priorQuantity: '10', newQuantity: '15', priorUnitPrice: '100', newUnitPrice: '100' },
  ],
});

/** G4: on 2026-07-01, +5 seats (SSP 3,000) and a training day (SSP 1,000) for 3,000 in all. */
export const g4Modification: RevenueAmendment = amendment({
  amendmentId: 'A-G4',
  effectiveDate: '2026-07-01',
  lineDeltas: [
    { lineId: 'seats', priorQuantity: '10', newQuantity: '15', priorUnitPrice: '100', newUnitPrice: '100' },
  ],
  addedLines: [
    {
      lineId: 'training',
      productCode: 'TRAINING-DAY',
      pobId: 'training',
      chargeType: 'one_time',
      quantity: '1',
      unitPrice: '1000',
      unitPricePeriod: 'term',
      netAmount: usd(0),
      ssp: usd(100_000),
      serviceStart: '2026-07-01',
      serviceEnd: '2026-07-01',
      revenueTreatment: 'point_in_time',
    },
  ],
  consideration: usd(300_000),
});

/** G5: from G2's 15 seats, remove 5 effective 2026-10-01. */
export const g5Reduction: RevenueAmendment = amendment({
  amendmentId: 'A-G5',
  amendmentType: 'reduction',
  effectiveDate: '2026-10-01',
  lineDeltas: [
    { lineId: 'seats', priorQuantity: '15', newQuantity: '10', priorUnitPrice: '100', newUnitPrice: '100' },
  ],
});
