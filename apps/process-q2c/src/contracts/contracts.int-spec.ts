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
 * the ERP refused its invoice, one with an amendment waiting for its invoice, one whose amendment normalisation
 * refused; and two Revline has not booked: a refused booking, and a Salesforce contract an amendment waits for.
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

  const record = (kind: string, accountId: string) => ({
    kind,
    accountId,
    currency: 'USD',
    effectiveDate: '2026-03-15',
    endDate: '2026-12-31',
  });
  const payload = (recordId: string, rec: object) => ({
    objectType: 'Order',
    recordId,
    changeType: 'UPDATE',
    commitTimestamp: '2026-03-15T09:30:00.000Z',
    record: rec,
  });
  /** A capture normalisation refused: an exception on crm.record-changed naming the contract. */
  const refuseCapture = async (
    contractId: string,
    orderId: string,
    kind: string,
    status = 'open',
  ): Promise<string> => {
    const correlationId = randomUUID();
    await db.dataSource.query(
      `INSERT INTO "q2c"."exceptions" ("queue", "job", "idempotency_key", "envelope", "category", "reason", "correlation_id", "details", "status")
       VALUES ('crm.changes', 'crm.record-changed', $1, $2, 'unmapped_product', $3, $4, $5, $6)`,
      [
        randomUUID(),
        JSON.stringify({ payload: payload(orderId, record(kind, '001Z')) }),
        `Product X of order ${orderId} is not in the product catalogue`,
        correlationId,
        JSON.stringify({ contractId }),
        status,
      ],
    );
    return correlationId;
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

    // 801D: booked and in sync, but the capture of its amendment was refused.
    await contract('801D', '001Z');
    const dBooking = await saga({ contractId: '801D', status: 'completed', step: 'done' });
    await command(dBooking, 'crm.write-back', 'confirmed');
    await refuseCapture('801D', '801AmendD', 'amendment');
    // 801E: a booking refused, never stored; 801F: a refused booking since resolved (nothing to show).
    await refuseCapture('801E', '801E', 'new');
    await refuseCapture('801F', '801F', 'new', 'resolved');
    // 800P: a Salesforce contract whose booking has not arrived; an amendment of it waits.
    const waitingCorrelation = randomUUID();
    await db.dataSource.query(
      `INSERT INTO "q2c"."parked_events" ("wait_key", "job", "idempotency_key", "correlation_id", "reason", "envelope")
       VALUES ('salesforce-contract:800P', 'crm.record-changed', $1, $2, $3, $4)`,
      [
        randomUUID(),
        waitingCorrelation,
        'Order 801AmendP changes Salesforce contract 800P, whose booking Revline has not stored yet',
        JSON.stringify({ payload: payload('801AmendP', record('amendment', '001X')) }),
      ],
    );
    await db.dataSource.query(
      `INSERT INTO "q2c"."lineage" ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "occurred_at")
       VALUES (NULL, 'salesforce', 'Order', '801AmendP', 'captured', $1, '2026-03-15T09:30:00Z'),
              (NULL, 'revline', 'Order', '801AmendP', 'parked', $1, '2026-03-15T09:30:01Z')`,
      [waitingCorrelation],
    );
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

  it('gives each contract its lifecycle status and filters on it, those not booked included', async () => {
    const all = await list('');
    expect(all.items.map((c) => [c.contractId, c.lifecycleStatus])).toEqual([
      ['800P', 'parked'],
      ['801A', 'in_sync'],
      ['801B', 'failed'],
      ['801C', 'in_flight'],
      ['801D', 'parked'],
      ['801E', 'parked'],
    ]);
    expect(all.items.find((c) => c.contractId === '800P')).toEqual({
      contractId: '800P',
      customer: '001X',
      currency: 'USD',
      termStart: '2026-03-15',
      termEnd: '2026-12-31',
      contractStatus: 'not_booked',
      lifecycleStatus: 'parked',
      changes: 0,
      completed: 0,
      inFlight: 0,
      parked: 1,
      failed: 0,
      updatedAt: expect.any(String),
    });
    expect(all.items.find((c) => c.contractId === '801D')).toMatchObject({
      contractStatus: 'active',
      changes: 1,
      completed: 1,
      parked: 1,
      failed: 0,
    });
    // The ERP refused 801B's amendment: failed, the parked saga counted too.
    expect(all.items.find((c) => c.contractId === '801B')).toMatchObject({ parked: 1, failed: 1 });
    expect((await list('?status=parked')).items.map((c) => c.contractId)).toEqual(['800P', '801D', '801E']);
    expect((await list('?status=in_flight')).items.map((c) => c.contractId)).toEqual(['801C']);
    expect((await list('?status=in_sync')).items.map((c) => c.contractId)).toEqual(['801A']);
    expect((await list('?status=failed')).items.map((c) => c.contractId)).toEqual(['801B']);
    expect((await list('?customer=001X')).items.map((c) => c.contractId)).toEqual(['800P', '801A', '801B']);
    expect((await list('?updatedSince=2099-01-01T00:00:00Z')).items).toEqual([]);
  });

  it('pages by cursor without losing or repeating a contract, booked or not', async () => {
    const first = await list('?limit=2');
    expect(first.items.map((c) => c.contractId)).toEqual(['800P', '801A']);
    expect(first.nextCursor).not.toBeNull();
    const second = await list(`?limit=2&cursor=${first.nextCursor ?? ''}`);
    expect(second.items.map((c) => c.contractId)).toEqual(['801B', '801C']);
    const third = await list(`?limit=2&cursor=${second.nextCursor ?? ''}`);
    expect(third.items.map((c) => c.contractId)).toEqual(['801D', '801E']);
    expect(third.nextCursor).toBeNull();
    const parked: string[] = [];
    let cursor: string | null = null;
    do {
      const next: { items: Array<{ contractId: string }>; nextCursor: string | null } = await list(
        `?status=parked&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      );
      parked.push(...next.items.map((c) => c.contractId));
      cursor = next.nextCursor;
    } while (cursor && parked.length < 10);
    expect(parked).toEqual(['800P', '801D', '801E']);
  });

  it('gives a contract not booked a lifecycle: the amendment waiting for its booking, the booking refused', async () => {
    const waiting = await request(q2c.url)
      .get('/v1/contracts/800P/lifecycle')
      .set(bearer(viewer))
      .expect(200);
    expect(waiting.body.contract).toMatchObject({ contractStatus: 'not_booked', lifecycleStatus: 'parked' });
    expect(waiting.body.changes).toEqual([
      expect.objectContaining({
        sagaId: null,
        kind: 'amendment',
        status: 'parked',
        step: 'await_booking',
        committedAt: '2026-03-15T09:30:00.000Z',
        lastError:
          'Order 801AmendP changes Salesforce contract 800P, whose booking Revline has not stored yet',
        salesforce: expect.objectContaining({
          status: 'in_progress',
          lastHop: expect.objectContaining({ externalId: '801AmendP', status: 'captured' }),
        }),
        billing: expect.objectContaining({ status: 'not_started' }),
        erp: expect.objectContaining({ status: 'not_started' }),
      }),
    ]);
    const refusedBooking = await request(q2c.url)
      .get('/v1/contracts/801E/lifecycle')
      .set(bearer(viewer))
      .expect(200);
    expect(refusedBooking.body.changes).toEqual([
      expect.objectContaining({ kind: 'booking', status: 'parked', step: 'normalise', sagaId: null }),
    ]);
    const amended = await request(q2c.url)
      .get('/v1/contracts/801D/lifecycle')
      .set(bearer(viewer))
      .expect(200);
    expect(amended.body.changes.map((c: { kind: string; status: string }) => [c.kind, c.status])).toEqual([
      ['booking', 'completed'],
      ['amendment', 'parked'],
    ]);
    await request(q2c.url).get('/v1/contracts/801F/lifecycle').set(bearer(viewer)).expect(404);
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
