import type { TestApp } from '@revline/testing';
import { createTestApp } from '@revline/testing';
import { Connection } from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { SalesforceSandboxModule } from './salesforce-sandbox.module';
import type { Catalogue } from './testing/seed';
import { activateOrders, createDraftOrders, loginToSandbox, seedCatalogue } from './testing/seed';

const spec = SANDBOXES[0].spec;

interface ChangeEvent {
  payload: {
    ChangeEventHeader: {
      entityName: string;
      recordIds: string[];
      changeType: string;
      changedFields: string[];
      changeOrigin: string;
      commitUser: string;
    };
  } & Record<string, unknown>;
  event: { replayId: number };
}

function listen(
  conn: Connection,
  channel: string,
  replayId: number,
): { events: ChangeEvent[]; ready: Promise<void>; close(): void; failed: Promise<string> } {
  const events: ChangeEvent[] = [];
  const client = conn.streaming.createClient([new StreamingExtension.Replay(channel, replayId)]);
  let fail: (reason: string) => void = () => undefined;
  const failed = new Promise<string>((resolve) => (fail = resolve));
  const subscription = client.subscribe(channel, (message: unknown) => events.push(message as ChangeEvent));
  const ready = new Promise<void>((resolve) => {
    subscription.then(resolve, (error: unknown) => {
      fail((error as { message: string }).message);
      resolve();
    });
  });
  return {
    events,
    ready,
    failed,
    close: () => {
      client.disconnect();
    },
  };
}

