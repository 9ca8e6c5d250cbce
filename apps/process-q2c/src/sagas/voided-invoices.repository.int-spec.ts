import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../database';
import type { VoidedInvoice } from './voided-invoices.repository';
import { VoidedInvoices } from './voided-invoices.repository';

const voided = (invoiceId: string, reversal: string | null): VoidedInvoice => ({
  invoiceId,
  status: 'void',
  customerId: 'cus_1',
  totalMinor: '1200000',
  currency: 'USD',
  voidedOn: '2026-01-05',
  sagaId: null,
  reversalExternalId: reversal,
  reversalOn: reversal ? '2026-01-01' : null,
});

/** Which ERP invoices a billing invoice's void reverses, and which void an ERP posting finds waiting for it. */
describe('VoidedInvoices', () => {
  let db: TestDatabase;
  const voids = new VoidedInvoices();
  const sagaA = randomUUID();
  const sagaB = randomUUID();

  const saga = (sagaId: string, contractId: string, invoices: object[]) =>
    db.dataSource.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id",
         "committed_at", "data")
       VALUES ($1, $2, 'booking', $3, 'completed', 'done', $4, now(), $5)`,
      [
        sagaId,
        randomUUID(),
        contractId,
        randomUUID(),
        JSON.stringify({ invoices, creditNotes: [], pending: [] }),
      ],
    );
  const usageCommand = (sagaId: string, invoiceId: string, contractId: string) =>
    db.dataSource.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       VALUES ($1, $2, 'usage', 'erp.post-invoice', 'sent', $3, $4)`,
      [
        `usage-invoice:${invoiceId}:${contractId}`,
        sagaId,
        `INV-${invoiceId}-${contractId}`,
        JSON.stringify({ tranDate: '2026-04-01' }),
      ],
    );

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    await saga(sagaA, 'C-A', [{ documentId: 'in_1', erpExternalId: 'INV-in_1', issuedOn: '2026-01-01' }]);
    await saga(sagaB, 'C-B', [{ documentId: 'in_2', erpExternalId: 'INV-in_2', issuedOn: '2026-02-01' }]);
    await usageCommand(sagaA, 'in_u', 'C-A');
    await usageCommand(sagaB, 'in_u', 'C-B');
    // An id that only looks like a prefix of another (LIKE's `_` is a wildcard: it must not match).
    await usageCommand(sagaB, 'inXu', 'C-B');
  });
  afterAll(async () => {
    await db.drop();
  });

  it("finds the saga's own ERP invoice, and each contract's usage invoice, of a billing invoice", async () => {
    const manager = db.dataSource.manager;
    expect(await voids.postedFor(manager, 'in_1')).toEqual([
      { sagaId: sagaA, externalId: 'INV-in_1', tranDate: '2026-01-01', source: 'saga' },
    ]);
    expect(await voids.postedFor(manager, 'in_u')).toEqual([
      { sagaId: sagaA, externalId: 'INV-in_u-C-A', tranDate: '2026-04-01', source: 'usage' },
      { sagaId: sagaB, externalId: 'INV-in_u-C-B', tranDate: '2026-04-01', source: 'usage' },
    ]);
    expect(await voids.postedFor(manager, 'in_9')).toEqual([]);
  });

  it('finds the void waiting for an ERP invoice only when no reversal was asked for it', async () => {
    // Read under a row lock, as the handlers do: inside a transaction.
    await db.dataSource.transaction(async (manager) => {
      await voids.save(manager, voided('in_1', null));
      await voids.save(manager, voided('in_2', 'VOID-INV-in_2'));
      expect((await voids.unreversedFor(manager, 'INV-in_1'))?.invoiceId).toBe('in_1');
      expect((await voids.unreversedFor(manager, 'INV-in_1-C-A'))?.invoiceId).toBe('in_1');
      expect(await voids.unreversedFor(manager, 'INV-in_10')).toBeNull();
      expect(await voids.unreversedFor(manager, 'INV-in_2')).toBeNull();
      // An upsert moves the status on and keeps one row.
      await voids.save(manager, { ...voided('in_1', 'VOID-INV-in_1'), status: 'uncollectible' });
      expect(await voids.lock(manager, 'in_1')).toMatchObject({
        status: 'uncollectible',
        reversalExternalId: 'VOID-INV-in_1',
        totalMinor: '1200000',
        voidedOn: '2026-01-05',
      });
      expect(await voids.unreversedFor(manager, 'INV-in_1')).toBeNull();
    });
  });
});
