import { createEnvelope, OutboxMessageEntity } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, eventually, seedApiKey } from '@revline/testing';
import type { Connection } from 'jsforce';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import {
  activateOrders,
  createDraftOrders,
  loginToSandbox,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import { AppModule } from '../../apps/system-salesforce/src/app.module';
import { APP } from '../../apps/system-salesforce/src/app.info';
import { DATABASE } from '../../apps/system-salesforce/src/database';
import { WriteBackHandler } from '../../apps/system-salesforce/src/write-back/write-back.handler';

describe('Salesforce change capture against the sandbox (jsforce end to end)', () => {
  let sandbox: TestApp;
  let db: TestDatabase;
  let system: TestApp | undefined;
  let sales: Connection;
  let catalogue: Catalogue;
  let admin: string;

  const startSystem = async (env: Record<string, string> = {}): Promise<TestApp> => {
    system = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      SALESFORCE_POLL_INTERVAL_MS: '300',
      OUTBOX_RELAY: 'off',
      ...env,
    });
    return system;
  };
  const stopSystem = async (): Promise<void> => {
    await system?.close();
    system = undefined;
  };
  const queued = async (): Promise<Array<{ recordId: string; key: string }>> => {
    const rows = await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job: 'crm.record-changed' });
    return rows.map((r) => ({
      recordId: (r.envelope as { payload: { recordId: string } }).payload.recordId,
      key: r.idempotencyKey,
    }));
  };
  const cdcSubscribed = async (): Promise<boolean> => {
    const res = await request(sandbox.url).get('/sandbox/cdc');
    return (res.body as { subscriptions: number }).subscriptions > 0;
  };

  beforeAll(async () => {
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    db = await createTestDatabase(DATABASE);
    admin = await seedApiKey(db.dataSource, ['integration.admin']);
    sales = await loginToSandbox(sandbox.url);
    catalogue = await seedCatalogue(sales);
    await startSystem();
    await eventually(cdcSubscribed);
  });

  afterAll(async () => {
    await stopSystem();
    await sandbox.close();
    await db.drop();
  });

  it('queues each of 1,000 orders activated in bursts exactly once, through drops, duplicates and a restart', async () => {
    const ids = await createDraftOrders(sales, catalogue, 1000);
    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ dropRate: 0.2, duplicateRate: 0.2, seed: 7 })
      .expect(200);
    for (let i = 0; i < 500; i += 100) await activateOrders(sales, ids.slice(i, i + 100));
    await stopSystem();
    for (let i = 500; i < 800; i += 100) await activateOrders(sales, ids.slice(i, i + 100));
    await startSystem();
    for (let i = 800; i < 1000; i += 100) await activateOrders(sales, ids.slice(i, i + 100));
    await eventually(async () => (await queued()).length >= 1000, 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const rows = await queued();
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.recordId))).toEqual(new Set(ids));
    await request(sandbox.url).post('/sandbox/faults').send({ dropRate: 0, duplicateRate: 0 }).expect(200);
  });

  it('queues a genuine second update made in the same second, and reads the order in Revline terms', async () => {
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    await activateOrders(sales, [orderId]);
    await eventually(async () => (await queued()).some((r) => r.recordId === orderId));
    await sales.sobject('Order').update({ Id: orderId, PoNumber: 'PO-2' });
    await eventually(async () => (await queued()).filter((r) => r.recordId === orderId).length === 2);
    const res = await request(system!.url).get(`/v1/orders/${orderId}`).set(bearer(admin)).expect(200);
    expect(res.body).toMatchObject({
      id: orderId,
      activated: true,
      kind: 'new',
      account: { name: 'Acme Corp' },
    });
    expect(res.body.lines[0]).toMatchObject({ quantity: '10', unitPrice: '1200', productCode: 'SEAT' });
  });

  it('writes back status, ids and an invoice idempotently, without a new crm.record-changed', async () => {
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    await activateOrders(sales, [orderId]);
    await eventually(async () => (await queued()).some((r) => r.recordId === orderId));
    const before = (await queued()).length;
    const handler = system!.app.get(WriteBackHandler);
    const envelope = createEnvelope(
      'crm.write-back',
      {
        objectType: 'Order',
        recordId: orderId,
        fields: { status: 'synced', billingId: 'sub_123', erpId: 'SO-9', correlationId: 'corr-1' },
        invoices: [
          {
            invoiceId: 'in_1',
            number: 'INV-1',
            amount: { amountMinor: '480000', currency: 'USD' },
            issuedOn: '2026-03-15',
            status: 'open',
          },
        ],
      },
      { idempotencyKey: `wb-${orderId}` },
    );
    const first = (await handler.writeBack(envelope)) as { changedFields: string[] };
    expect(first.changedFields.sort()).toEqual([
      'Revline_Billing_Id__c',
      'Revline_Correlation_Id__c',
      'Revline_ERP_Id__c',
      'Revline_Integration_Status__c',
    ]);
    const again = (await handler.writeBack(envelope)) as { changedFields: string[] };
    expect(again.changedFields).toEqual([]);
    const order = await sales.sobject('Order').retrieve(orderId);
    expect(order).toMatchObject({
      Revline_Integration_Status__c: 'Synced',
      Revline_Billing_Id__c: 'sub_123',
    });
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await queued()).length).toBe(before);
  });

  it('answers bad input to its routes with 4xx and queues nothing', async () => {
    const before = (await queued()).length;
    await request(system!.url)
      .post('/v1/backfills')
      .set(bearer(admin))
      .send({ from: 'yesterday' })
      .expect(400);
    await request(system!.url)
      .post('/v1/backfills')
      .set(bearer(admin))
      .send({ from: '2026-01-01T00:00:00Z', extra: 1 })
      .expect(400);
    await request(system!.url).post('/v1/backfills').send({ from: '2026-01-01T00:00:00Z' }).expect(401);
    await request(system!.url).get('/v1/orders/not-an-id').set(bearer(admin)).expect(400);
    await request(system!.url).get('/v1/orders/801000000000000AAA').set(bearer(admin)).expect(404);
    expect((await queued()).length).toBe(before);
    expect(await db.dataSource.query('SELECT count(*)::int AS n FROM "salesforce"."backfill"')).toEqual([
      { n: 0 },
    ]);
  });

  it("stamps a change captured from its change event with the event's commit time, to the millisecond", async () => {
    const position = async () =>
      (
        await db.dataSource.query<Array<{ replay_id: string }>>(
          `SELECT "replay_id" FROM "salesforce"."cdc_position"`,
        )
      )
        .map((r) => r.replay_id)
        .join();
    const before = await position();
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    // The draft's creation event handled first: were it read with the activation already made (both in the same
    // second), the capture would take the creation's commit, a few milliseconds earlier, for the activated state.
    await eventually(async () => (await position()) !== before);
    const requested = Date.now();
    await activateOrders(sales, [orderId]);
    const answered = Date.now();
    const row = await eventually(() =>
      db.dataSource
        .getRepository(OutboxMessageEntity)
        .findOneBy({ job: 'crm.record-changed', idempotencyKey: `salesforce:Order:${orderId}:r1` }),
    );
    const payload = (
      row!.envelope as { payload: { commitTimestamp: string; capturedBy: { channel: string } } }
    ).payload;
    expect(payload.capturedBy.channel).toBe('cdc');
    // SystemModstamp is kept to the second; the change event's commitTimestamp is the commit itself.
    const committed = Date.parse(payload.commitTimestamp);
    expect(committed).toBeGreaterThanOrEqual(requested);
    expect(committed).toBeLessThanOrEqual(answered);
  });

  it('backfills by polling when the stored replay id is past the 72-hour retention, losing nothing', async () => {
    await stopSystem();
    const ids = await createDraftOrders(sales, catalogue, 50);
    await activateOrders(sales, ids);
    await request(sandbox.url).post('/sandbox/clock/advance').send({ hours: 73 }).expect(200);
    await startSystem({ SALESFORCE_POLL_INTERVAL_MS: '600000' });
    await eventually(async () => {
      const rows = await queued();
      return ids.every((id) => rows.some((r) => r.recordId === id));
    }, 20_000);
    await eventually(cdcSubscribed);
    const later = await createDraftOrders(sales, catalogue, 1);
    await activateOrders(sales, later);
    await eventually(async () => (await queued()).some((r) => r.recordId === later[0]), 10_000);
    const res = await request(system!.url)
      .post('/v1/backfills')
      .set(bearer(admin))
      .send({ from: '2020-01-01T00:00:00Z' })
      .expect(202);
    const done = await eventually(async () => {
      const status = await request(system!.url)
        .get(`/v1/backfills/${res.body.id as string}`)
        .set(bearer(admin));
      const body = status.body as { status: string; ordersQueued: number };
      return body.status === 'completed' ? body : undefined;
    }, 20_000);
    expect(done?.ordersQueued).toBe(0);
    const rows = await queued();
    expect(rows.length).toBe(new Set(rows.map((r) => r.key)).size);
  });

  it("publishes a captured change as soon as its batch commits, not at the relay's next poll", async () => {
    await stopSystem();
    // The relay's own poll comes every 20 s: only the capture commit's wake publishes within seconds.
    await startSystem({ OUTBOX_RELAY: 'on', OUTBOX_POLL_MS: '20000', SALESFORCE_POLL_INTERVAL_MS: '600000' });
    await eventually(cdcSubscribed);
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    await activateOrders(sales, [orderId]);
    const row = await eventually(
      () =>
        db.dataSource
          .getRepository(OutboxMessageEntity)
          .findOneBy({ job: 'crm.record-changed', idempotencyKey: `salesforce:Order:${orderId}:r1` }),
      5_000,
    );
    const published = await eventually(async () => {
      const now = await db.dataSource.getRepository(OutboxMessageEntity).findOneBy({ id: row!.id });
      return now?.publishedAt ?? undefined;
    }, 5_000);
    expect(published?.getTime()).toBeLessThan(row!.createdAt.getTime() + 5_000);
  });
});
