import type { ContractBooked } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { SagaContext, SagaIdentity } from './erp-plan';
import { documentCommands } from './erp-plan';
import type { SagaDocument } from './saga-data';

const entry = (productCode: string, erpItemId: string, pobId: string) =>
  ({ productCode, erpItemId, pobId, productClass: 'subscription' }) as unknown as CatalogueEntry;

const line = (productCode: string, amountMinor: string) => ({
  lineId: productCode,
  productCode,
  netAmount: { amountMinor, currency: 'USD' },
});

const ctx: SagaContext = {
  history: {
    booking: {
      currency: 'USD',
      lines: [line('SEAT', '800000'), line('ANALYTICS', '400000')],
    } as unknown as ContractBooked,
    amendments: [],
  },
  catalogue: new Map([
    ['SEAT', entry('SEAT', 'ITEM-SEAT', 'POB-SEAT')],
    ['ANALYTICS', entry('ANALYTICS', 'ITEM-ANALYTICS', 'POB-ANALYTICS')],
  ]),
  before: [],
};

const saga = (invoice: SagaDocument): SagaIdentity =>
  ({
    eventId: 'evt-1',
    kind: 'booking',
    contractId: 'C-1',
    data: { invoices: [invoice], creditNotes: [] },
  }) as unknown as SagaIdentity;

const doc = (total: string, tax?: string): SagaDocument => ({
  documentId: 'in_1',
  number: null,
  total: { amountMinor: total, currency: 'USD' },
  ...(tax === undefined ? {} : { tax: { amountMinor: tax, currency: 'USD' } }),
  issuedOn: '2026-01-01',
  erpExternalId: 'INV-in_1',
});

const lines = (invoice: SagaDocument) => {
  const payload = documentCommands(saga(invoice), ctx, 'CUST-1', 'US').at(0)?.payload as {
    lines: Array<{ itemExternalId: string; amountMinor: string; taxMinor?: string }>;
  };
  return payload.lines.map((l) => [l.itemExternalId, l.amountMinor, l.taxMinor]);
};

describe('ERP invoice lines of a billing document', () => {
  it('post the total less its tax over the contract lines, and the tax beside them in the same proportions', () => {
    expect(lines(doc('1296000', '96000'))).toEqual([
      ['ITEM-SEAT', '800000', '64000'],
      ['ITEM-ANALYTICS', '400000', '32000'],
    ]);
  });

  it('carry no tax when the document has none, or was taken in before its tax was kept', () => {
    const untaxed = [
      ['ITEM-SEAT', '800000', undefined],
      ['ITEM-ANALYTICS', '400000', undefined],
    ];
    expect(lines(doc('1200000', '0'))).toEqual(untaxed);
    expect(lines(doc('1200000'))).toEqual(untaxed);
  });
});
