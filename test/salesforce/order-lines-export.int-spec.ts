import { CrmPort } from '@revline/crm-port';
import type { CrmOrder, CrmOrderLineRow } from '@revline/crm-port';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import type { Connection } from 'jsforce';
import type { Response } from 'supertest';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import type { GenerateSalesforceResult } from '../../apps/sandbox/src/salesforce/admin/generate.controller';
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
import { BEFORE_ALL_IDS } from '../../apps/system-salesforce/src/capture/order-poller';
import { DATABASE } from '../../apps/system-salesforce/src/database';
import { ORDER_LINE_CSV_COLUMNS } from '../../apps/system-salesforce/src/records/order-lines-export.controller';
import { SalesforceApi } from '../../apps/system-salesforce/src/salesforce/salesforce-api';

/** 2026-03-01T00:00:00Z: the generated orders are activated from then, a second apart. */
const CREATED_FROM = 1_772_323_200;

/**
 * The rows the export read before Bulk API 2.0, kept here as the reference: the poller's SOQL cursor over the
 * orders (REST `queryAll`, 200 a page), each page's activated orders read with their lines.
 */
async function restPathRows(crm: CrmPort, since: string): Promise<CrmOrderLineRow[]> {
  const rows: CrmOrderLineRow[] = [];
  let cursor = { stamp: since, id: BEFORE_ALL_IDS };
  for (;;) {
    const page = await crm.changedOrdersSince(cursor, 200);
    const ids = page.changes.filter((c) => !c.deleted).map((c) => c.id);
    const orders: CrmOrder[] = ids.length > 0 ? await crm.readOrders(ids) : [];
    for (const order of orders.filter((o) => o.activated && !o.deleted))
      for (const line of order.lines)
        rows.push({
          orderId: order.id,
          orderKind: order.kind,
          contractId: order.contractId,
          activatedAt: order.activatedAt,
          effectiveDate: order.effectiveDate,
          endDate: order.endDate,
          currency: order.currency,
          lineId: line.id,
          revisesLineId: line.revisesLineId,
          productCode: line.productCode,
          quantity: line.quantity,
          unitPrice: line.unitPrice,
        });
    if (page.done || page.changes.length === 0) return rows;
    cursor = page.next;
  }
}

const csvOf = (rows: readonly CrmOrderLineRow[]): string[] =>
  rows.map((r) => ORDER_LINE_CSV_COLUMNS.map((c) => r[c] ?? '').join(',')).sort();

/** A response body as text, whatever its content type (supertest parses only the types it knows). */
const asText = (response: Response, callback: (error: Error | null, body: string) => void): void => {
  let text = '';
  response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  response.on('end', () => {
    callback(null, text);
  });
};

