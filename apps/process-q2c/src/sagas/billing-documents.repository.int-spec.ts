import type { BillingDocumentPayload } from '@revline/messaging';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../database';
import { BillingDocumentsRepository } from './billing-documents.repository';

type Line = BillingDocumentPayload['lines'][number];

const line = (lineId: string, fields: Partial<Line> = {}): Line => ({
  lineId,
  description: 'Seats',
  amount: { amountMinor: '120000', currency: 'USD' },
  proration: false,
  priceId: 'price_seat',
  ...fields,
});

const document = (
  documentId: string,
  fields: Partial<BillingDocumentPayload> = {},
): BillingDocumentPayload => ({
  documentId,
  customerId: 'cus_1',
  subscriptionId: 'sub_1',
  total: { amountMinor: '120000', currency: 'USD' },
  tax: { amountMinor: '0', currency: 'USD' },
  issuedOn: '2026-02-01',
  lines: [line(`${documentId}_l1`)],
  eventCreatedAt: '2026-02-01T00:00:00.000Z',
  ...fields,
});

/** The billing documents kept for the sagas: stored once, looked up unclaimed, claimed. */
describe('BillingDocumentsRepository', () => {
  let db: TestDatabase;
  const documents = new BillingDocumentsRepository();

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    const manager = db.dataSource.manager;
    // In the order they come (received_at): a proration, the renewal period's invoice, a usage invoice, a credit note.
    await documents.store(
      manager,
      'invoice',
      document('in_prorate', {
        issuedOn: '2026-01-15',
        lines: [line('p1', { proration: true, periodStart: '2027-01-01' })],
      }),
    );
    await documents.store(
      manager,
      'invoice',
      document('in_period', { issuedOn: '2027-01-01', lines: [line('r1', { periodStart: '2027-01-01' })] }),
    );
    await documents.store(
      manager,
      'invoice',
      document('in_usage', { issuedOn: '2027-02-01', lines: [line('u1', { priceId: 'price_metered' })] }),
    );
    await documents.store(
      manager,
      'credit_note',
      document('cn_1', { subscriptionId: undefined, total: { amountMinor: '5000', currency: 'USD' } }),
    );
  });
  afterAll(async () => {
    await db.drop();
  });

  it('keeps the first copy of a document delivered twice', async () => {
    const manager = db.dataSource.manager;
    await documents.store(manager, 'invoice', document('in_period', { issuedOn: '2099-01-01' }));
    expect((await documents.payload(manager, 'in_period'))?.issuedOn).toBe('2027-01-01');
    expect(await documents.payload(manager, 'in_none')).toBeNull();
    expect((await documents.invoicesOf(manager, 'sub_1')).map((d) => d.documentId)).toEqual([
      'in_prorate',
      'in_period',
      'in_usage',
    ]);
  });

  it("finds the unclaimed invoice of a renewal's period, and the first unclaimed non-usage invoice from a date", async () => {
    await db.dataSource.transaction(async (manager) => {
      expect(await documents.unclaimedPeriodInvoice(manager, 'sub_1', '2027-01-01', '')).toBe('in_period');
      expect(await documents.unclaimedPeriodInvoice(manager, 'sub_1', '2027-01-01', 'in_period')).toBeNull();
      expect(await documents.unclaimedPeriodInvoice(manager, 'sub_2', '2027-01-01', '')).toBeNull();
      expect(
        (await documents.unclaimedInvoiceFrom(manager, 'sub_1', '2026-12-01', ['price_metered']))?.documentId,
      ).toBe('in_period');
      expect(
        await documents.unclaimedInvoiceFrom(manager, 'sub_1', '2027-01-02', ['price_metered']),
      ).toBeNull();
    });
  });

  it('finds the credit note of an amount, and no document once a saga claimed it', async () => {
    const sagaId = randomUUID();
    await db.dataSource.transaction(async (manager) => {
      expect((await documents.unclaimedCreditNote(manager, 'cus_1', '5000'))?.documentId).toBe('cn_1');
      expect(await documents.unclaimedCreditNote(manager, 'cus_1', '5001')).toBeNull();
      await documents.claim(manager, 'cn_1', sagaId);
      await documents.claim(manager, 'in_period', sagaId);
      expect(await documents.unclaimedCreditNote(manager, 'cus_1', '5000')).toBeNull();
      expect(await documents.unclaimedPeriodInvoice(manager, 'sub_1', '2027-01-01', '')).toBeNull();
      expect(
        await documents.unclaimedInvoiceFrom(manager, 'sub_1', '2026-01-01', ['price_metered']),
      ).toMatchObject({
        documentId: 'in_prorate',
      });
    });
    const rows = await db.dataSource.query<Array<{ document_id: string }>>(
      `SELECT "document_id" FROM "q2c"."billing_documents" WHERE "saga_id" = $1 ORDER BY "document_id"`,
      [sagaId],
    );
    expect(rows.map((r) => r.document_id)).toEqual(['cn_1', 'in_period']);
  });
});
