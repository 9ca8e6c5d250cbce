import { describe, expect, it } from 'vitest';
import { diffMappings } from './mapping-diff';

const seat = {
  productCode: 'SEAT',
  billingPriceId: 'price_seat',
  erpItemId: 'ITEM-SEAT',
  revenueTreatment: 'ratable',
  ssp: '100',
};

describe('diffMappings', () => {
  it('names added, removed and changed entries by section and key, with the fields that differ', () => {
    const from = {
      version: 1,
      definition: {
        fieldMappings: [
          { target: 'currency', source: 'CurrencyIsoCode' },
          { target: 'billCycleDay', source: 'Bill_Day__c' },
        ],
        productCatalogue: [seat],
        systemsOfRecord: { customerMaster: 'salesforce', invoiceState: 'billing' },
      },
    };
    const to = {
      version: 2,
      definition: {
        fieldMappings: [
          { target: 'currency', source: 'CurrencyIsoCode', default: 'USD' },
          { target: 'termEnd', source: 'EndDate' },
        ],
        productCatalogue: [
          { ...seat, ssp: '120' },
          { ...seat, productCode: 'ANALYTICS' },
        ],
        systemsOfRecord: { customerMaster: 'billing', invoiceState: 'billing' },
      },
    };
    const diff = diffMappings(from, to);
    expect(diff.from).toBe(1);
    expect(diff.to).toBe(2);
    expect(diff.added.map((e) => `${e.section}:${e.key}`)).toEqual([
      'fieldMappings:termEnd',
      'productCatalogue:ANALYTICS',
    ]);
    expect(diff.removed).toEqual([
      {
        section: 'fieldMappings',
        key: 'billCycleDay',
        before: { target: 'billCycleDay', source: 'Bill_Day__c' },
        after: null,
        fields: ['source', 'target'],
      },
    ]);
    expect(diff.changed).toEqual([
      {
        section: 'fieldMappings',
        key: 'currency',
        before: { target: 'currency', source: 'CurrencyIsoCode' },
        after: { target: 'currency', source: 'CurrencyIsoCode', default: 'USD' },
        fields: ['default'],
      },
      {
        section: 'productCatalogue',
        key: 'SEAT',
        before: seat,
        after: { ...seat, ssp: '120' },
        fields: ['ssp'],
      },
      {
        section: 'systemsOfRecord',
        key: 'customerMaster',
        before: 'salesforce',
        after: 'billing',
        fields: [],
      },
    ]);
  });

  it('finds nothing between a version and itself, whatever the order of its entries', () => {
    const definition = {
      fieldMappings: [
        { target: 'a', source: 'A' },
        { target: 'b', source: 'B' },
      ],
      productCatalogue: [seat],
    };
    const shuffled = { ...definition, fieldMappings: [...definition.fieldMappings].reverse() };
    expect(diffMappings({ version: 3, definition }, { version: 3, definition: shuffled })).toEqual({
      from: 3,
      to: 3,
      added: [],
      removed: [],
      changed: [],
    });
  });
});
