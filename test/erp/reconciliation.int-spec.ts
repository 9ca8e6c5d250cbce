import { ErpPort } from '@revline/erp-port';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import { DOCUMENT_CSV_COLUMNS } from '../../apps/system-erp/src/reconciliation/reconciliation.controller';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

describe('reconciliation reads of the ERP books (REST)', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url));
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    const erp = app.app.get(ErpPort);
    await erp.upsertCustomer({ externalId: 'cus_1', name: 'Acme', subsidiary: 'US', currency: 'USD' });
    for (let i = 1; i <= 3; i += 1) {
      await erp.postInvoice({
        externalId: `in_${i}`,
        customerExternalId: 'cus_1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-01-01',
        contractId: 'C-G1',
        lines: [{ itemExternalId: 'SEAT', amountMinor: '400000', productClass: 'SEAT' }],
      });
    }
    await erp.postRevenueJournal({
      externalId: 'rlrj-test-1',
      contractId: 'C-G1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: 1,
      amount: { amountMinor: '101918', currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    });
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });

  it('needs an API key', async () => {
    await request(app.url).get('/v1/documents?kind=invoice&period=2026-01').expect(401);
  });

  it('lists the invoices of a period', async () => {
    const res = await request(app.url)
      .get('/v1/documents?kind=invoice&period=2026-01')
      .set(bearer(viewer))
      .expect(200);
    expect(res.body.items.map((d: { externalId: string }) => d.externalId)).toEqual(['in_1', 'in_2', 'in_3']);
    expect(res.body.items[0]).toMatchObject({
      kind: 'invoice',
      period: '2026-01',
      total: { amountMinor: '400000', currency: 'USD' },
    });
  });

  it('streams the same documents as NDJSON', async () => {
    const res = await request(app.url)
      .get('/v1/exports/documents?kind=invoice&period=2026-01')
      .set(bearer(viewer))
      .expect(200);
    expect(res.headers['content-type']).toContain('application/x-ndjson');
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { externalId: string });
    expect(lines.map((l) => l.externalId)).toEqual(['in_1', 'in_2', 'in_3']);
  });

  it('streams them as CSV too, with the tax of each (none here) beside its total', async () => {
    const res = await request(app.url)
      .get('/v1/exports/documents?kind=invoice&period=2026-01&format=csv')
      .set(bearer(viewer))
      .expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    // Excel-safe: a byte order mark (trim drops it), CRLF, the month kept text.
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = res.text.trim().split('\r\n');
    expect(header).toBe(DOCUMENT_CSV_COLUMNS.join(','));
    expect(header).toBe(
      'kind,erpId,externalId,tranDate,period,customerErpId,contractId,totalMinor,taxMinor,currency',
    );
    expect(rows.map((r) => r.split(',').slice(2).join(','))).toEqual(
      ['in_1', 'in_2', 'in_3'].map(
        (id) => `${id},2026-01-01,"=""2026-01""",${rows[0]?.split(',')[5] ?? ''},C-G1,400000,0,USD`,
      ),
    );
  });

  it('answers revenue postings and contract balances', async () => {
    const postings = await request(app.url)
      .get('/v1/revenue-postings?period=2026-01')
      .set(bearer(viewer))
      .expect(200);
    expect(postings.body.items).toEqual([
      expect.objectContaining({
        contractId: 'C-G1',
        productClass: 'SEAT',
        amount: { amountMinor: '101918', currency: 'USD' },
      }),
    ]);
    const balances = await request(app.url)
      .get('/v1/contracts/C-G1/balances?asOf=2026-01')
      .set(bearer(viewer))
      .expect(200);
    expect(balances.body.balances).toEqual([
      {
        currency: 'USD',
        deferredMinor: '1098082',
        recognisedMinor: '101918',
        receivableMinor: '1200000',
        unbilledMinor: '0',
      },
    ]);
  });

  it('lists the invoices dated in a window (a fiscal period’s days) instead of a period', async () => {
    const dated = async (from: string, to: string) =>
      (
        await request(app.url)
          .get(`/v1/documents?kind=invoice&from=${from}&to=${to}`)
          .set(bearer(viewer))
          .expect(200)
      ).body as { period: string; items: Array<{ externalId: string; period: string }> };
    const p01 = await dated('2025-12-28', '2026-01-24');
    expect(p01.period).toBe('2025-12-28/2026-01-24');
    expect(p01.items.map((d) => d.externalId)).toEqual(['in_1', 'in_2', 'in_3']);
    expect((await dated('2026-01-02', '2026-01-31')).items).toEqual([]);
  });

  it('answers the revenue on transactions dated in a window (a fiscal period), and refuses a period beside it', async () => {
    // The January revenue journal is dated the month's last day.
    const read = async (query: string) =>
      (await request(app.url).get(`/v1/revenue-postings?${query}`).set(bearer(viewer)).expect(200)).body as {
        period: string;
        items: Array<{ contractId: string; amount: { amountMinor: string } }>;
      };
    const window = await read('from=2026-01-25&to=2026-02-21');
    expect(window.period).toBe('2026-01-25/2026-02-21');
    expect(window.items).toEqual([
      expect.objectContaining({ contractId: 'C-G1', amount: { amountMinor: '101918', currency: 'USD' } }),
    ]);
    expect((await read('from=2025-12-28&to=2026-01-24')).items).toEqual([]);
    for (const query of [
      'period=2026-01&from=2026-01-01&to=2026-01-31',
      'from=2026-01-01',
      'from=2026-02-01&to=2026-01-31',
    ]) {
      const res = await request(app.url).get(`/v1/revenue-postings?${query}`).set(bearer(viewer)).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('refuses a malformed period or kind with problem+json naming the field', async () => {
    const res = await request(app.url)
      .get('/v1/documents?kind=salesOrder&period=2026-13')
      .set(bearer(viewer))
      .expect(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['kind', 'period']);
  });

  it('answers 503 when the ERP cannot be reached', async () => {
    await sandbox.admin('faults', { serverErrorRate: 1 });
    try {
      const res = await request(app.url)
        .get('/v1/revenue-postings?period=2026-01')
        .set(bearer(viewer))
        .expect(503);
      expect(res.body.detail).toContain('ERP is unavailable');
    } finally {
      await sandbox.admin('faults', { serverErrorRate: 0 });
    }
  });
});
