import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { ContractAmendedSchema, ContractBookedSchema } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import { billingItems, expectedCharge, expectedRenewalCharge } from './billing-plan';
import type { ContractHistory } from './contract-history';
import { linesInForce } from './contract-lines';

const envelope = (id: string) => ({
  messageId: `0190f5e1-7c3a-7b2e-9f1d-2a4b6c8d0e${id}`,
  correlationId: `corr-${id}`,
  causationId: null,
  idempotencyKey: `sf:${id}`,
  occurredAt: '2026-01-01T09:00:00Z',
  tenantId: 'acme',
  source: { system: 'salesforce', objectType: 'Order', objectId: `801-${id}`, replayId: id },
  externalRefs: { salesforceId: `801-${id}` },
});

/** G1 as the Salesforce seed sells it: 10 seats at 1,200.00 a seat a year (100 a month), 2026. */
const booking: ContractBooked = ContractBookedSchema.parse({
  eventType: 'ContractBooked',
  schemaVersion: '1.1',
  ...envelope('01'),
  contractId: 'C-G1',
  customer: { customerId: 'acct-1' },
  currency: 'USD',
  termStart: '2026-01-01',
  termEnd: '2026-12-31',
  billingFrequency: 'annual',
  billingTiming: 'advance',
  lines: [
    {
      lineId: 'seats',
      productCode: 'SEAT',
      pobId: 'POB-SEATS',
      chargeType: 'recurring',
      quantity: '10',
      unitPrice: '1200',
      unitPricePeriod: 'year',
      netAmount: { amountMinor: '1200000', currency: 'USD' },
      ssp: { amountMinor: '1200000', currency: 'USD' },
      serviceStart: '2026-01-01',
      serviceEnd: '2026-12-31',
      revenueTreatment: 'ratable_daily',
    },
  ],
});

const amendment = (id: string, terms: Record<string, unknown>): ContractAmended =>
  ContractAmendedSchema.parse({
    eventType: 'ContractAmended',
    schemaVersion: '1.1',
    ...envelope(id),
    amendmentId: `A-${id}`,
    amendsContractId: 'C-G1',
    coTerminated: true,
    ...terms,
  });

const seats = (prior: string, next: string, priorPrice = '1200', newPrice = priorPrice) => ({
  lineId: 'seats',
  priorQuantity: prior,
  newQuantity: next,
  priorUnitPrice: priorPrice,
  newUnitPrice: newPrice,
});

const expansion = amendment('02', {
  amendmentType: 'expansion',
  effectiveDate: '2026-03-15',
  lineDeltas: [seats('10', '15')],
});
const reduction = amendment('03', {
  amendmentType: 'reduction',
  effectiveDate: '2026-10-01',
  lineDeltas: [seats('15', '10')],
});
/** The renewal for 2027 at a 5 % uplift: 10 seats at 1,260.00 a year (105 a month). */
const renewal = amendment('04', {
  amendmentType: 'renewal',
  effectiveDate: '2027-01-01',
  coTerminated: false,
  lineDeltas: [seats('10', '10', '1200', '1260')],
  renewal: { termEnd: '2027-12-31', upliftRate: '0.05' },
});

const catalogue = new Map<string, CatalogueEntry>([
  [
    'SEAT',
    {
      productCode: 'SEAT',
      billingPriceId: 'price_seat_annual',
      erpItemId: 'ITEM-SEAT',
      revenueTreatment: 'ratable_daily',
      ssp: '1200',
      unitPricePeriod: 'year',
      pobId: 'POB-SEATS',
      productClass: 'subscription',
      chargeType: 'recurring',
    },
  ],
]);

const history = (...amendments: ContractAmended[]): ContractHistory => ({ booking, amendments });

describe('the charge a renewal expects', () => {
  it('is the renewal term in advance, not a proration: 10 seats × 1,260.00 over 2027 = 12,600.00', () => {
    const before = [expansion, reduction];
    const charge = expectedRenewalCharge(history(...before, renewal), before, renewal);
    expect(charge).toEqual([{ lineId: 'seats', productCode: 'SEAT', amountMinor: 1_260_000n }]);
    expect(expectedCharge(history(...before, renewal), before, renewal, catalogue)).toEqual(charge);
  });

  it('counts only the lines renewed, at their renewed quantity and price', () => {
    const fewer = amendment('05', {
      amendmentType: 'renewal',
      effectiveDate: '2027-01-01',
      coTerminated: false,
      lineDeltas: [seats('10', '7', '1200', '1236')],
      renewal: { termEnd: '2027-12-31', upliftRate: '0.03' },
    });
    // 7 × 1,236.00 = 8,652.00.
    expect(expectedRenewalCharge(history(fewer), [], fewer)).toEqual([
      { lineId: 'seats', productCode: 'SEAT', amountMinor: 865_200n },
    ]);
    const lapsed = amendment('06', {
      amendmentType: 'renewal',
      effectiveDate: '2027-01-01',
      coTerminated: false,
      lineDeltas: [seats('10', '0')],
      renewal: { termEnd: '2027-12-31', upliftRate: '0' },
    });
    expect(expectedRenewalCharge(history(lapsed), [], lapsed)).toEqual([]);
  });

  it('values a longer renewal term over its days: two years at 1,260.00 a year = 25,200.00', () => {
    const twoYears = amendment('07', {
      amendmentType: 'renewal',
      effectiveDate: '2027-01-01',
      coTerminated: false,
      lineDeltas: [seats('10', '10', '1200', '1260')],
      renewal: { termEnd: '2028-12-31', upliftRate: '0.05' },
    });
    expect(expectedRenewalCharge(history(twoYears), [], twoYears)[0]?.amountMinor).toBe(2_520_000n);
  });

  it('leaves the other changes to the proration (G2: 4,800.00)', () => {
    expect(expectedCharge(history(expansion), [], expansion, catalogue)).toEqual([
      { lineId: 'seats', productCode: 'SEAT', amountMinor: 480_000n },
    ]);
    expect(() => expectedRenewalCharge(history(expansion), [], expansion)).toThrow(/not a renewal/);
  });
});

describe('the billing items of a change', () => {
  it("carry the contract's unit price beside the catalogue price, the renewed one after a renewal", () => {
    const h = history(expansion, reduction, renewal);
    expect(billingItems(linesInForce(h, [expansion]), catalogue)).toEqual([
      { priceId: 'price_seat_annual', quantity: '15', lineId: 'seats', unitAmount: '1200' },
    ]);
    expect(billingItems(linesInForce(h), catalogue)).toEqual([
      { priceId: 'price_seat_annual', quantity: '10', lineId: 'seats', unitAmount: '1260' },
    ]);
  });
});
