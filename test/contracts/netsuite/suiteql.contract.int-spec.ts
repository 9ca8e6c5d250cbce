import { ErpPort, revenueJournalExternalId } from '@revline/erp-port';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { HttpService } from '@nestjs/axios';
import { VendorChecks } from '@revline/platform';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../../../apps/system-erp/src/app.module';
import { APP } from '../../../apps/system-erp/src/app.info';
import { DATABASE } from '../../../apps/system-erp/src/database';
import { NetSuiteClient } from '../../../apps/system-erp/src/netsuite/netsuite-client';
import type { ColumnRef, SuiteQlQuery } from '../../../apps/sandbox/src/netsuite/suiteql/suiteql-parser';
import { parseSuiteQl } from '../../../apps/sandbox/src/netsuite/suiteql/suiteql-parser';
import { SuiteQlTables } from '../../../apps/sandbox/src/netsuite/suiteql/suiteql-tables';
import { tbaClient } from '../../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Sandbox } from '../../support/erp-test-env';
import { erpEnv, startSandbox } from '../../support/erp-test-env';
import { PREFER_TRANSIENT_ONLY_ON, PREFER_TRANSIENT_SOURCE } from './record-shapes';
import { SUITEQL_PAGING, SUITEQL_TABLES, UNKNOWN_FIELD_ERROR } from './suiteql-tables';

const documented = (table: string, column: string): boolean =>
  Object.hasOwn(SUITEQL_TABLES, table) && Object.hasOwn(SUITEQL_TABLES[table].columns, column);

/** What a query names that the reference does not document, or what it leaves out that NetSuite requires. */
function contractBreaches(q: string): string[] {
  const query: SuiteQlQuery = parseSuiteQl(q);
  const sources = [query.from, ...query.joins];
  const breaches: string[] = [];
  for (const s of sources) if (!Object.hasOwn(SUITEQL_TABLES, s.table)) breaches.push(`table ${s.table}`);
  const tableOf = (ref: ColumnRef): string | undefined => {
    if (ref.qualifier !== null) return sources.find((s) => s.alias === ref.qualifier)?.table;
    const owners = sources.filter((s) => documented(s.table, ref.column));
    return owners.length === 1 ? owners[0]?.table : sources.length === 1 ? sources[0]?.table : undefined;
  };
  const refs: Array<{ ref: ColumnRef; where: string }> = [
    ...query.select.flatMap((s) =>
      s.kind === 'column' || s.kind === 'sum' ? [{ ref: s.ref, where: 'select' }] : [],
    ),
    ...query.joins.flatMap((j) =>
      j.on.flatMap((o) => [o.left, o.right]).map((ref) => ({ ref, where: 'join' })),
    ),
    ...query.where.map((c) => ({ ref: c.ref, where: 'where' })),
    ...query.groupBy.map((ref) => ({ ref, where: 'group by' })),
    ...query.orderBy
      .filter(
        (o) => !query.select.some((s) => s.kind !== 'star' && s.kind !== 'column' && s.as === o.ref.column),
      )
      .map((o) => ({ ref: o.ref, where: 'order by' })),
  ];
  for (const { ref, where } of refs) {
    const table = tableOf(ref);
    if (!table || !documented(table, ref.column))
      breaches.push(
        `${where} ${ref.qualifier ? `${ref.qualifier}.` : ''}${ref.column} (${table ?? 'no table'})`,
      );
  }
  // transactionaccountingline.amount is in the base currency: a sum reported by transaction currency reads the
  // transaction line's amount in that currency instead.
  const byTransactionCurrency = query.groupBy.some(
    (g) => tableOf(g) === 'transaction' && g.column === 'currency',
  );
  for (const s of query.select) {
    if (s.kind === 'sum' && byTransactionCurrency && tableOf(s.ref) === 'transactionaccountingline')
      breaches.push(`sum of ${s.ref.column} (base currency) by transaction currency`);
  }
  // The general ledger: the lines of the primary book only, posting lines only, joined to their lines as NetSuite
  // keys them (a transaction line is its transaction and its id within it).
  const tal = sources.find((s) => s.table === 'transactionaccountingline');
  if (tal) {
    const book = sources.find((s) => s.table === 'accountingbook');
    const primary = query.where.some(
      (c) =>
        c.kind === 'compare' &&
        c.op === '=' &&
        c.value === 'T' &&
        book !== undefined &&
        c.ref.qualifier === book.alias &&
        c.ref.column === 'isprimary',
    );
    if (!primary) breaches.push('no primary accounting book filter');
    if (!query.where.some((c) => c.kind === 'compare' && c.ref.column === 'posting' && c.value === 'T'))
      breaches.push('no posting filter');
    const tl = query.joins.find((j) => j.table === 'transactionline');
    if (tl) {
      const pairs = tl.on.map((o) =>
        [o.left, o.right]
          .map((r) => `${r.qualifier ?? ''}.${r.column}`)
          .sort()
          .join('='),
      );
      for (const needed of [
        [`${tal.alias}.transaction`, `${tl.alias}.transaction`],
        [`${tal.alias}.transactionline`, `${tl.alias}.id`],
      ]) {
        if (!pairs.includes(needed.sort().join('=')))
          breaches.push(`transactionline not joined on ${needed.join(' = ')}`);
      }
    }
  }
  return breaches;
}

