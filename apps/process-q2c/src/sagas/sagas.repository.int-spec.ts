import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../database';
import { LineageRecorder } from '../lineage/lineage-recorder';
import type { SagaData } from './saga-data';
import { SagaCommandsRepository } from './saga-commands.repository';
import { SagaEntity } from './saga.entity';
import { SagasRepository } from './sagas.repository';

const data = (fields: Partial<SagaData> = {}): SagaData => ({
  salesforceOrderId: 'O-1',
  salesforceAccountId: 'A-1',
  currency: 'USD',
  pending: [],
  invoices: [],
  creditNotes: [],
  ...fields,
});

/** Saga ids in the order the sagas are made (as uuid v7 ids are in the order the sagas start). */
let made = 0;
const nextSagaId = (): string => `0190a000-0000-7000-8000-${String(++made).padStart(12, '0')}`;

const newSaga = (
  contractId: string,
  kind: string,
  step: string,
  fields: Partial<SagaData> = {},
): SagaEntity =>
  Object.assign(new SagaEntity(), {
    sagaId: nextSagaId(),
    eventId: randomUUID(),
    kind,
    contractId,
    status: 'running',
    step,
    correlationId: randomUUID(),
    committedAt: new Date('2026-01-05T10:00:00.000Z'),
    slaDeadline: null,
    lastError: null,
    completedAt: null,
    data: data(fields),
  });

