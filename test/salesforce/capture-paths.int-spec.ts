import { CrmPort } from '@revline/crm-port';
import type { CrmOrder } from '@revline/crm-port';
import type { CrmRecordChangedPayload } from '@revline/messaging';
import { OutboxMessageEntity } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, eventually, seedApiKey } from '@revline/testing';
import type { Connection } from 'jsforce';
import { generateKeyPairSync, sign } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import {
  activateOrders,
  createDraftOrders,
  SANDBOX_CREDENTIALS,
  loginToSandbox,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import { AppModule } from '../../apps/system-salesforce/src/app.module';
import { APP } from '../../apps/system-salesforce/src/app.info';
import { DATABASE } from '../../apps/system-salesforce/src/database';

const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const PRIVATE_PEM = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** Every system-salesforce here starts from these, so one test's settings never leak into the next. */
const BASE_ENV = {
  SALESFORCE_AUTH_FLOW: 'password',
  SALESFORCE_CAPTURE_ENABLED: 'true',
  SALESFORCE_MAX_CONCURRENCY: '8',
  SALESFORCE_POLL_INTERVAL_MS: '300',
  OUTBOX_RELAY: 'off',
};

describe('Salesforce capture paths against the sandbox: gaps, CPQ, deletes, limits, JWT, shared concurrency', () => {
  let sandbox: TestApp;
  let db: TestDatabase;
  let system: TestApp | undefined;
  let sales: Connection;
  let catalogue: Catalogue;
  let viewer: string;

  const startSystem = async (env: Record<string, string> = {}): Promise<TestApp> => {
    system = await createTestApp(AppModule, APP, { SALESFORCE_LOGIN_URL: sandbox.url, ...BASE_ENV, ...env });
    return system;
  };
  const stopSystem = async (): Promise<void> => {
    await system?.close();
    system = undefined;
  };
  const queued = async (): Promise<CrmRecordChangedPayload[]> => {
    const rows = await db.dataSource.getRepository(OutboxMessageEntity).findBy({ job: 'crm.record-changed' });
    return rows.map((r) => (r.envelope as { payload: CrmRecordChangedPayload }).payload);
  };
  const queuedFor = async (id: string): Promise<CrmRecordChangedPayload[]> =>
    (await queued()).filter((p) => p.recordId === id).sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0));
  const faults = (body: Record<string, unknown>) =>
    request(sandbox.url).post('/sandbox/faults').send(body).expect(200);
  const cdcSubscribed = async (): Promise<boolean> => {
    const res = await request(sandbox.url).get('/sandbox/cdc');
    return (res.body as { subscriptions: number }).subscriptions > 0;
  };
  const exactlyOnce = async (ids: readonly string[]): Promise<void> => {
    await eventually(async () => {
      const seen = new Set((await queued()).map((p) => p.recordId));
      return ids.every((id) => seen.has(id));
    }, 20_000);
    await new Promise((r) => setTimeout(r, 800));
    const rows = (await queued()).filter((p) => ids.includes(p.recordId));
    expect(rows).toHaveLength(ids.length);
    expect(new Set(rows.map((r) => r.recordId)).size).toBe(ids.length);
  };

  beforeAll(async () => {
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
      SANDBOX_SF_JWT_PUBLIC_KEY: PUBLIC_PEM,
    });
    db = await createTestDatabase(DATABASE);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    sales = await loginToSandbox(sandbox.url);
    catalogue = await seedCatalogue(sales);
  });

  afterAll(async () => {
    await stopSystem();
    await sandbox.close();
    await db.drop();
  });

  describe('with capture running', () => {
    // Made before capture starts, so the change feed never reads them as drafts after they were activated.
    let gapIds: string[];
    let overflowIds: string[];

    beforeAll(async () => {
      gapIds = await createDraftOrders(sales, catalogue, 120);
      overflowIds = await createDraftOrders(sales, catalogue, 150);
      // The poller waits ten minutes between runs: only a gap signal makes it poll in these tests.
      await startSystem({ SALESFORCE_POLL_INTERVAL_MS: '600000' });
      await eventually(cdcSubscribed);
    });

    afterAll(async () => {
      await faults({ gapRate: 0, dropRate: 0, forceGapOverflow: false, overflowAfter: 0 });
      await stopSystem();
    });

    it('queues changes published as GAP_ events (header and record ids only) once each', async () => {
      const ids = gapIds;
      await faults({ gapRate: 1, seed: 3 });
      await activateOrders(sales, ids);
      await faults({ gapRate: 0 });
      await exactlyOnce(ids);
    });

    it('backfills by polling after a GAP_OVERFLOW, so the records it stands for are queued once', async () => {
      const ids = overflowIds;
      await faults({ forceGapOverflow: true, overflowAfter: 20 });
      await activateOrders(sales, ids);
      // 20 arrive as change events; the other 130 only through the poll the overflow event starts.
      await exactlyOnce(ids);
      const byPoller = (await queued()).filter(
        (p) => ids.includes(p.recordId) && p.capturedBy.channel === 'poller',
      );
      expect(byPoller.length).toBeGreaterThanOrEqual(130);
    });

    it('queues a CPQ amendment with delta lines pointing at the revised line, and a renewal tied to its contract', async () => {
      const [orderId] = await createDraftOrders(sales, catalogue, 1);
      await activateOrders(sales, [orderId]);
      const contracted = await request(sandbox.url)
        .post('/sandbox/cpq/contracts')
        .send({ orderId, termMonths: 12 })
        .expect(201);
      const contractId = (contracted.body as { contractId: string }).contractId;
      const original = await eventually(async () => (await queuedFor(orderId)).at(-1));
      const seatLine = (original!.record as unknown as CrmOrder).lines[0];

      const amended = await request(sandbox.url)
        .post('/sandbox/cpq/amendments')
        .send({
          contractId,
          effectiveDate: '2026-03-15',
          changes: [{ orderItemId: seatLine.id, quantity: 15 }],
          additions: [{ pricebookEntryId: catalogue.analyticsEntryId, quantity: 1, unitPrice: 3000 }],
        })
        .expect(201);
      const amendmentId = (amended.body as { orderId: string }).orderId;
      await activateOrders(sales, [amendmentId]);
      const amendment = (await eventually(async () => (await queuedFor(amendmentId)).at(0)))!
        .record as unknown as CrmOrder;
      expect(amendment).toMatchObject({ kind: 'amendment', contractId, effectiveDate: '2026-03-15' });
      const delta = amendment.lines.find((l) => l.revisesLineId !== null);
      const added = amendment.lines.find((l) => l.revisesLineId === null);
      expect(delta).toMatchObject({ revisesLineId: seatLine.id, quantity: '5', productCode: 'SEAT' });
      expect(delta?.fields.SBQQ__RevisedOrderProduct__c).toBe(seatLine.id);
      expect(added).toMatchObject({ quantity: '1', unitPrice: '3000', productCode: 'ANALYTICS' });
      expect(amendment.lines).toHaveLength(2);

      const renewed = await request(sandbox.url)
        .post('/sandbox/cpq/renewals')
        .send({ contractId })
        .expect(201);
      const renewalId = (renewed.body as { orderId: string }).orderId;
      await activateOrders(sales, [renewalId]);
      const renewal = (await eventually(async () => (await queuedFor(renewalId)).at(0)))!
        .record as unknown as CrmOrder;
      expect(renewal).toMatchObject({
        kind: 'renewal',
        renewsContractId: contractId,
        effectiveDate: '2027-01-01',
      });
      expect(renewal.fields.Type).toBe('Renewal');
      expect(renewal.lines.map((l) => [l.productCode, l.quantity]).sort()).toEqual([
        ['ANALYTICS', '1'],
        ['SEAT', '15'],
      ]);
    });

    it('queues a DELETE once for a deleted order it had queued, and nothing for a deleted draft', async () => {
      const [orderId, draftId] = await createDraftOrders(sales, catalogue, 2);
      await activateOrders(sales, [orderId]);
      await eventually(async () => (await queuedFor(orderId)).length === 1);
      await sales.sobject('Order').update({ Id: orderId, Status: 'Draft' });
      await sales.sobject('Order').destroy(orderId);
      await sales.sobject('Order').destroy(draftId);
      const deleted = await eventually(async () =>
        (await queuedFor(orderId)).find((p) => p.changeType === 'DELETE'),
      );
      expect(deleted).toMatchObject({ revision: 2, capturedBy: { channel: 'cdc' } });
      const record = deleted!.record as unknown as CrmOrder;
      expect(record).toMatchObject({ id: orderId, deleted: true });
      expect(record.lines).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 800));
      expect((await queuedFor(orderId)).map((p) => p.changeType)).toEqual(['CREATE', 'DELETE']);
      expect(await queuedFor(draftId)).toEqual([]);
    });
  });

  it('catches a delete the change feed dropped through the poller (queryAll), once', async () => {
    await startSystem();
    await eventually(cdcSubscribed);
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    await activateOrders(sales, [orderId]);
    await eventually(async () => (await queuedFor(orderId)).length === 1);
    await faults({ dropRate: 1 });
    await sales.sobject('Order').update({ Id: orderId, Status: 'Draft' });
    await sales.sobject('Order').destroy(orderId);
    const deleted = await eventually(
      async () => (await queuedFor(orderId)).find((p) => p.changeType === 'DELETE'),
      10_000,
    );
    await faults({ dropRate: 0 });
    expect(deleted!.capturedBy.channel).toBe('poller');
    await new Promise((r) => setTimeout(r, 800));
    expect((await queuedFor(orderId)).map((p) => p.changeType)).toEqual(['CREATE', 'DELETE']);
    await stopSystem();
  });

  it("backs off before the org's daily API limit, as Sforce-Limit-Info reports it", async () => {
    const app = await startSystem({ SALESFORCE_CAPTURE_ENABLED: 'false' });
    const crm = app.app.get(CrmPort);
    await crm.readAccount(catalogue.accountId);
    let started = Date.now();
    await crm.readAccount(catalogue.accountId);
    const unhurried = Date.now() - started;
    // 95% of the limit used: past the 90% budget, calls are spaced out.
    await faults({ apiLimit: 10_000, apiUsage: 9_500 });
    await crm.readAccount(catalogue.accountId);
    started = Date.now();
    await crm.readAccount(catalogue.accountId);
    const slowed = Date.now() - started;
    await faults({ apiLimit: 1_000_000, apiUsage: 0 });
    expect(slowed).toBeGreaterThanOrEqual(900);
    expect(unhurried).toBeLessThan(500);
    await stopSystem();
  });

  it('logs in by the JWT bearer flow with a key the connected app trusts, and not with another', async () => {
    const app = await startSystem({
      SALESFORCE_CAPTURE_ENABLED: 'false',
      SALESFORCE_AUTH_FLOW: 'jwt',
      SALESFORCE_JWT_PRIVATE_KEY: PRIVATE_PEM.replace(/\n/g, '\\n'),
    });
    const res = await request(app.url)
      .get(`/v1/accounts/${catalogue.accountId}`)
      .set(bearer(viewer))
      .expect(200);
    expect(res.body).toMatchObject({ id: catalogue.accountId, name: 'Acme Corp' });
    await stopSystem();

    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const encode = (v: object): string => Buffer.from(JSON.stringify(v)).toString('base64url');
    const body = `${encode({ alg: 'RS256' })}.${encode({
      iss: SANDBOX_CREDENTIALS.clientId,
      sub: SANDBOX_CREDENTIALS.username,
      aud: sandbox.url,
      exp: Math.floor(Date.now() / 1000) + 180,
    })}`;
    const refused = await request(sandbox.url)
      .post('/services/oauth2/token')
      .type('form')
      .send({
        grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
        assertion: `${body}.${sign('RSA-SHA256', Buffer.from(body), other).toString('base64url')}`,
      })
      .expect(400);
    expect(refused.body).toMatchObject({ error: 'invalid_grant' });
  });

  it("keeps two replicas together within the org's concurrency limit (a Redis semaphore)", async () => {
    const env = { SALESFORCE_CAPTURE_ENABLED: 'false', SALESFORCE_MAX_CONCURRENCY: '3' };
    const one = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      ...BASE_ENV,
      ...env,
    });
    const two = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      ...BASE_ENV,
      ...env,
    });
    try {
      const crms = [one.app.get(CrmPort), two.app.get(CrmPort)];
      await Promise.all(crms.map((crm) => crm.readAccount(catalogue.accountId)));
      await faults({ latencyMs: 60 });
      await request(sandbox.url).post('/sandbox/stats/reset').expect(200);
      await Promise.all(Array.from({ length: 24 }, (_, i) => crms[i % 2]?.readAccount(catalogue.accountId)));
      const stats = (await request(sandbox.url).get('/sandbox/stats').expect(200)).body as {
        maxInFlight: number;
      };
      expect(stats.maxInFlight).toBe(3);
    } finally {
      await faults({ latencyMs: 0 });
      await one.close();
      await two.close();
    }
  });
});