async function until<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Salesforce sandbox, driven by jsforce', () => {
  let app: TestApp;
  let conn: Connection;
  let catalogue: Catalogue;

  beforeAll(async () => {
    app = await createTestApp(SalesforceSandboxModule, spec, { SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2' });
    conn = await loginToSandbox(app.url);
    catalogue = await seedCatalogue(conn);
  });

  afterAll(async () => {
    await app.close();
  });

  it('issues tokens by username-password and client credentials, with instance_url pointing at the sandbox', async () => {
    expect(conn.instanceUrl).toBe(app.url);
    expect(conn.accessToken).toMatch(/^00D\w{12}!/);
    const cc = new Connection({
      oauth2: { loginUrl: app.url, clientId: 'revline-sandbox', clientSecret: 'revline-sandbox-secret' },
      version: '60.0',
    });
    await cc.authorize({ grant_type: 'client_credentials' });
    expect((await cc.query('SELECT Id FROM Account')).totalSize).toBeGreaterThan(0);
    const bad = new Connection({
      oauth2: { loginUrl: app.url, clientId: 'revline-sandbox', clientSecret: 'revline-sandbox-secret' },
    });
    await expect(bad.login('admin@revline.sandbox', 'wrong')).rejects.toThrow(/authentication failure/);
  });

  it('answers 401 INVALID_SESSION_ID to a bad token, and jsforce refreshes an expired session by itself', async () => {
    const res = await request(app.url)
      .get('/services/data/v60.0/sobjects/Account/describe')
      .set('authorization', 'Bearer nope')
      .expect(401);
    expect(res.body).toEqual([{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }]);
    const before = conn.accessToken;
    await request(app.url).post('/sandbox/sessions/expire').expect(200);
    const account = await conn.sobject('Account').retrieve(catalogue.accountId);
    expect(account.Id).toBe(catalogue.accountId);
    expect(conn.accessToken).not.toBe(before);
  });

  it('creates, retrieves, updates, describes and deletes with Salesforce ids, attributes and error arrays', async () => {
    const created = await conn.sobject('Account').create({ Name: 'Globex', Type: 'Customer' });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = (created as { id: string }).id;
    expect(id).toMatch(/^001[a-zA-Z0-9]{15}$/);
    const record = await conn.sobject('Account').retrieve(id);
    expect(record.attributes).toEqual({
      type: 'Account',
      url: `/services/data/v60.0/sobjects/Account/${id}`,
    });
    expect(record.SystemModstamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$/);
    await conn.sobject('Account').update({ Id: id, Revline_Integration_Status__c: 'Synced' });
    expect((await conn.sobject('Account').retrieve(id)).Revline_Integration_Status__c).toBe('Synced');
    const describe = await conn.sobject('Order').describe();
    expect(describe.keyPrefix).toBe('801');
    expect(
      describe.fields.find((f) => f.name === 'Status')?.picklistValues?.map((p): unknown => p.value),
    ).toEqual(['Draft', 'Activated']);
    await expect(conn.sobject('Account').create({ Type: 'Customer' })).rejects.toMatchObject({
      errorCode: 'REQUIRED_FIELD_MISSING',
    });
    await expect(conn.sobject('Account').update({ Id: id, Type: 'Alien' })).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    await expect(conn.sobject('Account').create({ Name: 'x', Nope__c: 1 })).rejects.toMatchObject({
      errorCode: 'INVALID_FIELD',
    });
    await conn.sobject('Account').destroy(id);
    await expect(conn.sobject('Account').retrieve(id)).rejects.toMatchObject({ errorCode: 'NOT_FOUND' });
  });

  it("keeps a Number(2, 0) field's precision: any two-digit number, decimals as sent, 100 out of range", async () => {
    const describe = await conn.sobject('Order').describe();
    expect(describe.fields.find((f) => f.name === 'Revline_Bill_Cycle_Day__c')).toMatchObject({
      type: 'double',
      precision: 2,
      scale: 0,
      nillable: true,
    });
    const [orderId = ''] = await createDraftOrders(conn, catalogue, 1);
    for (const day of [32, 15.5, -99, null]) {
      await conn.sobject('Order').update({ Id: orderId, Revline_Bill_Cycle_Day__c: day });
      expect((await conn.sobject('Order').retrieve(orderId)).Revline_Bill_Cycle_Day__c).toBe(day);
    }
    for (const day of [100, -100]) {
      await expect(
        conn.sobject('Order').update({ Id: orderId, Revline_Bill_Cycle_Day__c: day }),
      ).rejects.toMatchObject({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE' });
    }
  });

  it('upserts a billing invoice by external id, once', async () => {
    const [orderId] = await createDraftOrders(conn, catalogue, 1);
    const first = await conn.sobject('Revline_Billing_Invoice__c').upsert(
      {
        Revline_Invoice_Id__c: 'in_123',
        Revline_Order__c: orderId,
        Revline_Amount__c: 4800,
        Revline_Status__c: 'Open',
      },
      'Revline_Invoice_Id__c',
    );
    const second = await conn
      .sobject('Revline_Billing_Invoice__c')
      .upsert({ Revline_Invoice_Id__c: 'in_123', Revline_Status__c: 'Paid' }, 'Revline_Invoice_Id__c');
    expect(first).toMatchObject({ success: true, created: true });
    expect(second).toMatchObject({ success: true, created: false, id: (first as { id: string }).id });
    const rows = await conn.query<{ Revline_Status__c: string }>(
      "SELECT Id, Revline_Status__c FROM Revline_Billing_Invoice__c WHERE Revline_Invoice_Id__c = 'in_123'",
    );
    expect(rows.records.map((r) => r.Revline_Status__c)).toEqual(['Paid']);
  });

  it('answers a Composite call of sObject Collections subrequests as ONE API request, each record standing alone', async () => {
    const [orderId] = await createDraftOrders(conn, catalogue, 1);
    await request(app.url)
      .post('/sandbox/validation-rules')
      .send({ object: 'Account', field: 'Revline_ERP_Id__c', message: 'No ERP ids on accounts.' })
      .expect(200);
    try {
      await request(app.url).post('/sandbox/stats/reset').expect(200);
      const before = (
        (await request(app.url).get('/sandbox/faults').expect(200)).body as { apiUsage: number }
      ).apiUsage;
      const answer = await conn.request<{
        compositeResponse: Array<{ referenceId: string; httpStatusCode: number; body: unknown }>;
      }>({
        method: 'POST',
        url: '/composite',
        body: JSON.stringify({
          allOrNone: false,
          compositeRequest: [
            {
              method: 'PATCH',
              url: '/services/data/v60.0/composite/sobjects',
              referenceId: 'updates',
              body: {
                allOrNone: false,
                records: [
                  { attributes: { type: 'Order' }, id: orderId, Revline_Billing_Id__c: 'sub_c1' },
                  { attributes: { type: 'Account' }, id: catalogue.accountId, Revline_ERP_Id__c: 'C-1' },
                ],
              },
            },
            {
              method: 'PATCH',
              url: '/services/data/v60.0/composite/sobjects/Revline_Billing_Invoice__c/Revline_Invoice_Id__c',
              referenceId: 'invoices',
              body: {
                allOrNone: false,
                records: [
                  {
                    attributes: { type: 'Revline_Billing_Invoice__c' },
                    Revline_Invoice_Id__c: 'in_c1',
                    Revline_Order__c: orderId,
                    Revline_Status__c: 'Open',
                  },
                ],
              },
            },
            {
              method: 'GET',
              url: '/services/data/v60.0/limits',
              referenceId: 'other',
            },
          ],
        }),
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.compositeResponse).toEqual([
        {
          referenceId: 'updates',
          httpStatusCode: 200,
          httpHeaders: {},
          body: [
            { id: orderId, success: true, errors: [] },
            {
              success: false,
              errors: [
                {
                  statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                  message: 'No ERP ids on accounts.',
                  fields: ['Revline_ERP_Id__c'],
                },
              ],
            },
          ],
        },
        {
          referenceId: 'invoices',
          httpStatusCode: 200,
          httpHeaders: {},
          body: [{ id: expect.any(String), success: true, errors: [], created: true }],
        },
        expect.objectContaining({ referenceId: 'other', httpStatusCode: 404 }),
      ]);
      const stats = (await request(app.url).get('/sandbox/stats').expect(200)).body as {
        requests: Record<string, number>;
      };
      expect(stats.requests).toEqual({ composite: 1 });
      const after = ((await request(app.url).get('/sandbox/faults').expect(200)).body as { apiUsage: number })
        .apiUsage;
      expect(after - before).toBe(1);
      expect(await conn.sobject('Order').retrieve(orderId)).toMatchObject({
        Revline_Billing_Id__c: 'sub_c1',
      });
    } finally {
      await request(app.url).delete('/sandbox/validation-rules').expect(200);
    }
  });

  it('rolls every subrequest of an allOrNone Composite call back when one fails, and refuses more than 25', async () => {
    const [orderId] = await createDraftOrders(conn, catalogue, 1);
    const composite = (body: object) =>
      request(app.url)
        .post('/services/data/v60.0/composite')
        .set('authorization', `Bearer ${conn.accessToken ?? ''}`)
        .send(body);
    const update = (referenceId: string, records: object[]) => ({
      method: 'PATCH',
      url: '/services/data/v60.0/composite/sobjects',
      referenceId,
      body: { allOrNone: false, records },
    });
    const res = await composite({
      allOrNone: true,
      compositeRequest: [
        update('good', [{ attributes: { type: 'Order' }, id: orderId, Revline_Billing_Id__c: 'sub_rolled' }]),
        {
          method: 'PATCH',
          url: '/services/data/v60.0/composite/sobjects',
          referenceId: 'bad',
          body: { records: 'x' },
        },
      ],
    }).expect(200);
    expect(res.body).toEqual({
      compositeResponse: [
        {
          referenceId: 'good',
          httpStatusCode: 400,
          httpHeaders: {},
          body: [{ errorCode: 'PROCESSING_HALTED', message: expect.stringContaining('rolled back') }],
        },
        {
          referenceId: 'bad',
          httpStatusCode: 400,
          httpHeaders: {},
          body: [expect.objectContaining({ errorCode: 'JSON_PARSER_ERROR' })],
        },
      ],
    });
    expect(await conn.sobject('Order').retrieve(orderId)).toMatchObject({
      Revline_Billing_Id__c: null,
    });

    const many = Array.from({ length: 26 }, (_, i) => ({
      method: 'GET',
      url: '/services/data/v60.0/limits',
      referenceId: `r${String(i)}`,
    }));
    const refused = await composite({ compositeRequest: many }).expect(400);
    expect(refused.body[0].errorCode).toBe('LIMIT_EXCEEDED');
    const collections = Array.from({ length: 6 }, (_, i) => update(`c${String(i)}`, []));
    expect((await composite({ compositeRequest: collections }).expect(400)).body[0].errorCode).toBe(
      'LIMIT_EXCEEDED',
    );
    await composite({ compositeRequest: 'x' }).expect(400);
  });

  it('enforces order rules: no activation without products, no edits to an activated order', async () => {
    const order = (await conn.sobject('Order').create({
      AccountId: catalogue.accountId,
      EffectiveDate: '2026-01-01',
      Status: 'Draft',
    })) as { id: string };
    await expect(conn.sobject('Order').update({ Id: order.id, Status: 'Activated' })).rejects.toMatchObject({
      errorCode: 'FIELD_INTEGRITY_EXCEPTION',
    });
    await expect(
      conn
        .sobject('OrderItem')
        .create({ OrderId: order.id, PricebookEntryId: catalogue.seatsEntryId, Quantity: 1, UnitPrice: 1 }),
    ).rejects.toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION' });
  });

  it('answers the SOQL Revline issues: relationships, a child subquery, the compound cursor, paging', async () => {
    const ids = await createDraftOrders(conn, catalogue, 450);
    await activateOrders(conn, ids);
    const result = await conn.query<Record<string, unknown>>(
      `SELECT Id, Status, Account.Name, (SELECT Id, Quantity, Product2.ProductCode FROM OrderItems ORDER BY Id) FROM Order WHERE Id IN ('${ids[0]}', '${ids[1]}') ORDER BY Id`,
    );
    expect(result.totalSize).toBe(2);
    const first = result.records[0] as {
      Account: { Name: string };
      OrderItems: { records: Array<{ Product2: { ProductCode: string }; Quantity: number }> };
    };
    expect(first.Account.Name).toBe('Acme Corp');
    expect(first.OrderItems.records[0]).toMatchObject({ Quantity: 10, Product2: { ProductCode: 'SEAT' } });

    const stamps = await conn.query<{ Id: string; SystemModstamp: string }>(
      `SELECT Id, SystemModstamp FROM Order WHERE Status = 'Activated' ORDER BY SystemModstamp, Id LIMIT 2000`,
    );
    const shared = stamps.records.filter((r) => r.SystemModstamp === stamps.records[100]?.SystemModstamp);
    expect(shared.length).toBeGreaterThan(100);
    const cursor = shared[50];
    const stamp = cursor.SystemModstamp.replace('+0000', 'Z');
    const after = await conn.query<{ Id: string }>(
      `SELECT Id FROM Order WHERE Status = 'Activated' AND (SystemModstamp > ${stamp} OR (SystemModstamp = ${stamp} AND Id > '${cursor.Id}')) ORDER BY SystemModstamp, Id`,
    );
    const index = stamps.records.findIndex((r) => r.Id === cursor.Id);
    expect(after.records.map((r) => r.Id)).toEqual(stamps.records.slice(index + 1).map((r) => r.Id));

    const paged = await request(app.url)
      .get('/services/data/v60.0/query')
      .query({ q: 'SELECT Id FROM Order' })
      .set('authorization', `Bearer ${conn.accessToken ?? ''}`)
      .set('sforce-query-options', 'batchSize=200')
      .expect(200);
    expect(paged.body.records).toHaveLength(200);
    expect(paged.body.done).toBe(false);
    const all = await conn.query('SELECT Id FROM Order', { autoFetch: true, maxFetch: 10_000 });
    expect(all.records.length).toBe(all.totalSize);

    const bad = await request(app.url)
      .get('/services/data/v60.0/query')
      .query({ q: 'SELECT Id FROM Order GROUP BY Id' })
      .set('authorization', `Bearer ${conn.accessToken ?? ''}`)
      .expect(400);
    expect(bad.body[0].errorCode).toBe('MALFORMED_QUERY');
  });

  it('publishes merged change events over CometD, replays from a stored id, and refuses one past retention', async () => {
    const live = listen(conn, '/data/OrderChangeEvent', -1);
    await live.ready;
    const ids = await createDraftOrders(conn, catalogue, 3);
    await activateOrders(conn, ids);
    const activation = await until(() =>
      live.events.find(
        (e) => e.payload.ChangeEventHeader.changeType === 'UPDATE' && e.payload.Status === 'Activated',
      ),
    );
    expect(activation.payload.ChangeEventHeader.recordIds.sort()).toEqual([...ids].sort());
    expect(activation.payload.ChangeEventHeader.changedFields).toEqual(
      expect.arrayContaining(['Status', 'ActivatedDate']),
    );
    expect(activation.payload.ChangeEventHeader.changeOrigin).toBe('com/salesforce/api/rest/60.0');
    live.close();

    const firstReplay = live.events[0]?.event.replayId ?? 0;
    const replay = listen(conn, '/data/ChangeEvents', firstReplay);
    await replay.ready;
    await until(() => replay.events.find((e) => e.event.replayId === activation.event.replayId));
    expect(replay.events.every((e) => e.event.replayId > firstReplay)).toBe(true);
    replay.close();

    await request(app.url).post('/sandbox/clock/advance').send({ hours: 73 }).expect(200);
    await conn.query('SELECT Id FROM Account LIMIT 1'); // the sessions expired too: jsforce logs in again
    const stale = listen(conn, '/data/OrderChangeEvent', firstReplay);
    await expect(stale.failed).resolves.toMatch(/replayId \{\d+\} you provided was invalid/);
    stale.close();
  });

  it('switches faults on and off, and refuses an unknown switch with 400', async () => {
    await request(app.url).post('/sandbox/faults').send({ errorRate: 1 }).expect(200);
    const failed = await request(app.url)
      .get('/services/data/v60.0/query')
      .query({ q: 'SELECT Id FROM Account' })
      .set('authorization', `Bearer ${conn.accessToken ?? ''}`)
      .expect(503);
    expect(failed.body[0].errorCode).toBe('SERVER_UNAVAILABLE');
    expect(failed.headers['sforce-limit-info']).toMatch(/^api-usage=\d+\/\d+$/);
    await request(app.url).post('/sandbox/faults').send({ errorRate: 0 }).expect(200);
    await request(app.url).post('/sandbox/faults').send({ explode: true }).expect(400);
    await request(app.url).post('/sandbox/faults').send({ dropRate: 2 }).expect(400);
  });
});