describe('order-lines export through Bulk API 2.0 against the Salesforce sandbox', () => {
  let sandbox: TestApp;
  let db: TestDatabase;
  let system: TestApp;
  let sales: Connection;
  let catalogue: Catalogue;
  let viewer: string;
  let generated: GenerateSalesforceResult;
  let amendmentId: string;
  let draftId: string;

  const exported = async (query: string): Promise<string> => {
    const res = await request(system.url)
      .get(`/v1/exports/order-lines?${query}`)
      .set(bearer(viewer))
      .buffer(true)
      .parse(asText)
      .expect(200);
    return res.body as string;
  };

  beforeAll(async () => {
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {});
    db = await createTestDatabase(DATABASE);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    sales = await loginToSandbox(sandbox.url);
    catalogue = await seedCatalogue(sales);
    // Orders as sales make them: activated, one left in draft, and a CPQ amendment revising a line.
    const ids = await createDraftOrders(sales, catalogue, 6);
    draftId = ids[5];
    await activateOrders(sales, ids.slice(0, 5));
    const contracted = await request(sandbox.url)
      .post('/sandbox/cpq/contracts')
      .send({ orderId: ids[0], termMonths: 12 })
      .expect(201);
    const contractId = (contracted.body as { contractId: string }).contractId;
    const seatLine = (
      await sales.query<{ Id: string }>(`SELECT Id FROM OrderItem WHERE OrderId = '${ids[0]}'`)
    ).records[0];
    const amended = await request(sandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: seatLine.Id, quantity: 15 }],
        additions: [{ pricebookEntryId: catalogue.analyticsEntryId, quantity: 1, unitPrice: 3000.5 }],
      })
      .expect(201);
    amendmentId = (amended.body as { orderId: string }).orderId;
    await activateOrders(sales, [amendmentId]);
    generated = (
      await request(sandbox.url)
        .post('/sandbox/salesforce/generate')
        .send({
          invoices: 40,
          linesPerInvoice: 3,
          seed: 'T1',
          createdFrom: CREATED_FROM,
          contractPrefix: '801T1',
          driftEvery: 10,
        })
        .expect(200)
    ).body as GenerateSalesforceResult;
    system = await createTestApp(AppModule, APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      SALESFORCE_CAPTURE_ENABLED: 'false',
      OUTBOX_RELAY: 'off',
    });
  }, 120_000);

  afterAll(async () => {
    await system.close();
    await sandbox.close();
    await db.drop();
  });

  it('generates activated orders mirroring the Stripe generation: ids, quantities, prices, dates, planted drift', async () => {
    expect(generated).toMatchObject({ orders: 40, lines: 40, planted: { quantity_mismatch: 4 } });
    const rows = await restPathRows(system.app.get(CrmPort), new Date(0).toISOString());
    const mine = rows.filter((r) => r.orderId.startsWith('801T1'));
    expect(mine).toHaveLength(40);
    expect(mine.find((r) => r.orderId === '801T10000012')).toEqual({
      orderId: '801T10000012',
      orderKind: 'new',
      contractId: null,
      activatedAt: '2026-03-01T00:00:12.000Z',
      effectiveDate: '2026-03-01',
      endDate: '2027-02-28',
      currency: 'USD',
      lineId: '802T10000012',
      revisesLineId: null,
      productCode: 'SEAT',
      quantity: '3',
      unitPrice: '10',
    });
    expect(mine.filter((r) => r.quantity === '4').map((r) => r.orderId)).toEqual([
      '801T10000004',
      '801T10000014',
      '801T10000024',
      '801T10000034',
    ]);
  });

  it('exports the same rows as the REST path, as CSV and NDJSON, every activated line and nothing else', async () => {
    const reference = await restPathRows(system.app.get(CrmPort), new Date(0).toISOString());
    // 5 activated orders of one line, the amendment's two lines, 40 generated.
    expect(reference).toHaveLength(47);
    expect(reference.some((r) => r.orderId.startsWith(draftId.slice(0, 15)))).toBe(false);
    const amendment = reference.filter((r) => r.orderId === amendmentId);
    expect(amendment.map((r) => r.quantity).sort()).toEqual(['1', '5']);
    expect(amendment.find((r) => r.productCode === 'ANALYTICS')?.unitPrice).toBe('3000.5');

    const csv = (await exported('format=csv')).trim().split('\r\n');
    expect(csv[0]).toBe(ORDER_LINE_CSV_COLUMNS.join(','));
    expect(csv.slice(1).sort()).toEqual(csvOf(reference));

    const ndjson = (await exported(''))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as CrmOrderLineRow);
    const byLine = (a: CrmOrderLineRow, b: CrmOrderLineRow) => (a.lineId < b.lineId ? -1 : 1);
    expect(ndjson.sort(byLine)).toEqual([...reference].sort(byLine));
  });

  it('keeps since: only orders stamped at or after it', async () => {
    const since = new Date((CREATED_FROM + 25) * 1000).toISOString();
    const reference = await restPathRows(system.app.get(CrmPort), since);
    // Generated orders 25..39, and every order made now through the API.
    expect(reference.filter((r) => r.orderId.startsWith('801T1'))).toHaveLength(15);
    expect(reference).toHaveLength(15 + 7);
    const csv = (await exported(`format=csv&since=${since}`)).trim().split('\r\n');
    expect(csv.slice(1).sort()).toEqual(csvOf(reference));
  });

  it('reads the results page by page through Sforce-Locator, and deletes the job', async () => {
    const api = system.app.get(SalesforceApi);
    const pages: number[] = [];
    const ids: string[] = [];
    for await (const page of api.bulkQuery(
      "SELECT Id, Order.Type FROM OrderItem WHERE Order.Status = 'Activated'",
      {
        pageSize: 10,
      },
    )) {
      pages.push(page.length);
      ids.push(...page.map((r) => r.Id));
    }
    expect(pages).toEqual([10, 10, 10, 10, 7]);
    expect(new Set(ids).size).toBe(47);
  });

  describe('Bulk API 2.0 query jobs in the sandbox', () => {
    let token: string;
    const jobs = () => `/services/data/v60.0/jobs/query`;
    const auth = () => ({ Authorization: `Bearer ${token}` });

    beforeAll(() => {
      token = sales.accessToken as string;
    });

    it('creates a job, completes it, and pages its CSV with Sforce-Locator and Sforce-NumberOfRecords', async () => {
      const created = await request(sandbox.url)
        .post(jobs())
        .set(auth())
        .send({
          operation: 'query',
          query: "SELECT Id, Product2.ProductCode FROM OrderItem WHERE Order.Id = '801T10000003'",
        })
        .expect(200);
      const job = created.body as { id: string; state: string; object: string; jobType: string };
      expect(job).toMatchObject({ state: 'UploadComplete', object: 'OrderItem', jobType: 'V2Query' });
      expect(job.id.startsWith('750')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const info = await request(sandbox.url).get(`${jobs()}/${job.id}`).set(auth()).expect(200);
      expect(info.body).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 1 });
      const results = await request(sandbox.url)
        .get(`${jobs()}/${job.id}/results?maxRecords=5`)
        .set(auth())
        .buffer(true)
        .parse(asText)
        .expect(200);
      expect(results.headers['content-type']).toMatch(/^text\/csv/);
      expect(results.headers['sforce-numberofrecords']).toBe('1');
      expect(results.headers['sforce-locator']).toBe('null');
      expect(results.body).toBe('"Id","Product2.ProductCode"\n"802T10000003","SEAT"\n');
      await request(sandbox.url).delete(`${jobs()}/${job.id}`).set(auth()).expect(204);
      await request(sandbox.url).get(`${jobs()}/${job.id}`).set(auth()).expect(404);
    });

    it('answers 400 for what Bulk API 2.0 does not run (a subquery, an unknown field), 401 without a session', async () => {
      const subquery = await request(sandbox.url)
        .post(jobs())
        .set(auth())
        .send({ operation: 'query', query: 'SELECT Id, (SELECT Id FROM OrderItems) FROM Order' })
        .expect(400);
      expect((subquery.body as Array<{ errorCode: string }>)[0]?.errorCode).toBe('MALFORMED_QUERY');
      const unknown = await request(sandbox.url)
        .post(jobs())
        .set(auth())
        .send({ operation: 'query', query: 'SELECT Nope FROM OrderItem' })
        .expect(400);
      expect((unknown.body as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_FIELD');
      await request(sandbox.url)
        .post(jobs())
        .send({ operation: 'query', query: 'SELECT Id FROM Order' })
        .expect(401);
    });
  });
});
