import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../database';
import type { SagaCommandRow } from './saga-commands.repository';
import { SagaCommandsRepository } from './saga-commands.repository';

/** The commands sagas send: recorded in one statement, confirmed in one, refused, found again. */
describe('SagaCommandsRepository', () => {
  let db: TestDatabase;
  const commands = new SagaCommandsRepository();
  const sagaId = randomUUID();
  const row = (key: string, fields: Partial<SagaCommandRow> = {}): SagaCommandRow => ({
    key,
    sagaId,
    step: 'revenue',
    job: 'erp.post-revenue-journal',
    status: 'sent',
    externalId: `JE-${key}`,
    payload: JSON.stringify({ externalId: `JE-${key}` }),
    ...fields,
  });
  const stored = (keys: string[]) =>
    db.dataSource.query<
      Array<{ idempotency_key: string; status: string; target_id: string | null; confirmed: boolean }>
    >(
      `SELECT "idempotency_key", "status", "target_id", "confirmed_at" IS NOT NULL AS "confirmed"
         FROM "q2c"."saga_commands" WHERE "idempotency_key" = ANY($1::text[]) ORDER BY "idempotency_key"`,
      [keys],
    );

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('records commands, keeping the first row of a key sent again', async () => {
    const manager = db.dataSource.manager;
    await commands.insert(manager, [
      row('k1', { job: 'erp.post-revenue', externalId: 'rv:C-1:1' }),
      row('k2'),
      row('k3', { status: 'confirmed', externalId: null }),
    ]);
    await commands.insert(manager, [row('k2', { externalId: 'JE-other' })]);
    await commands.insert(manager, []);
    const [payload] = await db.dataSource.query<Array<{ payload: unknown; external_id: string }>>(
      `SELECT "payload", "external_id" FROM "q2c"."saga_commands" WHERE "idempotency_key" = 'k2'`,
    );
    expect(payload).toEqual({ payload: { externalId: 'JE-k2' }, external_id: 'JE-k2' });
    expect((await stored(['k1', 'k2', 'k3'])).map((r) => r.status)).toEqual(['sent', 'sent', 'confirmed']);
    expect(await commands.sentBy(manager, 'k1')).toEqual({ sagaId, job: 'erp.post-revenue' });
    expect(await commands.sentBy(manager, 'k9')).toBeNull();
  });

  it('confirms a batch and its records in one statement, answering the external id each was sent under', async () => {
    const manager = db.dataSource.manager;
    await commands.insert(manager, [
      row('b1', { job: 'erp.post-revenue', externalId: 'rv:C-2:1' }),
      row('b2'),
      row('b3'),
    ]);
    const sent = await commands.confirm(manager, [
      { key: 'b2', targetId: '901' },
      { key: 'b3', targetId: null },
      { key: 'b1', targetId: '900' },
      { key: 'unknown', targetId: '1' },
    ]);
    expect(sent.get('b1')).toBe('rv:C-2:1');
    expect(sent.get('b2')).toBe('JE-b2');
    expect(sent.has('unknown')).toBe(false);
    expect(await stored(['b1', 'b2', 'b3'])).toEqual([
      { idempotency_key: 'b1', status: 'confirmed', target_id: '900', confirmed: true },
      { idempotency_key: 'b2', status: 'confirmed', target_id: '901', confirmed: true },
      { idempotency_key: 'b3', status: 'confirmed', target_id: null, confirmed: true },
    ]);
    expect((await commands.confirm(manager, [])).size).toBe(0);
  });

  it('rejects only still-sent commands, and tells a saga with a refused command', async () => {
    const manager = db.dataSource.manager;
    const other = randomUUID();
    await commands.insert(manager, [row('r1'), row('r2'), row('r3', { sagaId: other })]);
    await commands.confirm(manager, [{ key: 'r2', targetId: '7' }]);
    expect(await commands.hasRejected(manager, other)).toBe(false);
    await commands.rejectSent(manager, ['r1', 'r2', 'r3']);
    expect((await stored(['r1', 'r2', 'r3'])).map((r) => r.status)).toEqual([
      'rejected',
      'confirmed',
      'rejected',
    ]);
    expect(await commands.hasRejected(manager, other)).toBe(true);
  });
});