describe('SuiteQL contract: the adapter and the sandbox against NetSuite’s documented tables', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let erp: ErpPort;
  const sent: Array<{ q: string; path: string }> = [];
  /** Every HTTP request as it goes on the wire: its path and its Prefer header. */
  const wire: Array<{ path: string; prefer: unknown }> = [];

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url));
    erp = app.app.get(ErpPort);
    app.app.get(HttpService).axiosRef.interceptors.request.use((config) => {
      wire.push({ path: new URL(config.url ?? '').pathname, prefer: config.headers.get('prefer') });
      return config;
    });
    const client = app.app.get(NetSuiteClient);
    const request = client.request.bind(client);
    vi.spyOn(client, 'request').mockImplementation((req) => {
      const q = (req.body as { q?: unknown } | undefined)?.q;
      if (typeof q === 'string') sent.push({ q, path: req.path });
      return request(req);
    });
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });

  it('the checker itself refuses base-currency sums reported by transaction currency', () => {
    expect(
      contractBreaches(
        'SELECT t.currency, SUM(tal.amount) AS b FROM transactionaccountingline tal ' +
          'JOIN transaction t ON t.id = tal.transaction JOIN accountingbook ab ON ab.id = tal.accountingbook ' +
          "WHERE ab.isprimary = 'T' AND tal.posting = 'T' GROUP BY t.currency",
      ),
    ).toEqual(['sum of amount (base currency) by transaction currency']);
  });

  it('the checker itself refuses the flattened ledger Revline used to read', () => {
    expect(
      contractBreaches(
        "SELECT custcol_rl_contract, SUM(amount) AS b FROM transactionaccountingline WHERE postingperiod = '2026-01' GROUP BY custcol_rl_contract",
      ),
    ).toEqual([
      'select custcol_rl_contract (transactionaccountingline)',
      'where postingperiod (transactionaccountingline)',
      'group by custcol_rl_contract (transactionaccountingline)',
      'no primary accounting book filter',
      'no posting filter',
    ]);
  });

  it("every query of the adapter's reads names only documented tables and columns, and the sandbox answers them", async () => {
    await sandbox.admin('reset');
    await erp.upsertCustomer({ externalId: 'CUS-K1', name: 'Contract', subsidiary: 'US', currency: 'USD' });
    await erp.postInvoice({
      externalId: 'INV-K1',
      customerExternalId: 'CUS-K1',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-01-15',
      contractId: 'C-K1',
      lines: [
        {
          itemExternalId: 'SEAT',
          amountMinor: '120000',
          productClass: 'SEAT',
          obligationId: 'seats',
          taxMinor: '0',
        },
      ],
    });
    await erp.postRevenueJournal({
      externalId: revenueJournalExternalId('C-K1', 'seats', '2026-01', 1),
      contractId: 'C-K1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: 1,
      amount: { amountMinor: '10000', currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    });
    await erp.postPayment({
      externalId: 'PAY-K1',
      customerExternalId: 'CUS-K1',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-01-20',
      amountMinor: '20000',
      contractId: 'C-K1',
      appliesTo: [{ invoiceExternalId: 'INV-K1', amountMinor: '20000' }],
    });
    // A period journal in summary mode: no contract on its body or its lines.
    await erp.postPeriodJournal({
      externalId: 'PJ-K1',
      period: '2026-01',
      subsidiary: 'US',
      currency: 'USD',
      memo: 'Revenue 2026-01',
      lines: [
        { account: 'deferred_revenue', debitMinor: '3000' },
        { account: 'revenue', creditMinor: '3000', productClass: 'SEAT' },
      ],
    });
    // The lookups made while writing (the account's currencies) are checked with the reads' queries below.
    expect(sent.some((s) => /FROM currency\b/i.test(s.q))).toBe(true);
    // The go-live checks' reads (open accounting periods, the mapped items) are checked with them too.
    await app.app.get(VendorChecks).run([{ productCode: 'SEAT', vendorId: 'ITEM-SEAT' }]);
    expect(sent.filter((s) => /FROM (accountingperiod|item)\b/i.test(s.q))).toHaveLength(2);

    const documents = [];
    for (const kind of ['invoice', 'creditMemo', 'payment', 'revenueJournal'] as const)
      for await (const page of erp.exportDocuments(kind, '2026-01')) documents.push(...page);
    expect(documents.map((d) => [d.kind, d.externalId, d.period])).toEqual([
      ['invoice', 'INV-K1', '2026-01'],
      ['payment', 'PAY-K1', '2026-01'],
      ['revenueJournal', revenueJournalExternalId('C-K1', 'seats', '2026-01', 1), '2026-01'],
      ['revenueJournal', 'PJ-K1', '2026-01'],
    ]);
    // The period journal's revenue counts, under no contract.
    const postings = await erp.revenuePostings('2026-01');
    expect(postings.map((p) => [p.contractId, p.amount.amountMinor])).toEqual([
      ['C-K1', '10000'],
      ['', '3000'],
    ]);
    // Deferred and recognised by the lines' contract column (sent on the item and journal lines), the receivable
    // by the invoice's and payment's contract body field (their receivable lines carry no column field); the
    // period journal in no contract's balances.
    const balances = await erp.contractBalances('C-K1', '2026-01');
    expect(balances.balances).toEqual([
      {
        currency: 'USD',
        deferredMinor: '110000',
        recognisedMinor: '10000',
        receivableMinor: '100000',
        unbilledMinor: '0',
      },
    ]);
    const exported = [];
    for await (const page of erp.exportContractBalances('2026-01')) exported.push(...page);
    expect(
      exported
        .map((r) => [r.contractId, r.balance, r.amountMinor])
        .sort((a, b) => (a.join() < b.join() ? -1 : 1)),
    ).toEqual([
      ['C-K1', 'deferred', '110000'],
      ['C-K1', 'receivable', '100000'],
      ['C-K1', 'recognised', '10000'],
    ]);

    const queries = [...new Set(sent.map((s) => s.q))];
    expect(queries.some((q) => /FROM transactionaccountingline/i.test(q))).toBe(true);
    expect(queries.some((q) => /FROM accountingperiod/i.test(q))).toBe(true);
    for (const q of queries) expect({ q, breaches: contractBreaches(q) }).toEqual({ q, breaches: [] });
    // Each SuiteQL request carries Prefer: transient, each record request none.
    const suiteQl = wire.filter((w) => w.path === PREFER_TRANSIENT_ONLY_ON);
    expect(suiteQl.length).toBeGreaterThanOrEqual(sent.length);
    expect(wire.some((w) => w.path.startsWith('/services/rest/record/'))).toBe(true);
    for (const w of wire)
      expect({ ...w, prefer: w.prefer ?? null }).toEqual({
        ...w,
        prefer: w.path === PREFER_TRANSIENT_ONLY_ON ? 'transient' : null,
      });
    for (const { path } of sent) {
      const url = new URL(path, 'http://netsuite');
      const limit = Number(url.searchParams.get('limit'));
      expect(limit).toBeLessThanOrEqual(SUITEQL_PAGING.maxLimit);
      expect(Number(url.searchParams.get('offset')) + limit).toBeLessThanOrEqual(SUITEQL_PAGING.maxResults);
    }
  });

  it('the sandbox serves no table or column the reference does not document', () => {
    const tables = sandbox.app.app.get(SuiteQlTables).tables();
    expect(Object.keys(tables).length).toBeGreaterThan(0);
    for (const [name, table] of Object.entries(tables)) {
      expect(Object.hasOwn(SUITEQL_TABLES, name), `table ${name}`).toBe(true);
      for (const column of table.columns) expect(documented(name, column), `${name}.${column}`).toBe(true);
    }
  });

  it('the sandbox answers every documented column and refuses the ones NetSuite keeps elsewhere, as NetSuite does', async () => {
    const call = tbaClient(sandbox.url);
    for (const [table, reference] of Object.entries(SUITEQL_TABLES)) {
      for (const column of Object.keys(reference.columns)) {
        const res = await call('POST', '/services/rest/query/v1/suiteql?limit=1', {
          q: `SELECT ${column} FROM ${table}`,
        });
        expect({ table, column, status: res.status }).toEqual({ table, column, status: 200 });
      }
      for (const column of reference.absent ?? []) {
        const res = await call('POST', '/services/rest/query/v1/suiteql', {
          q: `SELECT t.${column} FROM ${table} t`,
        });
        expect(res.status).toBe(UNKNOWN_FIELD_ERROR.status);
        const body = res.body as {
          status: number;
          'o:errorDetails': Array<{ detail: string; 'o:errorCode': string }>;
        };
        expect(body.status).toBe(UNKNOWN_FIELD_ERROR.status);
        expect(body['o:errorDetails']).toHaveLength(1);
        expect(body['o:errorDetails'][0]?.['o:errorCode']).toBe(UNKNOWN_FIELD_ERROR.code);
        const match = UNKNOWN_FIELD_ERROR.detail.exec(body['o:errorDetails'][0]?.detail ?? '');
        expect([match?.[1], match?.[2]]).toEqual([column, table]);
      }
    }
  });

  it(`the sandbox refuses a SuiteQL query without Prefer: transient ("${PREFER_TRANSIENT_SOURCE.section}")`, async () => {
    const q = { q: 'SELECT id FROM accountingperiod' };
    for (const prefer of [null, 'respond-async']) {
      const res = await tbaClient(sandbox.url, undefined, { prefer })('POST', PREFER_TRANSIENT_ONLY_ON, q);
      expect({ prefer, status: res.status }).toEqual({ prefer, status: 400 });
      expect(res.body).toMatchObject({
        status: 400,
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }],
      });
    }
    for (const prefer of ['transient', 'respond-async, transient']) {
      const res = await tbaClient(sandbox.url, undefined, { prefer })('POST', PREFER_TRANSIENT_ONLY_ON, q);
      expect({ prefer, status: res.status }).toEqual({ prefer, status: 200 });
    }
  });

  it('the sandbox pages a query no further than NetSuite’s result cap', async () => {
    const call = tbaClient(sandbox.url);
    const page = (limit: number, offset: number) =>
      call('POST', `/services/rest/query/v1/suiteql?limit=${String(limit)}&offset=${String(offset)}`, {
        q: 'SELECT id FROM accountingperiod',
      });
    const last = SUITEQL_PAGING.maxResults - SUITEQL_PAGING.maxLimit;
    expect((await page(SUITEQL_PAGING.maxLimit, last)).status).toBe(200);
    for (const [limit, offset] of [
      [SUITEQL_PAGING.maxLimit, last + 1],
      [1, SUITEQL_PAGING.maxResults],
    ] as const) {
      const res = await page(limit, offset);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorCode': 'INVALID_PARAMETER' }] });
    }
  });
});
