import type { Envelope } from '@revline/messaging';
import { createEnvelope, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import {
  bearer,
  createTestApp,
  createTestDatabase,
  eventually,
  seedApiKey,
  waitForQueuesIdle,
} from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';
import { ParkedEventsRelay } from './parked-events.relay';
import {
  ACCOUNT_ID,
  bookingRecord,
  changedPayload,
  expansionRecord,
  item,
  orderRecord,
  SF_CONTRACT_ID,
} from '../shared/order-examples';

interface EventRow {
  event_type: string;
  contract_id: string;
  mapping_version: number;
  correlation_id: string;
  payload: { amendmentType?: string; lineDeltas?: Array<{ newQuantity: string }> };
}

describe('normalisation of crm.record-changed (process-q2c, real Postgres and Redis)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let queues: Queues;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP, { PARKED_SWEEP_MS: '200' });
    queues = test.app.get(Queues);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });

  afterAll(async () => {
    await (await queues.get('crm.changes')).obliterate({ force: true });
    await test.close();
    await db.drop();
  });

  const send = async (envelope: Envelope<'crm.record-changed'>): Promise<void> => {
    await queues.publish([envelope]);
    await waitForQueuesIdle([await queues.get('crm.changes')]);
  };

  const envelopeOf = (record: Record<string, unknown>, correlationId = randomUUID()) =>
    createEnvelope('crm.record-changed', changedPayload(record), {
      idempotencyKey: `sf:${String(record.Id)}:${randomUUID()}`,
      correlationId,
    });

  const events = (contractId?: string): Promise<EventRow[]> =>
    db.dataSource.query<EventRow[]>(
      `SELECT * FROM "q2c"."canonical_events" ${contractId ? 'WHERE "contract_id" = $1' : ''} ORDER BY "recorded_at"`,
      contractId ? [contractId] : [],
    );

  const count = async (sql: string, params: unknown[] = []): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(sql, params);
    return rows[0]?.n ?? 0;
  };

  it('stores a booking once, with its mapping version, even when delivered twice or captured twice', async () => {
    const record = bookingRecord({ Id: '801Dn00000BookOnce', ContractId: '800Dn00000Once0001' });
    const envelope = envelopeOf(record);
    await send(envelope);
    // The same message again (a redelivery under another job id): the inbox absorbs it.
    await queues.publish([{ ...envelope, messageId: randomUUID() }]);
    const queue = await queues.get('crm.changes');
    await queue.add(envelope.job, envelope, { jobId: `redelivery-${randomUUID()}` });
    await waitForQueuesIdle([queue]);
    // Another capture of the same activated order (a new message, a new idempotency key): the source key absorbs it.
    await send(envelopeOf(record));
    const stored = await events('801Dn00000BookOnce');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ event_type: 'ContractBooked', mapping_version: 1 });
    expect(
      await count(`SELECT count(*)::int AS n FROM "q2c"."inbox" WHERE "idempotency_key" = $1`, [
        envelope.idempotencyKey,
      ]),
    ).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM "q2c"."exceptions"`)).toBe(0);
  });

  it('refuses to change or delete a stored event (append-only trigger)', async () => {
    await expect(
      db.dataSource.query(`UPDATE "q2c"."canonical_events" SET "event_type" = 'X'`),
    ).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.dataSource.query(`DELETE FROM "q2c"."canonical_events"`)).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    expect((await events()).length).toBeGreaterThan(0);
  });

  it('parks an amendment that arrives before its booking, and resumes it by itself when the booking is stored', async () => {
    const correlation = randomUUID();
    await send(envelopeOf(expansionRecord(), correlation));
    expect(await events('801Dn00000Booking1')).toEqual([]);
    const parked = await db.dataSource.query<Array<{ status: string; wait_key: string }>>(
      `SELECT "status", "wait_key" FROM "q2c"."parked_events"`,
    );
    expect(parked).toEqual([{ status: 'parked', wait_key: `salesforce-contract:${SF_CONTRACT_ID}` }]);

    // The booking arrives, already contracted by CPQ (its ContractId names the contract the amendment amends).
    await send(envelopeOf(bookingRecord({ ContractId: SF_CONTRACT_ID })));
    await eventually(async () => (await events('801Dn00000Booking1')).length === 2);
    const stored = await events('801Dn00000Booking1');
    expect(stored.map((e) => e.event_type)).toEqual(['ContractBooked', 'ContractAmended']);
    expect(stored[1]?.payload).toMatchObject({
      amendmentType: 'expansion',
      lineDeltas: [{ newQuantity: '15' }],
    });
    expect(stored[1]?.correlation_id).toBe(correlation);
    const after = await db.dataSource.query<Array<{ status: string; republished_at: Date | null }>>(
      `SELECT "status", "republished_at" FROM "q2c"."parked_events"`,
    );
    expect(after[0]?.status).toBe('released');
    expect(after[0]?.republished_at).not.toBeNull();

    // The lineage tells the story: captured, parked, then normalised under the amendment's correlation id.
    const res = await request(test.url)
      .get('/v1/contracts/801Dn00000Booking1/lineage')
      .set(bearer(viewer))
      .expect(200);
    const change = (
      res.body as {
        changes: Array<{
          correlationId: string;
          lastStatus: string;
          hops: Array<{ system: string; status: string }>;
        }>;
      }
    ).changes.find((c) => c.correlationId === correlation);
    // Normalisation's own hops come first; the saga it starts adds its hops after them.
    expect(change?.hops.map((h) => `${h.system}:${h.status}`).slice(0, 4)).toEqual([
      'salesforce:captured',
      'revline:parked',
      'revline:normalised',
      'revline:started',
    ]);
  });

  it('links a booking to its Salesforce contract when CPQ contracts it later, which releases waiting amendments', async () => {
    const booking = bookingRecord({
      Id: '801Dn00000Later001',
      AccountId: '001Dn00000Later0AA',
      ContractId: null,
    });
    await send(envelopeOf(booking));
    const amendment = orderRecord({
      Id: '801Dn00000LaterAm1',
      Type: 'Amendment',
      EffectiveDate: '2026-10-01',
      ContractId: '800Dn00000Later001',
      AccountId: '001Dn00000Later0AA',
      items: [
        item({ Id: '802LATER1', code: 'SEAT', Quantity: -5, UnitPrice: 100, revises: '802Dn00000SeatsL01' }),
      ],
    });
    await send(envelopeOf(amendment));
    expect(await events('801Dn00000Later001')).toHaveLength(1);
    // CPQ contracts the order: a new capture of the same order, now with its ContractId.
    await send(envelopeOf({ ...booking, ContractId: '800Dn00000Later001' }));
    await eventually(async () => (await events('801Dn00000Later001')).length === 2);
    const stored = await events('801Dn00000Later001');
    expect(stored[1]?.payload.amendmentType).toBe('reduction');
  });

  it('links the contract when the capture naming it loses the race to store the booking to an earlier capture', async () => {
    const account = '001Dn00000Race00AA';
    const booking = bookingRecord({ Id: '801Dn00000Race0001', AccountId: account, ContractId: null });
    // The account's customer row exists, and this test holds it: a normalisation stores its event, then waits for the
    // row at its very end (recordCustomer), still holding the event's source key uncommitted.
    await db.dataSource.query(
      `INSERT INTO "q2c"."customers" ("salesforce_account_id", "currency", "recorded_from") VALUES ($1, 'USD', 'test')`,
      [account],
    );
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    const blocked = (n: number) =>
      eventually(async () => {
        const rows = await db.dataSource.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE "datname" = current_database() AND "wait_event_type" = 'Lock'`,
        );
        return (rows[0]?.n ?? 0) >= n ? true : undefined;
      }, 20_000);
    try {
      await holder.query(`SELECT 1 FROM "q2c"."customers" WHERE "salesforce_account_id" = $1 FOR UPDATE`, [
        account,
      ]);
      // The capture taken before CPQ contracted the order stores the booking and waits at the customer row…
      await queues.publish([envelopeOf(booking)]);
      await blocked(1);
      // …while the capture naming the contract finds no source yet and waits on the same event's key.
      await queues.publish([envelopeOf({ ...booking, ContractId: '800Dn00000Race0001' })]);
      await blocked(2);
    } finally {
      await holder.rollbackTransaction();
      await holder.release();
    }
    await waitForQueuesIdle([await queues.get('crm.changes')]);
    expect(await events('801Dn00000Race0001')).toHaveLength(1);
    // The booking is linked to its Salesforce contract: an amendment of that contract is stored, not parked.
    await send(
      envelopeOf(
        orderRecord({
          Id: '801Dn00000RaceAm01',
          Type: 'Amendment',
          EffectiveDate: '2026-10-01',
          ContractId: '800Dn00000Race0001',
          AccountId: account,
          items: [
            item({
              Id: '802RACE1',
              code: 'SEAT',
              Quantity: -5,
              UnitPrice: 100,
              revises: '802Dn00000SeatsL01',
            }),
          ],
        }),
      ),
    );
    await eventually(async () => (await events('801Dn00000Race0001')).length === 2);
    expect((await events('801Dn00000Race0001'))[1]?.payload.amendmentType).toBe('reduction');
  });

  it('turns a message parked too long into an unknown_contract exception', async () => {
    const orphan = expansionRecord({ Id: '801Dn00000Orphan01', ContractId: '800Dn00000Nowhere1' });
    const envelope = envelopeOf(orphan);
    await send(envelope);
    await db.dataSource.query(
      `UPDATE "q2c"."parked_events" SET "parked_at" = now() - interval '2 days' WHERE "idempotency_key" = $1`,
      [envelope.idempotencyKey],
    );
    // The sweep (every 200 ms here) or this call expires it, whichever comes first.
    await test.app.get(ParkedEventsRelay).expire();
    const rows = await eventually(async () => {
      const found = await db.dataSource.query<Array<{ category: string; reason: string }>>(
        `SELECT "category", "reason" FROM "q2c"."exceptions" WHERE "idempotency_key" = $1`,
        [envelope.idempotencyKey],
      );
      return found.length > 0 ? found : null;
    });
    const status = await db.dataSource.query<Array<{ status: string }>>(
      `SELECT "status" FROM "q2c"."parked_events" WHERE "idempotency_key" = $1`,
      [envelope.idempotencyKey],
    );
    expect(status).toEqual([{ status: 'expired' }]);
    expect(rows?.[0]?.category).toBe('unknown_contract');
    expect(rows?.[0]?.reason).toMatch(
      /Salesforce contract 800Dn00000Nowhere1, whose booking Revline has not stored yet; still unknown/,
    );
  });

  it('parks an invalid order as a business exception with a category and a plain reason, storing nothing', async () => {
    const envelope = envelopeOf(
      bookingRecord({ Id: '801Dn00000BadDate1', AccountId: ACCOUNT_ID, EndDate: '2025-06-30' }),
    );
    await send(envelope);
    const rows = await db.dataSource.query<Array<{ category: string; reason: string; status: string }>>(
      `SELECT "category", "reason", "status" FROM "q2c"."exceptions" WHERE "idempotency_key" = $1`,
      [envelope.idempotencyKey],
    );
    expect(rows).toEqual([
      {
        category: 'invalid_dates',
        reason: 'The term ends (2025-06-30) before it starts (2026-01-01)',
        status: 'open',
      },
    ]);
    expect(await events('801Dn00000BadDate1')).toEqual([]);
    expect(
      await count(`SELECT count(*)::int AS n FROM "q2c"."inbox" WHERE "idempotency_key" = $1`, [
        envelope.idempotencyKey,
      ]),
    ).toBe(0);
  });

  it("normalises with the version active when it runs, when another instance approved it (not in this one's memory)", async () => {
    // Version 2 drops SEAT from the catalogue; made active straight in the database, as another instance's approval
    // would, so this instance still holds version 1 in memory.
    const activate = async (version: number) => {
      await db.dataSource.transaction(async (manager) => {
        await manager.query(
          `UPDATE "q2c"."mapping_versions" SET "status" = 'superseded' WHERE "status" = 'active'`,
        );
        await manager.query(`UPDATE "q2c"."mapping_versions" SET "status" = 'active' WHERE "version" = $1`, [
          version,
        ]);
      });
    };
    await db.dataSource.query(
      `INSERT INTO "q2c"."mapping_versions"
         ("version", "status", "based_on_version", "definition", "summary", "proposed_by", "proposed_at")
       SELECT 2, 'proposed', 1,
              jsonb_set("definition", '{productCatalogue}', (
                SELECT jsonb_agg(e) FROM jsonb_array_elements("definition"->'productCatalogue') e
                 WHERE e->>'productCode' <> 'SEAT')),
              'No SEAT', 'test', now()
         FROM "q2c"."mapping_versions" WHERE "version" = 1`,
    );
    await activate(2);
    try {
      const refused = envelopeOf(bookingRecord({ Id: '801Dn00000MapVer01', ContractId: null }));
      await send(refused);
      expect(await events('801Dn00000MapVer01')).toEqual([]);
      const rows = await db.dataSource.query<Array<{ category: string }>>(
        `SELECT "category" FROM "q2c"."exceptions" WHERE "idempotency_key" = $1`,
        [refused.idempotencyKey],
      );
      expect(rows).toEqual([{ category: 'unmapped_product' }]);
    } finally {
      // Back to version 1, again behind this instance's back (it now holds version 2, which would refuse SEAT).
      await activate(1);
    }
    await send(envelopeOf(bookingRecord({ Id: '801Dn00000MapVer01', ContractId: null })));
    const stored = await events('801Dn00000MapVer01');
    expect(stored).toHaveLength(1);
    expect(stored[0]?.mapping_version).toBe(1);
  });

  it('refuses a booking in another currency than the one the customer master holds for its account', async () => {
    const account = '001Dn00000Euro00AA';
    await db.dataSource.query(
      `INSERT INTO "q2c"."customers" ("salesforce_account_id", "currency", "recorded_from") VALUES ($1, 'EUR', 'billing')`,
      [account],
    );
    const envelope = envelopeOf(
      bookingRecord({ Id: '801Dn00000Euro0001', AccountId: account, ContractId: null }),
    );
    await send(envelope);
    expect(await events('801Dn00000Euro0001')).toEqual([]);
    const rows = await db.dataSource.query<Array<{ category: string; reason: string }>>(
      `SELECT "category", "reason" FROM "q2c"."exceptions" WHERE "idempotency_key" = $1`,
      [envelope.idempotencyKey],
    );
    expect(rows).toEqual([
      {
        category: 'currency_mismatch',
        reason: "The order is in USD, but the customer's billing account is in EUR",
      },
    ]);
    // Once the customer master holds the order's currency, the booking goes through.
    await db.dataSource.query(
      `UPDATE "q2c"."customers" SET "currency" = 'USD' WHERE "salesforce_account_id" = $1`,
      [account],
    );
    await send(envelopeOf(bookingRecord({ Id: '801Dn00000Euro0001', AccountId: account, ContractId: null })));
    expect(await events('801Dn00000Euro0001')).toHaveLength(1);
  });

  it('ignores orders that are not activated', async () => {
    await send(envelopeOf(bookingRecord({ Id: '801Dn00000Draft001', Status: 'Draft' })));
    expect(await events('801Dn00000Draft001')).toEqual([]);
  });
});
