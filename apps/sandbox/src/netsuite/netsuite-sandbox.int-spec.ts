import type { TestApp } from '@revline/testing';
import { createTestApp } from '@revline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { SANDBOX_CREDENTIALS, tbaClient } from './testing/tba-client';

const spec = SANDBOXES.find((s) => s.spec.name === 'sandbox-netsuite');
if (!spec) throw new Error('no NetSuite sandbox in app.info');

type Call = ReturnType<typeof tbaClient>;
const RECORD = '/services/rest/record/v1';
const suiteql = (call: Call, q: string) => call('POST', '/services/rest/query/v1/suiteql', { q });
const firstDetail = (body: unknown): unknown =>
  (body as { 'o:errorDetails'?: unknown[] })['o:errorDetails']?.[0];
const errorCode = (body: unknown): string | undefined =>
  (body as { 'o:errorDetails'?: Array<{ 'o:errorCode': string }> })['o:errorDetails']?.[0]?.['o:errorCode'];

function customer(externalId: string) {
  return {
    externalId,
    companyName: `Customer ${externalId}`,
    subsidiary: { id: '1' },
    currency: { id: '1' },
  };
}

function invoice(externalId: string, customerEid: string, tranDate = '2026-01-01') {
  return {
    externalId,
    entity: { externalId: customerEid },
    tranDate,
    subsidiary: { id: '1' },
    currency: { id: '1' },
    custbody_rl_contract: 'C-1',
    item: {
      items: [
        {
          item: { externalId: 'SEAT' },
          amount: 12000,
          taxDetailsReference: 'L1',
          class: { externalId: 'SEAT' },
          custcol_rl_contract: 'C-1',
        },
        { item: { externalId: 'SETUP' }, amount: '500.25', class: { externalId: 'SERVICES' } },
      ],
    },
    taxDetailsOverride: true,
    taxDetails: {
      items: [
        {
          taxDetailsReference: 'L1',
          taxType: { id: '1' },
          taxCode: { id: '1' },
          taxBasis: 12000,
          taxRate: 8.0042,
          taxAmount: 960.5,
        },
      ],
    },
  };
}

