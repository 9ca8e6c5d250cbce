import { describe, expect, it } from 'vitest';
import type { ContractState } from '../events/contract-state';
import { DEFAULT_MAPPING } from '../mappings/default-mapping';
import type { MappingDefinition } from '../mappings/mapping-definition';
import { compileMapping } from '../mappings/mapping-definition';
import type { CustomerRecord } from '../events/customer-master';
import type { CheckContext } from './check-order';
import { checkOrder, heldCurrencyOnly, needsCustomerRecord } from './check-order';
import { OrderRejected } from './problems';
import type { EventMeta } from './event-meta';
import { extractOrder } from './extract-order';
import { normaliseOrder, planOrder } from './normalise-order';
import {
  ACCOUNT_ID,
  bookingRecord,
  expansionRecord,
  item,
  orderRecord,
  SEATS_ITEM_ID,
  SF_CONTRACT_ID,
} from '../shared/order-examples';

const mapping = compileMapping(1, DEFAULT_MAPPING);

const meta: EventMeta = {
  messageId: '0199a0c4-8f3e-7c2a-9b1d-3f4e5a6b7c8d',
  correlationId: 'corr-1',
  causationId: null,
  idempotencyKey: 'salesforce:Order:x:activated',
  occurredAt: '2026-03-15T09:30:00.000Z',
  tenantId: 'default',
  mappingVersion: 1,
  source: { system: 'salesforce', objectType: 'Order', objectId: 'x' },
  externalRefs: {},
};

const context = (over: Partial<CheckContext> = {}): CheckContext => ({
  mapping,
  customer: null,
  contract: null,
  ...over,
});

function rejected(run: () => unknown): OrderRejected {
  try {
    run();
  } catch (error) {
    if (error instanceof OrderRejected) return error;
    throw error;
  }
  throw new Error('expected the order to be rejected');
}

const booked = (): ContractState => {
  const result = normaliseOrder(extractOrder(bookingRecord(), mapping), context(), meta);
  return result.state;
};

