import type { ContractBooked } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { SagaContext, SagaIdentity } from './erp-plan';
import { documentCommands, servicePeriodOf } from './erp-plan';
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

describe('the service period of an ERP invoice', () => {
  const billed = (periodStart?: string, periodEnd?: string) => ({
    lineId: 'il_1',
    description: 'seats',
    amount: { amountMinor: '1200000', currency: 'USD' },
    proration: false,
    ...(periodStart ? { periodStart } : {}),
    ...(periodEnd ? { periodEnd } : {}),
  });

  it("is the billing lines' period, the exclusive end made inclusive", () => {
    expect(servicePeriodOf({ lines: [billed('2026-01-01', '2027-01-01')] })).toEqual({
      serviceStart: '2026-01-01',
      serviceEnd: '2026-12-31',
    });
    expect(
      servicePeriodOf({ lines: [billed('2026-03-15', '2027-01-01'), billed('2026-01-01', '2026-03-15')] }),
    ).toEqual({ serviceStart: '2026-01-01', serviceEnd: '2026-12-31' });
    expect(servicePeriodOf({ lines: [billed()] })).toEqual({});
  });

  it('goes on every line of the ERP invoice, and nowhere when the document has none', () => {
    const invoice = { ...doc('1200000'), serviceStart: '2026-01-01', serviceEnd: '2026-12-31' };
    const payload = documentCommands(saga(invoice), ctx, 'CUST-1', 'US').at(0)?.payload as {
      lines: Array<{ serviceStart?: string; serviceEnd?: string }>;
    };
    expect(payload.lines.map((l) => [l.serviceStart, l.serviceEnd])).toEqual([
      ['2026-01-01', '2026-12-31'],
      ['2026-01-01', '2026-12-31'],
    ]);
    const without = documentCommands(saga(doc('1200000')), ctx, 'CUST-1', 'US').at(0)?.payload as {
      lines: Array<{ serviceStart?: string }>;
    };
    expect(without.lines.every((l) => l.serviceStart === undefined)).toBe(true);
  });
});
