import { describe, expect, it } from 'vitest';
import { itemsOf, readOne, readPath } from './record-paths';

const order = {
  Id: '801000000000001AAA',
  Account: { Id: '001000000000001AAA', Revline_Billing_Id__c: 'cus_123' },
  OrderItems: {
    totalSize: 2,
    records: [
      { Id: '802A', Quantity: 10, Product2: { ProductCode: 'SEAT' } },
      { Id: '802B', Quantity: 1, Product2: null },
    ],
  },
};

describe('record paths', () => {
  it('reads a field of a parent relationship, custom fields included', () => {
    expect(readOne(order, 'Account.Revline_Billing_Id__c')).toBe('cus_123');
  });

  it('walks a SOQL sub-query collection and skips null relationships', () => {
    expect(readPath(order, 'OrderItems[].Product2.ProductCode')).toEqual(['SEAT']);
    expect(readPath(order, 'OrderItems[].Quantity')).toEqual([10, 1]);
  });

  it('walks a plain array as a collection too', () => {
    expect(readPath({ OrderItems: [{ Id: 'a' }, { Id: 'b' }] }, 'OrderItems[].Id')).toEqual(['a', 'b']);
  });

  it('gives nothing for a missing field or a non-collection', () => {
    expect(readPath(order, 'Account.Missing__c')).toEqual([]);
    expect(readPath(order, 'Id[].X')).toEqual([]);
    expect(itemsOf({ records: 'no' })).toEqual([]);
  });
});
