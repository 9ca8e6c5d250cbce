import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';

interface Saga {
  contractId: string;
  status: string;
  step: string;
  kind?: string;
}

/**
 * The contracts list and lifecycle on seeded contracts and sagas: one in sync, one with an amendment parked after
 * the ERP refused its invoice, one with an amendment waiting for its invoice.
 */
describe('contracts and their lifecycle (process-q2c)', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let viewer: string;

  const contract = async (contractId: string, account: string): Promise<void> => {
    await db.dataSource.query(
      `INSERT INTO "q2c"."contracts" ("contract_id", "salesforce_account_id", "currency", "term_start", "term_end", "status", "lines", "last_event_id")
       VALUES ($1, $2, 'USD', '2026-01-01', '2026-12-31', 'active', '[]', $3)`,
      [contractId, account, randomUUID()],
    );
  };
  const saga = async (s: Saga): Promise<string> => {
    const sagaId = randomUUID();
    const correlationId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at", "data", "completed_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), '{"invoices":[],"creditNotes":[],"pending":[]}', CASE WHEN $5 = 'completed' THEN now() END)`,
      [sagaId, randomUUID(), s.kind ?? 'booking', s.contractId, s.status, s.step, correlationId],
    );
    return sagaId;
  };
  const command = async (sagaId: string, job: string, status: 'sent' | 'confirmed'): Promise<void> => {
    await db.dataSource.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "payload")
       VALUES ($1, $2, 'x', $3, $4, '{}')`,
      [randomUUID(), sagaId, job, status],
    );
  };
  const hop = async (sagaId: string, system: string, objectType: string, status: string): Promise<void> => {
    await db.dataSource.query(
      `INSERT INTO "q2c"."lineage" ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "occurred_at")
       SELECT "contract_id", $2, $3, $4, $5, "correlation_id", now() FROM "q2c"."sagas" WHERE "saga_id" = $1`,
      [sagaId, system, objectType, randomUUID(), status],
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { RECONCILIATION_CRON: 'off' });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    await contract('801A', '001X');
    await contract('801B', '001X');
    await contract('801C', '001Y');
    for (const id of ['801A', '801B', '801C']) {
      const booking = await saga({ contractId: id, status: 'completed', step: 'done' });
      for (const job of ['crm.write-back', 'billing.apply-contract-change', 'erp.post-invoice'])
        await command(booking, job, 'confirmed');
    }
    const refused = await saga({
      contractId: '801B',
      status: 'parked',
      step: 'erp_document',
      kind: 'expansion',
    });
    await command(refused, 'billing.apply-contract-change', 'confirmed');
    await command(refused, 'erp.post-invoice', 'sent');
    await hop(refused, 'salesforce', 'Order', 'captured');
    await hop(refused, 'billing', 'Invoice', 'issued');
    await hop(refused, 'erp', 'invoice', 'rejected');
    const waiting = await saga({
      contractId: '801C',
      status: 'waiting',
      step: 'await_invoice',
      kind: 'expansion',
    });
    await command(waiting, 'billing.apply-contract-change', 'sent');
    await hop(waiting, 'salesforce', 'Order', 'captured');
  }, 120_000);

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  const list = async (
    query: string,
  ): Promise<{
    items: Array<{ contractId: string; lifecycleStatus: string }>;
    nextCursor: string | null;
  }> => {
    const res = await request(q2c.url).get(`/v1/contracts${query}`).set(bearer(viewer)).expect(200);
    return res.body as {
      items: Array<{ contractId: string; lifecycleStatus: string }>;
      nextCursor: string | null;
    };
  };

  it('gives each contract its lifecycle status and filters on it', async () => {
    const all = await list('');
    expect(all.items.map((c) => [c.contractId, c.lifecycleStatus])).toEqual([
      ['801A', 'in_sync'],
      ['801B', 'parked'],
      ['801C', 'in_flight'],
    ]);
    expect((await list('?status=parked')).items.map((c) => c.contractId)).toEqual(['801B']);
    expect((await list('?status=in_flight')).items.map((c) => c.contractId)).toEqual(['801C']);
    expect((await list('?status=in_sync')).items.map((c) => c.contractId)).toEqual(['801A']);
    expect((await list('?customer=001X')).items.map((c) => c.contractId)).toEqual(['801A', '801B']);
  });

  it('pages by cursor without losing or repeating a contract', async () => {
    const first = await list('?limit=2');
    expect(first.items.map((c) => c.contractId)).toEqual(['801A', '801B']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`?limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((c) => c.contractId)).toEqual(['801C']);
    expect(second.nextCursor).toBeNull();
  });

  it('shows where a parked change stands in each system', async () => {
    const res = await request(q2c.url).get('/v1/contracts/801B/lifecycle').set(bearer(viewer)).expect(200);
    const [booking, expansion] = res.body.changes;
    expect(booking).toMatchObject({
      kind: 'booking',
      salesforce: { status: 'done', commandsSent: 1, commandsConfirmed: 1 },
      billing: { status: 'done' },
      erp: { status: 'done' },
    });
    expect(expansion).toMatchObject({
      kind: 'expansion',
      status: 'parked',
      step: 'erp_document',
      salesforce: {
        status: 'in_progress',
        commandsSent: 0,
        lastHop: { objectType: 'Order', status: 'captured' },
      },
      billing: { status: 'done', commandsSent: 1, commandsConfirmed: 1, lastHop: { status: 'issued' } },
      erp: { status: 'failed', commandsSent: 1, commandsConfirmed: 0, lastHop: { status: 'rejected' } },
    });
    const waiting = await request(q2c.url)
      .get('/v1/contracts/801C/lifecycle')
      .set(bearer(viewer))
      .expect(200);
    expect(waiting.body.changes[1]).toMatchObject({
      billing: { status: 'in_progress', commandsSent: 1, commandsConfirmed: 0 },
      erp: { status: 'not_started', commandsSent: 0, lastHop: null },
    });
  });
});