describe('NetSuite sandbox (SuiteTalk REST, TBA, ledger)', () => {
  let app: TestApp;
  let call: Call;
  const admin = (path: string, body?: unknown) =>
    fetch(`${app.url}/sandbox/${path}`, {
      method: 'POST',
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
  const count = async (table: string) => {
    const res = await suiteql(call, `SELECT COUNT(*) AS n FROM ${table}`);
    return Number((res.body as { items: Array<{ n: string }> }).items[0]?.n);
  };
  const imbalance = async () => (await fetch(`${app.url}/sandbox/ledger/imbalance`)).json();

  beforeAll(async () => {
    app = await createTestApp(spec.module, spec.spec);
    call = tbaClient(app.url);
  });
  afterAll(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await admin('reset');
  });

  it('refuses a bad signature, an unknown token and no credentials with 401 INVALID_LOGIN, writing nothing', async () => {
    const forged = tbaClient(app.url, { ...SANDBOX_CREDENTIALS, tokenSecret: 'guessed' });
    const stranger = tbaClient(app.url, { ...SANDBOX_CREDENTIALS, tokenId: 'someone-else' });
    const otherRealm = tbaClient(app.url, { ...SANDBOX_CREDENTIALS, account: 'TSTDRV1' });
    // The realm is case-sensitive: the account id in another case is another realm.
    const realmInOtherCase = tbaClient(app.url, { ...SANDBOX_CREDENTIALS, account: 'sandbox' });
    for (const client of [forged, stranger, otherRealm, realmInOtherCase]) {
      const res = await client('POST', `${RECORD}/customer`, customer('C1'));
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        'o:errorDetails': [{ 'o:errorCode': 'INVALID_LOGIN' }],
      });
    }
    const bare = await fetch(`${app.url}${RECORD}/customer/1`);
    expect(bare.status).toBe(401);
    expect(await count('customer')).toBe(0);
  });

  it('creates (201 + Location), reads, updates, upserts by external id and deletes', async () => {
    const created = await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    expect(created.status).toBe(201);
    const location = created.headers.get('location') ?? '';
    expect(location).toMatch(new RegExp(`^${app.url}${RECORD}/customer/\\d+$`));
    const id = location.split('/').pop() ?? '';

    const read = await call('GET', `${RECORD}/customer/${id}`);
    expect(read.body).toMatchObject({
      id,
      externalId: 'CUS-1',
      companyName: 'Customer CUS-1',
      currency: { id: '1', refName: 'USD' },
    });
    expect((await call('GET', `${RECORD}/customer/eid:CUS-1`)).body).toMatchObject({ id });

    expect((await call('PATCH', `${RECORD}/customer/${id}`, { companyName: 'Renamed' })).status).toBe(204);
    expect((await call('GET', `${RECORD}/customer/${id}`)).body).toMatchObject({ companyName: 'Renamed' });

    const fields = { ...customer('CUS-2'), externalId: undefined };
    const inserted = await call('PUT', `${RECORD}/customer/eid:CUS-2`, fields);
    expect(inserted.status).toBe(204);
    const insertedId = inserted.headers.get('location')?.split('/').pop();
    const again = await call('PUT', `${RECORD}/customer/eid:CUS-2`, { ...fields, companyName: 'Second' });
    expect(again.headers.get('location')?.split('/').pop()).toBe(insertedId);
    expect(await count('customer')).toBe(2);

    expect((await call('DELETE', `${RECORD}/customer/eid:CUS-2`)).status).toBe(204);
    const gone = await call('GET', `${RECORD}/customer/eid:CUS-2`);
    expect(gone.status).toBe(404);
    expect(errorCode(gone.body)).toBe('NONEXISTENT_ID');
  });

  it("gives a customer without a currency its subsidiary's base currency, as OneWorld does", async () => {
    const uk = await call('PUT', `${RECORD}/customer/eid:CUS-UK`, {
      companyName: 'Acme Ltd',
      subsidiary: { id: '2' },
    });
    expect(uk.status).toBe(204);
    expect((await call('GET', `${RECORD}/customer/eid:CUS-UK`)).body).toMatchObject({
      subsidiary: { id: '2' },
      currency: { id: '2', refName: 'GBP' },
    });
    const de = await call('POST', `${RECORD}/customer`, {
      companyName: 'Acme GmbH',
      subsidiary: { id: '3' },
    });
    expect(de.status).toBe(201);
    const deId = de.headers.get('location')?.split('/').pop() ?? '';
    expect((await call('GET', `${RECORD}/customer/${deId}`)).body).toMatchObject({
      currency: { id: '4', refName: 'EUR' },
    });
    // A currency given is kept, also when a later upsert leaves it out.
    await call('PUT', `${RECORD}/customer/eid:CUS-CAD`, {
      companyName: 'Acme Canada',
      subsidiary: { id: '1' },
      currency: { id: '3' },
    });
    await call('PUT', `${RECORD}/customer/eid:CUS-CAD`, {
      companyName: 'Acme Canada Inc.',
      subsidiary: { id: '1' },
    });
    expect((await call('GET', `${RECORD}/customer/eid:CUS-CAD`)).body).toMatchObject({
      companyName: 'Acme Canada Inc.',
      currency: { id: '3', refName: 'CAD' },
    });
    // An unknown subsidiary is still refused, naming it, and nothing is stored.
    const bad = await call('PUT', `${RECORD}/customer/eid:CUS-X`, {
      companyName: 'Nowhere',
      subsidiary: { id: '9' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_KEY_OR_REF', 'o:errorPath': 'subsidiary' }],
    });
    expect(await count('customer')).toBe(3);
  });

  it('refuses a duplicate external id on create, and external ids with other characters', async () => {
    await call('POST', `${RECORD}/customer`, customer('DUP-1'));
    const dup = await call('POST', `${RECORD}/customer`, customer('DUP-1'));
    expect(dup.status).toBe(400);
    expect(dup.body).toMatchObject({
      title: 'Bad Request',
      'o:errorDetails': [{ 'o:errorCode': 'DUP_RCRD', 'o:errorPath': 'externalId' }],
    });
    const fields = { ...customer('x'), externalId: undefined };
    expect(errorCode((await call('PUT', `${RECORD}/customer/eid:bad.id`, fields)).body)).toBe(
      'INVALID_CONTENT',
    );
    expect(errorCode((await call('POST', `${RECORD}/customer`, customer('has space'))).body)).toBe(
      'INVALID_CONTENT',
    );
    expect(await count('customer')).toBe(1);
  });

  it('refuses malformed bodies NetSuite-style and writes nothing', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    const cases: Array<[unknown, string | undefined, string]> = [
      [undefined, '{"externalId": "INV-X",', 'INVALID_CONTENT'],
      [{ ...invoice('INV-X', 'CUS-1'), surprise: 1 }, undefined, 'INVALID_CONTENT'],
      [{ ...invoice('INV-X', 'CUS-1'), tranDate: '2026-02-30' }, undefined, 'INVALID_CONTENT'],
      [invoice('INV-X', 'NOBODY'), undefined, 'INVALID_KEY_OR_REF'],
      [
        { ...invoice('INV-X', 'CUS-1'), item: { items: [{ item: { id: '1' }, amount: '1.001' }] } },
        undefined,
        'INVALID_CONTENT',
      ],
      [[1, 2], undefined, 'INVALID_CONTENT'],
    ];
    for (const [body, raw, code] of cases) {
      const res = await call('POST', `${RECORD}/invoice`, body, raw);
      expect(res.status).toBe(400);
      expect(errorCode(res.body)).toBe(code);
      expect(res.headers.get('content-type')).toContain('application/vnd.oracle.resource+json');
    }
    const unknownField = await call('POST', `${RECORD}/invoice`, {
      ...invoice('INV-X', 'CUS-1'),
      surprise: 1,
    });
    expect(unknownField.body).toMatchObject({ 'o:errorDetails': [{ 'o:errorPath': 'surprise' }] });
    // Every problem of a body is its own error detail.
    const twoProblems = await call('POST', `${RECORD}/invoice`, {
      ...invoice('INV-X', 'CUS-1'),
      surprise: 1,
      tranDate: 'soon',
    });
    const details = (twoProblems.body as { 'o:errorDetails': Array<Record<string, string>> })[
      'o:errorDetails'
    ];
    expect(details[0]).toMatchObject({ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'surprise' });
    expect(details.slice(1)).toContainEqual(
      expect.objectContaining({ 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'tranDate' }),
    );
    expect(await count('transaction')).toBe(0);
    expect(await count('transactionaccountingline')).toBe(0);
  });

  it('posts balanced lines for invoices, credit memos, payments and journals', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    expect((await call('POST', `${RECORD}/invoice`, invoice('INV-1', 'CUS-1'))).status).toBe(201);
    const balances = await suiteql(
      call,
      "SELECT account, SUM(amount) AS balance FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE t.custbody_rl_contract = 'C-1' GROUP BY account ORDER BY account",
    );
    expect((balances.body as { items: unknown[] }).items).toEqual([
      { links: [], account: '2', balance: '13460.75' },
      { links: [], account: '3', balance: '-960.50' },
      { links: [], account: '4', balance: '-12500.25' },
    ]);
    // A line's contract column is only where it was sent (the SEAT line): NetSuite copies no body field onto the
    // lines, and the receivable (main) line and the tax line carry none.
    const byLine = await suiteql(
      call,
      'SELECT tal.account, SUM(tal.amount) AS balance FROM transactionaccountingline tal ' +
        'JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline ' +
        "WHERE tl.custcol_rl_contract = 'C-1' GROUP BY tal.account ORDER BY tal.account",
    );
    expect((byLine.body as { items: unknown[] }).items).toEqual([
      { links: [], account: '4', balance: '-12000.00' },
    ]);
    const invoiceId = ((await call('GET', `${RECORD}/invoice/eid:INV-1`)).body as { id: string }).id;
    const memo = await call(
      'POST',
      `${RECORD}/invoice/${invoiceId}/!transform/creditMemo?replace=item,taxDetails`,
      {
        externalId: 'CM-1',
        tranDate: '2026-01-01',
        item: {
          items: [{ item: { externalId: 'SETUP' }, amount: 500.25, class: { externalId: 'SERVICES' } }],
        },
        apply: { items: [{ doc: { id: invoiceId }, line: 0, apply: true, amount: 500.25 }] },
      },
    );
    expect(memo.status, JSON.stringify(memo.body)).toBe(204);
    const paid = await call('POST', `${RECORD}/customerPayment`, {
      externalId: 'PAY-1',
      customer: { externalId: 'CUS-1' },
      tranDate: '2026-01-15',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      payment: 12960.5,
      apply: { items: [{ doc: { id: invoiceId }, line: 0, apply: true, amount: 12960.5 }] },
    });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    const unbalanced = await call('POST', `${RECORD}/journalEntry`, {
      externalId: 'JE-1',
      tranDate: '2026-01-31',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      line: {
        items: [
          { account: { id: '4' }, debit: 10 },
          { account: { id: '5' }, credit: 9.99 },
        ],
      },
    });
    expect(errorCode(unbalanced.body)).toBe('USER_ERROR');
    const receivable = await suiteql(
      call,
      "SELECT SUM(amount) AS ar FROM transactionaccountingline WHERE account = '2'",
    );
    expect((receivable.body as { items: Array<{ ar: string }> }).items[0]?.ar).toBe('0.00');
    expect(await imbalance()).toEqual({ USD: '0' });
    const docs = await suiteql(
      call,
      'SELECT externalid, type, foreigntotal FROM transaction ORDER BY externalid',
    );
    expect((docs.body as { items: unknown[] }).items).toEqual([
      { links: [], externalid: 'CM-1', type: 'CustCred', foreigntotal: '500.25' },
      { links: [], externalid: 'INV-1', type: 'CustInvc', foreigntotal: '13460.75' },
      { links: [], externalid: 'PAY-1', type: 'CustPymt', foreigntotal: '12960.50' },
    ]);
  });

  it('transforms an invoice into a credit memo of its lines applied to it, and refuses it once credited in full', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    const created = await call('POST', `${RECORD}/invoice`, invoice('INV-1', 'CUS-1'));
    const invoiceId = created.headers.get('location')?.split('/').pop() ?? '';
    const transform = (body?: unknown, from = `invoice/${invoiceId}`, to = 'creditMemo') =>
      call('POST', `${RECORD}/${from}/!transform/${to}`, body);

    const unsupported = await transform({ externalId: 'X-1' }, `invoice/${invoiceId}`, 'customerPayment');
    expect([unsupported.status, errorCode(unsupported.body)]).toEqual([400, 'INVALID_TRANS_TYP']);
    const unknown = await transform({ externalId: 'X-2' }, 'invoice/999999');
    expect([unknown.status, errorCode(unknown.body)]).toEqual([404, 'NONEXISTENT_ID']);
    const badField = await transform({ externalId: 'X-3', reason: 'void' });
    expect([badField.status, errorCode(badField.body)]).toEqual([400, 'INVALID_CONTENT']);

    const made = await transform({
      externalId: 'VOID-INV-1',
      tranDate: '2026-02-10',
      memo: 'Voided in billing',
    });
    expect(made.status).toBe(204);
    const memoId = made.headers.get('location')?.split('/').pop() ?? '';
    const memo = await call('GET', `${RECORD}/creditMemo/${memoId}`);
    expect(memo.body).toMatchObject({
      externalId: 'VOID-INV-1',
      tranDate: '2026-02-10',
      memo: 'Voided in billing',
      createdFrom: { id: invoiceId },
      custbody_rl_contract: 'C-1',
      item: { items: [{ amount: 12000, taxDetailsReference: 'L1' }, { amount: 500.25 }] },
      taxDetailsOverride: true,
      taxDetails: { items: [{ taxDetailsReference: 'L1', taxAmount: 960.5, taxBasis: 12000 }] },
    });
    // The invoice's receivable, deferred revenue and tax are all taken back.
    const balances = await suiteql(
      call,
      "SELECT account, SUM(amount) AS balance FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE t.custbody_rl_contract = 'C-1' GROUP BY account ORDER BY account",
    );
    expect((balances.body as { items: unknown[] }).items).toEqual([
      { links: [], account: '2', balance: '0.00' },
      { links: [], account: '3', balance: '0.00' },
      { links: [], account: '4', balance: '0.00' },
    ]);
    expect(await imbalance()).toEqual({ USD: '0' });

    const again = await transform({ externalId: 'VOID-INV-1-AGAIN' });
    expect([again.status, errorCode(again.body)]).toEqual([400, 'INVALID_INITIALIZE_REF']);
    expect(await count('transaction')).toBe(2);
  });

  it('refuses legacy tax fields, tax details the override does not cover, createdFrom in a body and apply docs by external id', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    const base = invoice('INV-1', 'CUS-1');
    const legacy = await call('POST', `${RECORD}/invoice`, {
      ...base,
      taxDetailsOverride: undefined,
      taxDetails: undefined,
      item: { items: [{ item: { externalId: 'SEAT' }, amount: 100, tax1Amt: 8 }] },
    });
    expect(firstDetail(legacy.body)).toMatchObject({
      'o:errorCode': 'INVALID_CONTENT',
      'o:errorPath': 'item.items.0.tax1Amt',
    });
    expect(JSON.stringify(legacy.body)).toContain('legacy tax');
    const noOverride = await call('POST', `${RECORD}/invoice`, { ...base, taxDetailsOverride: false });
    expect([noOverride.status, errorCode(noOverride.body)]).toEqual([400, 'USER_ERROR']);
    const dangling = await call('POST', `${RECORD}/invoice`, {
      ...base,
      taxDetails: { items: [{ ...base.taxDetails.items[0], taxDetailsReference: 'L9' }] },
    });
    expect(dangling.body).toMatchObject({
      'o:errorDetails': [
        { 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'taxDetails.items[0].taxDetailsReference' },
      ],
    });
    const wrongCode = await call('POST', `${RECORD}/invoice`, {
      ...base,
      taxDetails: { items: [{ ...base.taxDetails.items[0], taxCode: { id: '99' } }] },
    });
    expect(errorCode(wrongCode.body)).toBe('INVALID_KEY_OR_REF');
    expect(await count('transaction')).toBe(0);

    expect((await call('POST', `${RECORD}/invoice`, base)).status).toBe(201);
    for (const createdFrom of [{ externalId: 'INV-1' }, { id: '1' }]) {
      const linked = await call('PUT', `${RECORD}/creditMemo/eid:CM-1`, {
        ...base,
        externalId: undefined,
        createdFrom,
      });
      expect(firstDetail(linked.body)).toMatchObject({
        'o:errorCode': 'INVALID_CONTENT',
        'o:errorPath': 'createdFrom',
      });
    }
    const byExternalId = await call('POST', `${RECORD}/customerPayment`, {
      externalId: 'PAY-1',
      customer: { externalId: 'CUS-1' },
      tranDate: '2026-01-15',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      payment: 100,
      apply: { items: [{ doc: { externalId: 'INV-1' }, apply: true, amount: 100 }] },
    });
    expect(firstDetail(byExternalId.body)).toMatchObject({
      'o:errorCode': 'INVALID_CONTENT',
      'o:errorPath': 'apply.items.0.doc.externalId',
    });
    // No more can be applied to an invoice than it still asks for.
    const invoiceId = ((await call('GET', `${RECORD}/invoice/eid:INV-1`)).body as { id: string }).id;
    const tooMuch = await call('POST', `${RECORD}/customerPayment`, {
      externalId: 'PAY-2',
      customer: { externalId: 'CUS-1' },
      tranDate: '2026-01-15',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      payment: 20000,
      apply: { items: [{ doc: { id: invoiceId }, line: 0, apply: true, amount: 13460.76 }] },
    });
    expect(firstDetail(tooMuch.body)).toMatchObject({
      'o:errorCode': 'USER_ERROR',
      'o:errorPath': 'apply.items[0].amount',
    });
    expect(await count('transaction')).toBe(1);
  });

  it('takes tax as a line to the sales tax item in an account without SuiteTax, posting it to the tax payable', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    const res = await call('POST', `${RECORD}/invoice`, {
      ...invoice('INV-1', 'CUS-1'),
      taxDetailsOverride: undefined,
      taxDetails: undefined,
      item: {
        items: [
          { item: { externalId: 'SEAT' }, amount: 100 },
          { item: { externalId: 'ITEM-SALES-TAX' }, amount: 8, description: 'Tax' },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const rows = await suiteql(
      call,
      'SELECT tal.account, SUM(tal.amount) AS balance FROM transactionaccountingline tal ' +
        'JOIN transaction t ON t.id = tal.transaction ' +
        "WHERE t.custbody_rl_contract = 'C-1' GROUP BY tal.account ORDER BY tal.account",
    );
    expect((rows.body as { items: unknown[] }).items).toEqual([
      { links: [], account: '2', balance: '108.00' },
      { links: [], account: '3', balance: '-8.00' },
      { links: [], account: '4', balance: '-100.00' },
    ]);
  });

  it('pages a SuiteQL result by offset, and answers a change made between two queries', async () => {
    for (const eid of ['CUS-A', 'CUS-B', 'CUS-C']) await call('POST', `${RECORD}/customer`, customer(eid));
    const q = 'SELECT externalid FROM customer ORDER BY externalid';
    const page = async (offset: number) => {
      const res = await call('POST', `/services/rest/query/v1/suiteql?limit=2&offset=${String(offset)}`, {
        q,
      });
      return res.body as { items: Array<{ externalid: string }>; hasMore: boolean; totalResults: number };
    };
    const first = await page(0);
    expect(first.items.map((i) => i.externalid)).toEqual(['CUS-A', 'CUS-B']);
    expect([first.hasMore, first.totalResults]).toEqual([true, 3]);
    await call('POST', `${RECORD}/customer`, customer('CUS-D'));
    const second = await page(2);
    expect(second.items.map((i) => i.externalid)).toEqual(['CUS-C', 'CUS-D']);
    expect([second.hasMore, second.totalResults]).toEqual([false, 4]);
  });

  it('names posting periods by their accounting period internal id, as NetSuite does', async () => {
    const rows = async (q: string) =>
      ((await suiteql(call, q)).body as { items: Array<Record<string, unknown>> }).items.map((item) => {
        const row = { ...item };
        delete row.links;
        return row as Partial<Record<string, string>>;
      });
    const [february] = await rows(
      "SELECT id, startdate, enddate FROM accountingperiod WHERE periodname = 'Feb 2026'",
    );
    expect(february).toMatchObject({ startdate: '2026-02-01', enddate: '2026-02-28' });
    const id = february.id;
    expect(id).toMatch(/^\d+$/);
    expect(
      await rows(
        "SELECT id FROM accountingperiod WHERE startdate = TO_DATE('2026-02-01', 'YYYY-MM-DD') AND isyear = 'F' AND isquarter = 'F'",
      ),
    ).toEqual([{ id }]);
    // The year and the quarter start that day too: only the base period is a posting one.
    expect(
      await rows(
        "SELECT periodname FROM accountingperiod WHERE startdate = TO_DATE('2026-01-01', 'YYYY-MM-DD') ORDER BY id",
      ),
    ).toEqual([{ periodname: 'FY 2026' }, { periodname: 'Q1 2026' }, { periodname: 'Jan 2026' }]);

    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    const late = { ...invoice('INV-LATE', 'CUS-1', '2026-01-31'), postingPeriod: { id } };
    expect((await call('POST', `${RECORD}/invoice`, late)).status).toBe(201);
    expect(await rows("SELECT postingperiod FROM transaction WHERE externalid = 'INV-LATE'")).toEqual([
      { postingperiod: id },
    ]);
    const byMonth = { ...invoice('INV-MONTH', 'CUS-1'), postingPeriod: { id: '2026-02' } };
    const refused = await call('POST', `${RECORD}/invoice`, byMonth);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'INVALID_KEY_OR_REF', 'o:errorPath': 'postingPeriod' }],
    });
  });

  it('refuses postings, changes and deletions in a closed period', async () => {
    await call('POST', `${RECORD}/customer`, customer('CUS-1'));
    await call('POST', `${RECORD}/invoice`, invoice('INV-JAN', 'CUS-1', '2026-01-10'));
    expect((await admin('periods/2026-01/close')).status).toBe(200);
    const refused = await call('POST', `${RECORD}/invoice`, invoice('INV-2', 'CUS-1', '2026-01-20'));
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      'o:errorDetails': [{ 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'postingPeriod' }],
    });
    expect((await call('PATCH', `${RECORD}/invoice/eid:INV-JAN`, { memo: 'late' })).status).toBe(400);
    expect((await call('DELETE', `${RECORD}/invoice/eid:INV-JAN`)).status).toBe(400);
    expect((await call('POST', `${RECORD}/invoice`, invoice('INV-FEB', 'CUS-1', '2026-02-01'))).status).toBe(
      201,
    );
    expect(await count('transaction')).toBe(2);
    const periods = await suiteql(call, "SELECT periodname, closed FROM accountingperiod WHERE closed = 'T'");
    expect((periods.body as { items: unknown[] }).items).toEqual([
      { links: [], periodname: 'Jan 2026', closed: 'T' },
    ]);
  });

  it('answers 429 SSS_REQUEST_LIMIT_EXCEEDED beyond the concurrency limit', async () => {
    await admin('concurrency', { limit: 2 });
    await admin('faults', { latencyMs: 150 });
    try {
      const results = await Promise.all(
        Array.from({ length: 5 }, () => call('GET', `${RECORD}/customer/eid:none`)),
      );
      const refused = results.filter((r) => r.status === 429);
      expect(refused).toHaveLength(3);
      expect(refused[0]?.body).toMatchObject({
        status: 429,
        'o:errorDetails': [{ 'o:errorCode': 'SSS_REQUEST_LIMIT_EXCEEDED' }],
      });
      const stats = (await (await fetch(`${app.url}/sandbox/stats`)).json()) as {
        maxInFlight: number;
        refused: number;
      };
      expect(stats).toMatchObject({ maxInFlight: 2, refused: 3 });
    } finally {
      await admin('concurrency', { limit: 5 });
    }
  });

  it('answers governanceLimits as NetSuite documents it, and holds the integration to its allocation', async () => {
    const limits = await call('GET', '/services/rest/system/v1/governanceLimits');
    expect(limits.status).toBe(200);
    expect(limits.body).toEqual({
      accountConcurrencyLimit: 5,
      accountUnallocatedConcurrencyLimit: 5,
      integrationLimitType: 'accountLimit',
    });
    await admin('concurrency', { limit: 5, integrationLimit: 2 });
    await admin('faults', { latencyMs: 150 });
    try {
      expect((await call('GET', '/services/rest/system/v1/governanceLimits')).body).toEqual({
        accountConcurrencyLimit: 5,
        accountUnallocatedConcurrencyLimit: 3,
        integrationConcurrencyLimit: 2,
        integrationLimitType: 'integrationSpecific',
      });
      const results = await Promise.all(
        Array.from({ length: 4 }, () => call('GET', `${RECORD}/customer/eid:none`)),
      );
      expect(results.filter((r) => r.status === 429)).toHaveLength(2);
    } finally {
      await admin('concurrency', { limit: 5, integrationLimit: null });
    }
    await admin('faults', { latencyMs: 0 });
    expect((await call('GET', '/services/rest/system/v1/governanceLimits')).body).toMatchObject({
      integrationLimitType: 'accountLimit',
    });
  });

  it('saves the record and then drops the connection under the timeout-after-save fault', async () => {
    await admin('faults', { timeoutAfterSaveRate: 1 });
    await expect(call('POST', `${RECORD}/customer`, customer('CUS-LOST'))).rejects.toThrow();
    await admin('faults', { timeoutAfterSaveRate: 0 });
    expect((await call('GET', `${RECORD}/customer/eid:CUS-LOST`)).status).toBe(200);
  });

  it('answers unsupported SuiteQL with 400 INVALID_PARAMETER', async () => {
    const res = await suiteql(call, "SELECT id FROM transaction WHERE id = '1' OR id = '2'");
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('INVALID_PARAMETER');
  });
});

