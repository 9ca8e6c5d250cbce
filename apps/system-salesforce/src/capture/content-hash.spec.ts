import type { CrmOrder } from '@revline/crm-port';
import { describe, expect, it } from 'vitest';
import { isWriteBackOnly, orderContentHash } from './content-hash';

const order = (fields: Record<string, unknown>): CrmOrder =>
  ({
    fields,
    account: null,
    lines: [{ fields: { Id: 'L1', Quantity: 10 } }],
    products: [],
  }) as unknown as CrmOrder;

describe('order content hash', () => {
  it('ignores write-back fields and change stamps', () => {
    const before = order({
      Id: 'O1',
      Status: 'Activated',
      SystemModstamp: 'a',
      Revline_Integration_Status__c: null,
    });
    const after = order({
      Id: 'O1',
      Status: 'Activated',
      SystemModstamp: 'b',
      Revline_Integration_Status__c: 'Synced',
    });
    expect(orderContentHash(after)).toBe(orderContentHash(before));
  });

  it('changes when the commercial content changes, even within the same second', () => {
    const a = order({ Id: 'O1', PoNumber: 'A', SystemModstamp: 's' });
    const b = order({ Id: 'O1', PoNumber: 'B', SystemModstamp: 's' });
    expect(orderContentHash(a)).not.toBe(orderContentHash(b));
  });

  it('recognises a write-back-only change', () => {
    expect(isWriteBackOnly(['Revline_Billing_Id__c', 'LastModifiedDate'])).toBe(true);
    expect(isWriteBackOnly(['Status', 'Revline_Billing_Id__c'])).toBe(false);
    expect(isWriteBackOnly([])).toBe(false);
  });
});
