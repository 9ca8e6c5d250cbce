import type { ContractBooked } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { ErpRevenueSchedulePayload } from '@revline/messaging';
import type { PlannedCommand, SagaContext, SagaIdentity } from './erp-plan';
import {
  customerCommand,
  documentCommands,
  foldedCommands,
  foldRevenue,
  revenueCommands,
  servicePeriodOf,
  withCustomer,
} from './erp-plan';
import type { RevenuePlan } from './revenue-plan';
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

describe('the revenue plan folded into the invoice (period close)', () => {
  const schedule = (obligationId: string, version = 1): ErpRevenueSchedulePayload => ({
    externalId: `rs:C-1:${obligationId}:${version}`,
    contractId: 'C-1',
    obligationId,
    scheduleVersion: version,
    currency: 'USD',
    periods: [
      { period: '2026-01', amountMinor: '600000' },
      { period: '2026-02', amountMinor: '600000' },
    ],
  });
  const revenue = (schedules: ErpRevenueSchedulePayload[], version = 1): PlannedCommand[] =>
    revenueCommands(saga(doc('1200000')), {
      contractId: 'C-1',
      currency: 'USD',
      subsidiary: 'US',
      version,
      schedules,
      journals: [],
    } as unknown as RevenuePlan);
  const invoiceLines = (commands: PlannedCommand[]) =>
    commands.flatMap((c) =>
      c.job === 'erp.post-invoice'
        ? c.payload.lines.map((l) => [l.itemExternalId, l.obligationId, l.revenueSchedule?.externalId])
        : [],
    );

  it("puts each obligation's schedule on the invoice line billing it, and sends no revenue batch", () => {
    const documents = documentCommands(saga(doc('1200000')), ctx, 'CUST-1', 'US');
    const folded = foldRevenue(documents, revenue([schedule('POB-SEAT'), schedule('POB-ANALYTICS')]));
    expect(folded.commands.map((c) => c.job)).toEqual(['erp.post-invoice']);
    expect(invoiceLines(folded.commands)).toEqual([
      ['ITEM-SEAT', 'POB-SEAT', 'rs:C-1:POB-SEAT:1'],
      ['ITEM-ANALYTICS', 'POB-ANALYTICS', 'rs:C-1:POB-ANALYTICS:1'],
    ]);
    const seat = folded.commands[0]?.job === 'erp.post-invoice' ? folded.commands[0].payload.lines[0] : null;
    expect(seat?.revenueSchedule).toEqual({
      externalId: 'rs:C-1:POB-SEAT:1',
      scheduleVersion: 1,
      periods: schedule('POB-SEAT').periods,
    });
    // Recorded beside the invoice under the invoice's external id; the saga's documents are left as they were.
    expect(folded.carried.map((b) => [b.externalId, b.schedules.map((x) => x.obligationId)])).toEqual([
      ['INV-in_1', ['POB-SEAT', 'POB-ANALYTICS']],
    ]);
    expect(invoiceLines(documents).map(([, , carried]) => carried)).toEqual([undefined, undefined]);
  });

  it("carries an amendment's own obligation on the line of the obligation it was made of, naming it", () => {
    const documents = documentCommands(saga(doc('1200000')), ctx, 'CUST-1', 'US');
    const folded = foldRevenue(documents, revenue([schedule('POB-SEAT@am-1', 2)], 2));
    expect(invoiceLines(folded.commands)).toEqual([
      ['ITEM-SEAT', 'POB-SEAT@am-1', 'rs:C-1:POB-SEAT@am-1:2'],
      ['ITEM-ANALYTICS', 'POB-ANALYTICS', undefined],
    ]);
  });

  it('keeps in the batch a schedule no invoice line bills, and everything when the saga has no invoice', () => {
    const documents = documentCommands(saga(doc('1200000')), ctx, 'CUST-1', 'US');
    const folded = foldRevenue(documents, revenue([schedule('POB-SEAT'), schedule('POB-SUPPORT')]));
    expect(folded.commands.map((c) => c.job)).toEqual(['erp.post-invoice', 'erp.post-revenue']);
    const batch = folded.commands[1];
    expect(
      batch.job === 'erp.post-revenue' ? batch.payload.schedules.map((x) => x.obligationId) : [],
    ).toEqual(['POB-SUPPORT']);
    expect(batch.key).toBe('saga:evt-1:rv:C-1:1');

    const none = foldRevenue([], revenue([schedule('POB-SEAT')]));
    expect(none.commands.map((c) => c.job)).toEqual(['erp.post-revenue']);
    expect(none.carried).toEqual([]);
  });

  it('is what a replay compares: the folded invoice and a record per carried schedule', () => {
    const documents = documentCommands(saga(doc('1200000')), ctx, 'CUST-1', 'US');
    const commands = foldedCommands(saga(doc('1200000')), documents, revenue([schedule('POB-SEAT')]));
    expect(commands.map((c) => [c.job, c.key])).toEqual([
      ['erp.post-invoice', 'saga:evt-1:erp-invoice:in_1'],
      ['erp.upsert-revenue-schedule', 'saga:evt-1:rs:C-1:POB-SEAT:1'],
    ]);
  });
});

describe("a booking's ERP customer", () => {
  const booking = (erpCustomerId?: string) =>
    ({
      ...ctx,
      history: {
        ...ctx.history,
        booking: {
          ...ctx.history.booking,
          customer: { name: 'Acme', currency: 'USD', ...(erpCustomerId ? { erpCustomerId } : {}) },
        },
      },
    }) as SagaContext;
  const identity = (erpCustomerId?: string): SagaIdentity =>
    ({
      ...saga(doc('1200000')),
      data: { salesforceAccountId: '001A', invoices: [doc('1200000')], creditNotes: [], erpCustomerId },
    }) as unknown as SagaIdentity;

  it('is upserted unless the booking names its ERP id', () => {
    expect(customerCommand(identity(), booking(), 'US')).toMatchObject({
      job: 'erp.upsert-customer',
      key: 'saga:evt-1:erp-customer',
      externalId: 'CUST-001A',
      payload: { externalId: 'CUST-001A', name: 'Acme', subsidiary: 'US', currency: 'USD' },
    });
    expect(customerCommand(identity(), booking('CUST-9'), 'US')).toBeNull();
  });

  it('rides on every invoice of the step under its key, and on nothing when no invoice goes out', () => {
    const customer = customerCommand(identity(), booking(), 'US');
    if (!customer) throw new Error('expected a customer command');
    const documents = documentCommands(identity(), ctx, 'CUST-001A', 'US');
    const carrying = withCustomer(documents, customer);
    expect(carrying?.map((c) => c.job)).toEqual(['erp.post-invoice']);
    expect(carrying?.[0]?.payload).toMatchObject({
      customerExternalId: 'CUST-001A',
      customer: { key: 'erp-customer', externalId: 'CUST-001A', name: 'Acme' },
    });
    expect(documents[0]?.payload).not.toHaveProperty('customer');
    expect(withCustomer([], customer)).toBeNull();
  });
});