/** The saga rows: written back in one statement, read under lock, and found by contract and by what they wait for. */
describe('SagasRepository', () => {
  let db: TestDatabase;
  const sagas = new SagasRepository();

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('inserts a new saga, updates it on the next save, and reads it back as it was saved', async () => {
    const saga = newSaga('C-1', 'booking', 'billing_change');
    await db.dataSource.transaction(async (manager) => {
      await sagas.save(manager, saga);
    });
    expect(saga.startedAt).toBeInstanceOf(Date);
    await db.dataSource.transaction(async (manager) => {
      const locked = await sagas.lock(manager, saga.sagaId);
      expect(locked).toBeInstanceOf(SagaEntity);
      expect(locked).toMatchObject({
        sagaId: saga.sagaId,
        eventId: saga.eventId,
        kind: 'booking',
        contractId: 'C-1',
        status: 'running',
        step: 'billing_change',
        correlationId: saga.correlationId,
        slaDeadline: null,
        data: saga.data,
      });
      expect(locked?.committedAt.toISOString()).toBe('2026-01-05T10:00:00.000Z');
      locked!.status = 'waiting';
      locked!.step = 'billing_change';
      locked!.slaDeadline = new Date('2026-01-05T10:15:00.000Z');
      locked!.data.pending.push('saga:e:billing');
      locked!.data.billingCustomerId = 'cus_1';
      await sagas.save(manager, locked!);
    });
    const [row] = await db.dataSource.query<
      Array<{ status: string; step: string; sla_deadline: Date; data: SagaData; count: number }>
    >(
      `SELECT "status", "step", "sla_deadline", "data", (SELECT count(*)::int FROM "q2c"."sagas") AS "count"
         FROM "q2c"."sagas" WHERE "saga_id" = $1`,
      [saga.sagaId],
    );
    expect(row).toMatchObject({ status: 'waiting', step: 'billing_change', count: 1 });
    expect(row.sla_deadline.toISOString()).toBe('2026-01-05T10:15:00.000Z');
    expect(row.data).toMatchObject({ pending: ['saga:e:billing'], billingCustomerId: 'cus_1' });
    expect(await sagas.lock(db.dataSource.manager, randomUUID())).toBeNull();
  });

  it("finds a contract's sagas before and after one, and its booking's ERP customer", async () => {
    const booking = newSaga('C-2', 'booking', 'done', { erpCustomerExternalId: 'CUST-A-2' });
    const expansion = newSaga('C-2', 'expansion', 'billing_change');
    const renewal = newSaga('C-2', 'renewal', 'billing_change');
    const elsewhere = newSaga('C-3', 'booking', 'billing_change');
    booking.status = 'completed';
    const manager = db.dataSource.manager;
    for (const saga of [booking, expansion, renewal, elsewhere]) await sagas.save(manager, saga);

    expect(await sagas.predecessors(manager, 'C-2', renewal.sagaId)).toEqual([
      { status: 'running', data: expansion.data },
      { status: 'completed', data: booking.data },
    ]);
    expect(await sagas.predecessors(manager, 'C-2', booking.sagaId)).toEqual([]);
    expect(await sagas.successor(manager, 'C-2', booking.sagaId)).toBe(expansion.sagaId);
    expect(await sagas.successor(manager, 'C-2', renewal.sagaId)).toBeNull();
    expect(await sagas.bookingErpCustomer(manager, 'C-2')).toBe('CUST-A-2');
    expect(await sagas.bookingErpCustomer(manager, 'C-3')).toBeNull();
    expect(await sagas.bookingErpCustomer(manager, 'C-9')).toBeNull();
  });

  it('finds the saga waiting for a billing document, never a completed one', async () => {
    const manager = db.dataSource.manager;
    const charge = newSaga('C-4', 'expansion', 'await_invoice', { awaitingInvoiceId: 'in_4' });
    const renewal = newSaga('C-5', 'renewal', 'await_invoice', {
      awaitingRenewalFrom: '2027-01-01',
      subscriptionId: 'sub_5',
    });
    const ramp = newSaga('C-6', 'ramp_step', 'await_phase_invoice', { subscriptionId: 'sub_6' });
    const credit = newSaga('C-7', 'reduction', 'await_credit_note', { billingCustomerId: 'cus_7' });
    const completed = newSaga('C-8', 'expansion', 'done', { awaitingInvoiceId: 'in_8' });
    completed.status = 'completed';
    for (const saga of [charge, renewal, ramp, credit, completed]) await sagas.save(manager, saga);

    const waiting = (saga: SagaEntity): unknown =>
      expect.objectContaining({
        sagaId: saga.sagaId,
        contractId: saga.contractId,
        correlationId: saga.correlationId,
        step: saga.step,
        data: saga.data,
      });
    expect(await sagas.awaitingInvoice(manager, 'in_4', [], 'sub_x')).toEqual(waiting(charge));
    expect(await sagas.awaitingInvoice(manager, 'in_x', ['2026-12-01', '2027-01-01'], 'sub_5')).toEqual(
      waiting(renewal),
    );
    expect(await sagas.awaitingInvoice(manager, 'in_x', ['2027-01-01'], 'sub_other')).toBeNull();
    expect(await sagas.awaitingInvoice(manager, 'in_8', [], '')).toBeNull();
    expect(await sagas.awaitingPhaseInvoice(manager, 'sub_6')).toEqual(waiting(ramp));
    expect(await sagas.awaitingPhaseInvoice(manager, 'sub_5')).toBeNull();
    expect(await sagas.awaitingCreditNote(manager, 'cus_7')).toEqual(waiting(credit));
    expect(await sagas.awaitingCreditNote(manager, 'cus_4')).toBeNull();
  });

  it('finds the saga that sent a command by its key, locked, with the command job; nothing for an unknown key', async () => {
    const saga = newSaga('C-9', 'booking', 'erp_document', { pending: ['saga:k:erp-invoice'] });
    await db.dataSource.transaction(async (manager) => {
      await sagas.save(manager, saga);
      await new SagaCommandsRepository().insert(manager, [
        {
          key: 'saga:k:erp-invoice',
          sagaId: saga.sagaId,
          step: 'erp_document',
          job: 'erp.post-invoice',
          status: 'sent',
          externalId: 'INV-1',
          payload: '{}',
        },
      ]);
    });
    await db.dataSource.transaction(async (manager) => {
      const found = await sagas.lockBySentCommand(manager, 'saga:k:erp-invoice');
      expect(found?.job).toBe('erp.post-invoice');
      expect(found?.saga).toMatchObject({ sagaId: saga.sagaId, contractId: 'C-9', step: 'erp_document' });
      expect(found?.saga.data.pending).toEqual(['saga:k:erp-invoice']);
      // Another transaction cannot lock the saga while this one holds it.
      const other = await db.dataSource.query<Array<{ saga_id: string }>>(
        `SELECT "saga_id" FROM "q2c"."sagas" WHERE "saga_id" = $1 FOR UPDATE SKIP LOCKED`,
        [saga.sagaId],
      );
      expect(other).toEqual([]);
      expect(await sagas.lockBySentCommand(manager, 'saga:k:unknown')).toBeNull();
    });
  });
  it("locks the sagas that sent a batch's commands in one statement, in saga order, one entity per saga; an unknown key is absent", async () => {
    const first = newSaga('C-20', 'booking', 'write_back', { pending: ['wb:first', 'wb:first-account'] });
    const second = newSaga('C-21', 'booking', 'write_back', { pending: ['wb:second'] });
    const command = (key: string, saga: SagaEntity) => ({
      key,
      sagaId: saga.sagaId,
      step: 'write_back',
      job: 'crm.write-back',
      status: 'sent' as const,
      externalId: null,
      payload: '{}',
    });
    await db.dataSource.transaction(async (manager) => {
      await sagas.save(manager, first);
      await sagas.save(manager, second);
      await new SagaCommandsRepository().insert(manager, [
        command('wb:second', second),
        command('wb:first-account', first),
        command('wb:first', first),
      ]);
    });
    await db.dataSource.transaction(async (manager) => {
      const found = await sagas.lockAllBySentCommands(manager, [
        'wb:second',
        'wb:unknown',
        'wb:first',
        'wb:first-account',
      ]);
      expect(found.map((f) => [f.key, f.saga.sagaId, f.job])).toEqual([
        ['wb:first', first.sagaId, 'crm.write-back'],
        ['wb:first-account', first.sagaId, 'crm.write-back'],
        ['wb:second', second.sagaId, 'crm.write-back'],
      ]);
      expect(found[0]?.saga).toBe(found[1]?.saga);
      expect(found[2]?.saga).toMatchObject({ contractId: 'C-21', data: { pending: ['wb:second'] } });
      const other = await db.dataSource.query<Array<{ saga_id: string }>>(
        `SELECT "saga_id" FROM "q2c"."sagas" WHERE "saga_id" = ANY($1) FOR UPDATE SKIP LOCKED`,
        [[first.sagaId, second.sagaId]],
      );
      expect(other).toEqual([]);
    });
  });

  it('inside a lineage batch, writes the saga rows at its end in one statement, or first when a read needs them', async () => {
    const recorder = new LineageRecorder(db.dataSource);
    const commands = new SagaCommandsRepository();
    const first = newSaga('C-10', 'booking', 'done', { pending: ['saga:k10:write-back'] });
    const next = newSaga('C-10', 'expansion', 'billing_change');
    const count = async (manager: EntityManager): Promise<number> => {
      const rows = await manager.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS "n" FROM "q2c"."sagas" WHERE "contract_id" = 'C-10'`,
      );
      return rows[0]?.n ?? -1;
    };
    await db.dataSource.transaction(async (manager) => {
      await recorder.batch(manager, async () => {
        await sagas.save(manager, first);
        await sagas.save(manager, next);
        await commands.insert(manager, [
          {
            key: 'saga:k10:write-back',
            sagaId: first.sagaId,
            step: 'write_back',
            job: 'crm.write-back',
            status: 'sent',
            externalId: 'O-1',
            payload: '{}',
          },
        ]);
        // Kept for the batch's end.
        expect(await count(manager)).toBe(0);
        // A read that needs them writes them first.
        const found = await sagas.lockBySentCommand(manager, 'saga:k10:write-back');
        expect(found).toMatchObject({
          job: 'crm.write-back',
          externalId: 'O-1',
          saga: { sagaId: first.sagaId },
        });
        expect(await count(manager)).toBe(2);
        await commands.confirmLater(manager, [{ key: 'saga:k10:write-back', targetId: 'T-10' }]);
        first.status = 'completed';
        first.data.pending = [];
        await sagas.save(manager, first);
        // Looked for in the statement that writes the completed saga (and the confirmation).
        expect(await sagas.successor(manager, 'C-10', first.sagaId)).toBe(next.sagaId);
        expect(first.updatedAt).toBeInstanceOf(Date);
      });
    });
    const [command] = await db.dataSource.query<Array<{ status: string; target_id: string }>>(
      `SELECT "status", "target_id" FROM "q2c"."saga_commands" WHERE "idempotency_key" = 'saga:k10:write-back'`,
    );
    expect(command).toEqual({ status: 'confirmed', target_id: 'T-10' });
    const manager = db.dataSource.manager;
    expect(await sagas.predecessors(manager, 'C-10', next.sagaId)).toEqual([
      { status: 'completed', data: first.data },
    ]);
  });
});