describe('NetSuite sandbox: the integration role of vendor/netsuite, deployed without a permission', () => {
  let app: TestApp;
  let call: Call;
  beforeAll(async () => {
    app = await createTestApp(spec.module, spec.spec, {
      SANDBOX_NETSUITE_ROLE_WITHOUT: 'TRAN_JOURNAL',
      SANDBOX_NETSUITE_ADMINISTRATOR_ROLE: 'false',
    });
    call = tbaClient(app.url);
  });
  afterAll(async () => {
    await app.close();
  });

  it("refuses the record types the role lacks with NetSuite's 403, and serves the ones it holds", async () => {
    const journal = await call('GET', `${RECORD}/journalEntry/eid:none`);
    expect(journal.status).toBe(403);
    expect(firstDetail(journal.body)).toMatchObject({
      'o:errorCode': 'INSUFFICIENT_PERMISSION',
      detail: expect.stringContaining(
        "You need the 'Transactions -> Make Journal Entry' permission",
      ) as unknown,
    });
    expect((await call('GET', `${RECORD}/invoice/eid:none`)).status).toBe(404);
    // Items are View only in the role: reading one is allowed, creating one is not.
    const item = await call('POST', `${RECORD}/serviceSaleItem`, { itemId: 'X', externalId: 'X' });
    expect(item.status).toBe(403);
    expect(firstDetail(item.body)).toMatchObject({
      detail: expect.stringContaining("a higher level of the 'Lists -> Items' permission") as unknown,
    });
    // governanceLimits answers administrators only.
    const governance = await call('GET', '/services/rest/system/v1/governanceLimits');
    expect(governance.status).toBe(403);
    expect(errorCode(governance.body)).toBe('INSUFFICIENT_PERMISSION');
  });
});
