import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { ContractAmendedSchema, ContractBookedSchema } from '@revline/canonical';
import type { BillingDocumentPayload } from '@revline/messaging';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import { billingItems, chargedWithoutUsage, expectedCharge, expectedRenewalCharge } from './billing-plan';
import type { ContractHistory } from './contract-history.repository';
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

describe('a usage line (G7: API calls on a metered price, billed monthly in arrears)', () => {
  const usageEntry: CatalogueEntry = {
    productCode: 'API-CALLS',
    billingPriceId: 'price_api_calls_metered',
    erpItemId: 'ITEM-API-CALLS',
    revenueTreatment: 'usage',
    ssp: '0',
    unitPricePeriod: 'month',
    pobId: 'POB-USAGE',
    productClass: 'usage',
    chargeType: 'usage',
    includedUsage: '100000',
    overageRate: '0.002',
  };
  const withUsage = new Map([...catalogue, ['API-CALLS', usageEntry]]);
  const bookedWithUsage: ContractBooked = ContractBookedSchema.parse({
    ...booking,
    lines: [
      ...booking.lines,
      {
        lineId: 'calls',
        productCode: 'API-CALLS',
        pobId: 'POB-USAGE',
        chargeType: 'usage',
        quantity: '1',
        unitPrice: '0',
        unitPricePeriod: 'month',
        netAmount: { amountMinor: '0', currency: 'USD' },
        serviceStart: '2026-01-01',
        serviceEnd: '2026-12-31',
        revenueTreatment: 'usage',
        includedUsage: '100000',
        overageRate: '0.002',
      },
    ],
  });
  const h = (...amendments: ContractAmended[]): ContractHistory => ({ booking: bookedWithUsage, amendments });

  it("is a subscription item on the catalogue's metered price, with no unit amount of the contract's", () => {
    expect(billingItems(linesInForce(h()), withUsage)).toEqual([
      { priceId: 'price_seat_annual', quantity: '10', lineId: 'seats', unitAmount: '1200' },
      { priceId: 'price_api_calls_metered', quantity: '1', lineId: 'calls' },
    ]);
  });

  it('is no part of what an amendment charges (G2 stays 4,800.00)', () => {
    expect(expectedCharge(h(expansion), [], expansion, withUsage)).toEqual([
      { lineId: 'seats', productCode: 'SEAT', amountMinor: 480_000n },
    ]);
  });

  it("leaves an invoice's usage lines out of the charge checked: the period's seats, not last month's calls", () => {
    const invoice: BillingDocumentPayload = {
      documentId: 'in_1',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      total: { amountMinor: '1266000', currency: 'USD' },
      tax: { amountMinor: '0', currency: 'USD' },
      issuedOn: '2027-01-01',
      eventCreatedAt: '2027-01-01T01:00:00Z',
      lines: [
        {
          lineId: 'il_1',
          description: '10 × Seats',
          amount: { amountMinor: '1260000', currency: 'USD' },
          proration: false,
          priceId: 'price_seat_annual',
        },
        {
          lineId: 'il_2',
          description: '103,000 × API calls',
          amount: { amountMinor: '6000', currency: 'USD' },
          proration: false,
          priceId: 'price_api_calls_metered',
        },
      ],
    };
    expect(chargedWithoutUsage([invoice], withUsage)).toBe(1_260_000n);
    expect(chargedWithoutUsage([invoice], catalogue)).toBe(1_266_000n);
  });
});

describe('the proration a change expects', () => {
  /** G2 on a monthly price: 10 seats at 100.00 a month, billed by Stripe every month from 2026-01-01. */
  const monthlyBooking: ContractBooked = ContractBookedSchema.parse({
    ...booking,
    billingFrequency: 'monthly',
    lines: booking.lines.map((l) => ({ ...l, unitPrice: '100', unitPricePeriod: 'month' })),
  });
  const monthlyCatalogue = new Map<string, CatalogueEntry>([
    ['SEAT', { ...(catalogue.get('SEAT') as CatalogueEntry), unitPricePeriod: 'month', ssp: '100' }],
  ]);
  const monthly = (am: ContractAmended): ContractHistory => ({ booking: monthlyBooking, amendments: [am] });

  it('is the rest of the month the change falls in, not the rest of the term: 5 × 100.00 × 17/31 = 274.19', () => {
    const g2 = amendment('08', {
      amendmentType: 'expansion',
      effectiveDate: '2026-03-15',
      lineDeltas: [seats('10', '15', '100')],
    });
    expect(expectedCharge(monthly(g2), [], g2, monthlyCatalogue)).toEqual([
      { lineId: 'seats', productCode: 'SEAT', amountMinor: 27_419n },
    ]);
  });

  it('is the whole month when the change falls on its first day: 5 × 100.00 = 500.00', () => {
    const onBoundary = amendment('09', {
      amendmentType: 'expansion',
      effectiveDate: '2026-04-01',
      lineDeltas: [seats('10', '15', '100')],
    });
    // The whole of April at 15 seats less the whole of April at 10, not the nine months left of the term.
    expect(expectedCharge(monthly(onBoundary), [], onBoundary, monthlyCatalogue)).toEqual([
      { lineId: 'seats', productCode: 'SEAT', amountMinor: 50_000n },
    ]);
  });
});
