import { ErpPort } from '@revline/erp-port';
import type { ErpContractBalanceRow, ErpDocumentSummary } from '@revline/erp-port';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import { NetSuiteClient } from '../../apps/system-erp/src/netsuite/netsuite-client';
import type { NetSuiteErpAdapter } from '../../apps/system-erp/src/netsuite/netsuite-erp.adapter';
import { generatedNumber } from '../../apps/sandbox/src/generation.dto';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

/**
 * NetSuite serves at most 100,000 results of one SuiteQL query. The sandbox is run here with a lower cap, and the
 * adapter told the same, so that a period holding more than the cap is reached with a few thousand invoices: the
 * exports must read it whole, each query within the cap.
 */
const CAP = 2000;
const INVOICES = 4500;
const JAN_1_2026 = 1_767_225_600;
/** The generator leaves invoice 1 out (its planted "missing in the ERP") and makes invoice 2 one cent more. */
const GENERATED = INVOICES - 1;
const generatedTotal = (i: number) => 1000 + (i % 97) + (i === 2 ? 1 : 0);

describe('NetSuite exports larger than one SuiteQL query returns', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let erp: NetSuiteErpAdapter;
  const queries: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox({ SANDBOX_NETSUITE_SUITEQL_MAX_RESULTS: String(CAP) });
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url));
    erp = app.app.get<ErpPort, NetSuiteErpAdapter>(ErpPort);
    erp.suiteQlMaxResults = CAP;
    const client = app.app.get(NetSuiteClient);
    const request = client.request.bind(client);
    vi.spyOn(client, 'request').mockImplementation((req) => {
      const q = (req.body as { q?: unknown } | undefined)?.q;
      if (typeof q === 'string') queries.push(q);
      return request(req);
    });
    await sandbox.admin('netsuite/generate', {
      invoices: INVOICES,
      linesPerInvoice: 1,
      seed: 'slc',
      createdFrom: JAN_1_2026,
    });
  }, 120_000);
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });

  it('the sandbox refuses to page one query past the cap', async () => {
    const call = tbaClient(sandbox.url);
    const page = (offset: number) =>
      call('POST', `/services/rest/query/v1/suiteql?limit=1000&offset=${String(offset)}`, {
        q: "SELECT id FROM transaction WHERE type = 'CustInvc'",
      });
    expect((await page(CAP - 1000)).status).toBe(200);
    const refused = await page(CAP);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }] });
  });

  it('exports every document of the period once, in id order, in id ranges within the cap', async () => {
    queries.length = 0;
    const docs: ErpDocumentSummary[] = [];
    for await (const page of erp.exportDocuments('invoice', '2026-01')) docs.push(...page);
    const ids = docs.map((d) => Number(d.erpId));
    expect(docs).toHaveLength(GENERATED);
    expect(new Set(ids).size).toBe(GENERATED);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(docs.map((d) => d.period))).toEqual(new Set(['2026-01']));
    // The first query, then one from after the last id of each capped one.
    const slices = [...new Set(queries.filter((q) => q.includes('FROM transaction t')))];
    expect(slices).toHaveLength(Math.ceil(GENERATED / CAP));
    expect(slices.slice(1).every((q) => / AND t\.id > \d+ /.test(q))).toBe(true);
  });

  it("reads a period's revenue postings in slices: contracts in contract ranges, lines with no contract by transaction id", async () => {
    const contracts = ['801rev0000001', '801rev0000002', '801rev0000003', '801rev0000004'];
    for (const [i, contractId] of contracts.entries())
      await erp.postRevenueJournal({
        externalId: `RJ-SLC-${String(i)}`,
        contractId,
        obligationId: 'seats',
        period: '2026-02',
        scheduleVersion: 1,
        productClass: 'SEAT',
        subsidiary: 'US',
        amount: { amountMinor: String(100 * (i + 1)), currency: 'USD' },
      });
    // Summary period journals: their revenue lines carry no contract.
    for (let i = 0; i < 3; i++)
      await erp.postPeriodJournal({
        externalId: `PJ-SLC-${String(i)}`,
        period: '2026-02',
        subsidiary: 'US',
        currency: 'USD',
        memo: 'Revenue 2026-02',
        lines: [
          { account: 'deferred_revenue', debitMinor: String(10 * (i + 1)) },
          { account: 'revenue', creditMinor: String(10 * (i + 1)), productClass: 'SEAT' },
        ],
      });
    queries.length = 0;
    erp.suiteQlMaxResults = 2;
    try {
      const postings = await erp.revenuePostings('2026-02');
      expect(postings.map((p) => [p.contractId, p.amount.amountMinor])).toEqual([
        ...contracts.map((c, i) => [c, String(100 * (i + 1))]),
        ['', '60'],
      ]);
    } finally {
      erp.suiteQlMaxResults = CAP;
    }
    const byContract = queries.filter((q) => q.includes('tl.custcol_rl_contract IS NOT NULL'));
    expect(byContract.length).toBeGreaterThan(1);
    expect(byContract.slice(1).every((q) => /tl\.custcol_rl_contract >= '801rev\d{7}'/.test(q))).toBe(true);
    const uncontracted = [...new Set(queries.filter((q) => q.includes('tl.custcol_rl_contract IS NULL')))];
    expect(uncontracted.length).toBeGreaterThan(1);
    expect(uncontracted.slice(1).every((q) => / AND t\.id >= \d+ /.test(q))).toBe(true);
  });

  it("exports every contract's balances once, in contract ranges within the cap, no contract split", async () => {
    queries.length = 0;
    const rows: ErpContractBalanceRow[] = [];
    for await (const page of erp.exportContractBalances('2026-01')) rows.push(...page);
    const keys = rows.map((r) => `${r.contractId}/${r.currency}/${r.balance}`);
    expect(new Set(keys).size).toBe(rows.length);
    const receivable = new Map(rows.filter((r) => r.balance === 'receivable').map((r) => [r.contractId, r]));
    expect(receivable.size).toBe(GENERATED);
    for (let i = 0; i < INVOICES; i++) {
      if (i === 1) continue;
      expect(receivable.get(`801slc${generatedNumber(i)}`)?.amountMinor).toBe(String(generatedTotal(i)));
    }
    const perContract = new Map<string, number>();
    for (const r of rows) perContract.set(r.contractId, (perContract.get(r.contractId) ?? 0) + 1);
    expect(new Set(perContract.values()).size).toBe(1);
    expect(rows.length).toBeGreaterThan(CAP);
    // Deferred revenue by the lines' contract, the receivable by the transactions' contract: each in ranges.
    for (const [field, balances] of [
      ['tl.custcol_rl_contract', rows.filter((r) => r.balance !== 'receivable').length],
      ['t.custbody_rl_contract', receivable.size],
    ] as const) {
      const slices = [...new Set(queries.filter((q) => q.includes(`${field} IS NOT NULL`)))];
      expect(slices.length).toBeGreaterThan(Math.ceil(balances / CAP) - 1);
      const from = `${field.replace('.', '\\.')} >= '801slc\\d{7}'`;
      expect(slices.slice(1).every((q) => new RegExp(from).test(q))).toBe(true);
    }
    const deferred = rows.filter((r) => r.balance === 'deferred');
    expect(deferred).toHaveLength(GENERATED);
    expect(deferred.find((r) => r.contractId === `801slc${generatedNumber(2)}`)?.amountMinor).toBe(
      String(generatedTotal(2)),
    );
  });
});