describe('normalisation: booking', () => {
  it('turns the activated G1 order into ContractBooked through the mapping and catalogue', () => {
    const order = extractOrder(bookingRecord(), mapping);
    expect(planOrder(order)).toEqual({ kind: 'booking' });
    const { event, state } = normaliseOrder(order, context(), meta);
    expect(event.eventType).toBe('ContractBooked');
    if (event.eventType !== 'ContractBooked') return;
    expect(event).toMatchObject({
      contractId: '801Dn00000Booking1',
      customer: { customerId: ACCOUNT_ID, salesforceAccountId: ACCOUNT_ID },
      currency: 'USD',
      termStart: '2026-01-01',
      termEnd: '2026-12-31',
      billingFrequency: 'annual',
      billingTiming: 'advance',
      mappingVersion: 1,
    });
    expect(event.lines).toEqual([
      {
        lineId: SEATS_ITEM_ID,
        productCode: 'SEAT',
        pobId: 'POB-SEATS',
        chargeType: 'recurring',
        quantity: '10',
        unitPrice: '100',
        unitPricePeriod: 'month',
        netAmount: { amountMinor: '1200000', currency: 'USD' },
        ssp: { amountMinor: '1200000', currency: 'USD' },
        serviceStart: '2026-01-01',
        serviceEnd: '2026-12-31',
        revenueTreatment: 'ratable_daily',
      },
    ]);
    expect(state).toMatchObject({
      contractId: '801Dn00000Booking1',
      status: 'active',
      termEnd: '2026-12-31',
    });
  });

  it("carries Revline's bill-cycle day (Revline_Bill_Cycle_Day__c, a number) onto ContractBooked", () => {
    const order = extractOrder(bookingRecord({ BillCycleDay: 15 }), mapping);
    const { event } = normaliseOrder(order, context(), meta);
    expect(event).toMatchObject({ eventType: 'ContractBooked', billCycleDay: 15 });
    const without = normaliseOrder(extractOrder(bookingRecord(), mapping), context(), meta).event;
    expect('billCycleDay' in without).toBe(false);
  });

  it('schema_violation: a bill-cycle day that is not a day of the month, naming its Salesforce field', () => {
    for (const value of [32, 0, 15.5, -1, '15', 'last']) {
      const error = rejected(() => extractOrder(bookingRecord({ BillCycleDay: value }), mapping));
      expect(error.problems).toEqual([
        expect.objectContaining({
          category: 'schema_violation',
          field: 'billCycleDay (Revline_Bill_Cycle_Day__c)',
          reason: expect.stringContaining(String(value)),
        }),
      ]);
    }
  });

  it('ignores an order that is not activated', () => {
    expect(planOrder(extractOrder(bookingRecord({ Status: 'Draft' }), mapping))).toEqual({
      kind: 'ignore',
      reason: 'the order is not activated',
    });
  });

  it('reads custom fields named by the mapping (Account.Revline_Billing_Id__c)', () => {
    const record = bookingRecord({
      account: { Revline_Billing_Id__c: 'cus_42', Revline_ERP_Id__c: 'ERP-42' },
    });
    const { event } = normaliseOrder(extractOrder(record, mapping), context(), meta);
    expect(event.eventType === 'ContractBooked' && event.customer).toMatchObject({
      billingCustomerId: 'cus_42',
      erpCustomerId: 'ERP-42',
    });
  });

  it("carries the account's name, billing address and currency in the customer block", () => {
    const record = bookingRecord({
      account: {
        Name: 'Globex Corporation',
        CurrencyIsoCode: 'USD',
        BillingStreet: '10 Downing Street',
        BillingCity: 'London',
        BillingPostalCode: 'SW1A 2AA',
        BillingCountryCode: 'gb',
      },
    });
    const { event } = normaliseOrder(extractOrder(record, mapping), context(), meta);
    expect(event.eventType === 'ContractBooked' && event.customer).toEqual({
      customerId: ACCOUNT_ID,
      salesforceAccountId: ACCOUNT_ID,
      name: 'Globex Corporation',
      currency: 'USD',
      billingAddress: { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB' },
    });
  });

  it('refuses a billing country that is not an ISO 3166-1 alpha-2 code, naming the field', () => {
    const error = rejected(() =>
      extractOrder(bookingRecord({ account: { BillingCountryCode: 'United Kingdom' } }), mapping),
    );
    expect(error.problems).toEqual([
      expect.objectContaining({
        category: 'schema_violation',
        field: 'customer.billingAddress.country (Account.BillingCountryCode)',
      }),
    ]);
  });

  it('makes one ramped line of the CPQ segments sharing a segment key', () => {
    const record = bookingRecord({
      items: [
        item({
          Id: 'S1',
          code: 'SEAT',
          Quantity: 10,
          UnitPrice: 100,
          ServiceDate: '2026-01-01',
          EndDate: '2026-06-30',
          segmentKey: 'K',
        }),
        item({
          Id: 'S2',
          code: 'SEAT',
          Quantity: 20,
          UnitPrice: 90,
          ServiceDate: '2026-07-01',
          EndDate: '2026-12-31',
          segmentKey: 'K',
        }),
      ],
    });
    const { event, state } = normaliseOrder(extractOrder(record, mapping), context(), meta);
    if (event.eventType !== 'ContractBooked') throw new Error('expected a booking');
    expect(event.lines).toHaveLength(1);
    expect(event.lines[0]?.rampSegments?.map((s) => [s.segmentId, s.netAmount.amountMinor])).toEqual([
      ['S1', '600000'],
      ['S2', '1080000'],
    ]);
    expect(event.lines[0]?.netAmount.amountMinor).toBe('1680000');
    // An amendment on 2026-07-01 revising the second segment is a ramp step.
    const step = orderRecord({
      Id: 'AMEND-RAMP',
      Type: 'Amendment',
      EffectiveDate: '2026-07-01',
      ContractId: SF_CONTRACT_ID,
      items: [
        item({
          Id: 'R1',
          code: 'SEAT',
          Quantity: 0,
          UnitPrice: 85,
          ServiceDate: '2026-07-01',
          EndDate: '2026-12-31',
          revises: 'S2',
        }),
      ],
    });
    const amended = normaliseOrder(extractOrder(step, mapping), context({ contract: state }), meta);
    expect(amended.event.eventType === 'ContractAmended' && amended.event.amendmentType).toBe('ramp_step');
  });
});

describe('normalisation: amendments (CPQ delta lines)', () => {
  it('G2: +5 seats and a premium module is an expansion with line deltas and an added line', () => {
    const contract = booked();
    const order = extractOrder(expansionRecord(), mapping);
    expect(planOrder(order)).toEqual({ kind: 'change', salesforceContractId: SF_CONTRACT_ID });
    const { event, state } = normaliseOrder(order, context({ contract }), meta);
    if (event.eventType !== 'ContractAmended') throw new Error('expected an amendment');
    expect(event).toMatchObject({
      amendmentId: '801Dn00000Amend001',
      amendsContractId: '801Dn00000Booking1',
      amendmentType: 'expansion',
      effectiveDate: '2026-03-15',
      coTerminated: true,
      lineDeltas: [
        {
          lineId: SEATS_ITEM_ID,
          priorQuantity: '10',
          newQuantity: '15',
          priorUnitPrice: '100',
          newUnitPrice: '100',
        },
      ],
    });
    expect(event.addedLines?.[0]).toMatchObject({
      productCode: 'ANALYTICS-PREMIUM',
      pobId: 'POB-ANALYTICS',
      revenueTreatment: 'monthly_prorated',
      serviceStart: '2026-03-15',
      serviceEnd: '2026-12-31',
    });
    expect(state.lines.map((l) => [l.productCode, l.quantity])).toEqual([
      ['SEAT', '15'],
      ['ANALYTICS-PREMIUM', '1'],
    ]);
  });

  const amend = (contract: ContractState, quantity: number, unitPrice = 100, date = '2026-10-01') =>
    normaliseOrder(
      extractOrder(
        orderRecord({
          Id: `AM-${String(quantity)}-${String(unitPrice)}`,
          Type: 'Amendment',
          EffectiveDate: date,
          ContractId: SF_CONTRACT_ID,
          items: [
            item({
              Id: 'D1',
              code: 'SEAT',
              Quantity: quantity,
              UnitPrice: unitPrice,
              ServiceDate: date,
              EndDate: '2026-12-31',
              revises: SEATS_ITEM_ID,
            }),
          ],
        }),
        mapping,
      ),
      context({ contract }),
      meta,
    );

  it('G5: −5 seats is a reduction; −10 of 10 a cancellation; the same seats at a new price a price change', () => {
    const contract = booked();
    const reduction = amend(contract, -5);
    expect(reduction.event.eventType === 'ContractAmended' && reduction.event.amendmentType).toBe(
      'reduction',
    );
    expect(reduction.state.lines[0]?.quantity).toBe('5');
    const cancellation = amend(contract, -10);
    expect(cancellation.event.eventType === 'ContractAmended' && cancellation.event.amendmentType).toBe(
      'cancellation',
    );
    expect(cancellation.state.status).toBe('cancelled');
    const price = amend(contract, 0, 110);
    expect(price.event.eventType === 'ContractAmended' && price.event.amendmentType).toBe('price_change');
  });

  it('refuses a reduction below zero, and an amendment that changes nothing', () => {
    const contract = booked();
    expect(rejected(() => amend(contract, -11)).problems[0]?.reason).toMatch(/from 10 to -1, below zero/);
    expect(rejected(() => amend(contract, 0)).problems[0]?.reason).toMatch(/changes no quantity/);
  });

  it('a renewal (Type Renewal, tied to the prior contract) carries the uplift and the new term', () => {
    const contract = booked();
    const record = orderRecord({
      Id: 'RENEWAL-1',
      Type: 'Renewal',
      EffectiveDate: '2027-01-01',
      RenewedContract: SF_CONTRACT_ID,
      items: [item({ Id: 'RN1', code: 'SEAT', Quantity: 10, UnitPrice: 105 })],
    });
    const order = extractOrder(record, mapping);
    expect(planOrder(order)).toEqual({ kind: 'change', salesforceContractId: SF_CONTRACT_ID });
    const { event, state } = normaliseOrder(order, context({ contract }), meta);
    if (event.eventType !== 'ContractAmended') throw new Error('expected an amendment');
    expect(event).toMatchObject({
      amendmentType: 'renewal',
      effectiveDate: '2027-01-01',
      coTerminated: false,
      renewal: { termEnd: '2027-12-31', upliftRate: '0.05' },
      lineDeltas: [{ lineId: SEATS_ITEM_ID, priorQuantity: '10', newQuantity: '10', newUnitPrice: '105' }],
    });
    expect(state.termEnd).toBe('2027-12-31');
    expect(state.lines[0]?.aliases).toEqual(['RN1']);
  });
});

describe('validation before anything moves', () => {
  it('unmapped_product names the product and the mapping version', () => {
    const record = bookingRecord({ items: [item({ Id: 'X1', code: 'MYSTERY', Quantity: 1, UnitPrice: 5 })] });
    const error = rejected(() => normaliseOrder(extractOrder(record, mapping), context(), meta));
    expect(error.problems).toEqual([
      {
        category: 'unmapped_product',
        field: 'lines[0].productCode',
        reason: expect.stringMatching(
          /^Product MYSTERY \(order line X1\) is not in the product catalogue of mapping version 1/,
        ) as string,
      },
    ]);
  });

  it('customer_mismatch names both values when billing is the customer master', () => {
    const definition: MappingDefinition = {
      ...DEFAULT_MAPPING,
      systemsOfRecord: { ...DEFAULT_MAPPING.systemsOfRecord, customerMaster: 'billing' },
    };
    const customer: CustomerRecord = {
      billingCustomerId: 'cus_B',
      erpCustomerId: null,
      currency: 'USD',
      recordedFrom: 'billing',
    };
    const record = bookingRecord({ account: { Revline_Billing_Id__c: 'cus_A' } });
    const error = rejected(() =>
      normaliseOrder(
        extractOrder(record, compileMapping(2, definition)),
        context({ mapping: compileMapping(2, definition), customer }),
        meta,
      ),
    );
    expect(error.problems[0]).toMatchObject({
      category: 'customer_mismatch',
      field: 'customer.billingCustomerId',
    });
    expect(error.problems[0]?.reason).toBe(
      `Salesforce account ${ACCOUNT_ID} has billing customer id cus_A, but the customer master (billing) holds cus_B`,
    );
    // With Salesforce as the master, the same record passes.
    expect(() => normaliseOrder(extractOrder(record, mapping), context({ customer }), meta)).not.toThrow();
  });

  it('invalid_dates: a line outside the term, an amendment after the term ends, a renewal with a gap', () => {
    const outside = bookingRecord({
      items: [
        item({
          Id: 'L',
          code: 'SEAT',
          Quantity: 1,
          UnitPrice: 1,
          ServiceDate: '2025-12-01',
          EndDate: '2026-12-31',
        }),
      ],
    });
    expect(
      rejected(() => normaliseOrder(extractOrder(outside, mapping), context(), meta)).problems[0],
    ).toMatchObject({
      category: 'invalid_dates',
      field: 'lines[0].serviceStart',
    });
    const contract = booked();
    const late = rejected(() =>
      normaliseOrder(
        extractOrder(expansionRecord({ EffectiveDate: '2027-02-01' }), mapping),
        context({ contract }),
        meta,
      ),
    );
    expect(late.problems.map((p) => p.category)).toContain('invalid_dates');
    expect(late.problems.find((p) => p.field === 'effectiveDate')?.reason).toMatch(
      /outside contract .* term 2026-01-01..2026-12-31/,
    );
    const gap = orderRecord({
      Id: 'RN',
      Type: 'Renewal',
      EffectiveDate: '2027-02-01',
      RenewedContract: SF_CONTRACT_ID,
      items: [item({ Id: 'RN1', code: 'SEAT', Quantity: 10, UnitPrice: 100 })],
    });
    expect(
      rejected(() => normaliseOrder(extractOrder(gap, mapping), context({ contract }), meta)).problems[0]
        ?.reason,
    ).toMatch(/a renewal starts the day after/);
  });

  it('currency_mismatch: an amendment in another currency than its contract, an order unlike its account', () => {
    const contract = booked();
    const eur = rejected(() =>
      normaliseOrder(
        extractOrder(expansionRecord({ CurrencyIsoCode: 'EUR' }), mapping),
        context({ contract }),
        meta,
      ),
    );
    expect(eur.problems).toContainEqual({
      category: 'currency_mismatch',
      field: 'currency',
      reason: 'The order is in EUR, but contract 801Dn00000Booking1 is in USD',
    });
    const account = rejected(() =>
      normaliseOrder(extractOrder(bookingRecord({ CurrencyIsoCode: 'EUR' }), mapping), context(), meta),
    );
    expect(account.problems[0]?.category).toBe('currency_mismatch');
  });

  it('unknown_contract: no contract, or a revised line that is not the contract’s', () => {
    const none = rejected(() => normaliseOrder(extractOrder(expansionRecord(), mapping), context(), meta));
    expect(none.problems[0]).toMatchObject({ category: 'unknown_contract', field: 'amendedContractRef' });
    const contract = booked();
    const stray = expansionRecord({
      items: [item({ Id: 'Z', code: 'SEAT', Quantity: 1, UnitPrice: 100, revises: '802NOTALINE' })],
    });
    expect(
      rejected(() => normaliseOrder(extractOrder(stray, mapping), context({ contract }), meta)).problems[0],
    ).toMatchObject({
      category: 'unknown_contract',
      field: 'lines[0].revisesLineId',
    });
  });

  it('schema_violation: every field that does not convert is listed with its Salesforce source', () => {
    const record = bookingRecord({ CurrencyIsoCode: 'XXX', EffectiveDate: 'soon' });
    (record.OrderItems as { records: Array<Record<string, unknown>> }).records[0].SBQQ__ChargeType__c =
      'Weird';
    const error = rejected(() => extractOrder(record, mapping));
    expect(error.problems.map((p) => p.field)).toEqual([
      'currency (CurrencyIsoCode)',
      'termStart (EffectiveDate)',
      'lines[0].chargeType (OrderItems[].SBQQ__ChargeType__c)',
    ]);
    expect(error.problems.every((p) => p.category === 'schema_violation')).toBe(true);
  });

  it('reads the customer master only when it can change what the checks find', () => {
    // Records that disagree with the orders below on every field the checks compare.
    const held: CustomerRecord = {
      billingCustomerId: 'cus_OTHER',
      erpCustomerId: 'ERP-OTHER',
      currency: 'EUR',
      recordedFrom: 'billing',
    };
    const billingMaster = compileMapping(2, {
      ...DEFAULT_MAPPING,
      systemsOfRecord: { ...DEFAULT_MAPPING.systemsOfRecord, customerMaster: 'billing' },
    });
    const withCurrency = extractOrder(
      bookingRecord({ account: { Revline_Billing_Id__c: 'cus_A' } }),
      mapping,
    );
    const noCurrency = extractOrder(bookingRecord({ account: { CurrencyIsoCode: null } }), mapping);
    const otherCurrency = extractOrder(bookingRecord({ account: { CurrencyIsoCode: 'GBP' } }), mapping);
    const amendment = extractOrder(expansionRecord({ account: { CurrencyIsoCode: null } }), mapping);
    const cases = [
      { order: withCurrency, mapping, contract: null, needed: true },
      { order: otherCurrency, mapping, contract: null, needed: false },
      { order: amendment, mapping, contract: booked(), needed: false },
      { order: noCurrency, mapping, contract: null, needed: true },
      {
        order: extractOrder(bookingRecord({ account: { Revline_Billing_Id__c: 'cus_A' } }), billingMaster),
        mapping: billingMaster,
        contract: null,
        needed: true,
      },
    ];
    for (const c of cases) {
      expect(needsCustomerRecord(c.order, c.mapping, c.contract)).toBe(c.needed);
      const without = checkOrder(c.order, context({ mapping: c.mapping, contract: c.contract }));
      const withHeld = checkOrder(
        c.order,
        context({ mapping: c.mapping, contract: c.contract, customer: held }),
      );
      // Not needed: the record changes nothing. Needed: here it does (so the cases above test something).
      if (c.needed) expect(withHeld).not.toEqual(without);
      else expect(withHeld).toEqual(without);
      // Where only the held currency counts, a record holding the order's currency (or none) changes nothing.
      if (heldCurrencyOnly(c.order, c.mapping, c.contract)) {
        for (const currency of [c.order.currency, '', null]) {
          expect(
            checkOrder(
              c.order,
              context({ mapping: c.mapping, contract: c.contract, customer: { ...held, currency } }),
            ),
          ).toEqual(without);
        }
      }
    }
    expect(cases.map((c) => heldCurrencyOnly(c.order, c.mapping, c.contract))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });
});
