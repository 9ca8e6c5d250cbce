import type { ErpDocument } from '@revline/erp-port';
import { ErpPort } from '@revline/erp-port';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { HttpService } from '@nestjs/axios';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tbaClient } from '../../../apps/sandbox/src/netsuite/testing/tba-client';
import { APP } from '../../../apps/system-erp/src/app.info';
import { AppModule } from '../../../apps/system-erp/src/app.module';
import { DATABASE } from '../../../apps/system-erp/src/database';
import type { NetSuiteRequest } from '../../../apps/system-erp/src/netsuite/netsuite-client';
import { NetSuiteClient } from '../../../apps/system-erp/src/netsuite/netsuite-client';
import { documentBody } from '../../../apps/system-erp/src/netsuite/netsuite-records';
import type { Sandbox } from '../../support/erp-test-env';
import { erpEnv, startSandbox } from '../../support/erp-test-env';
import type { DocumentedShape } from './record-shapes';
import {
  CREDIT_MEMO,
  CREDIT_MEMO_TRANSFORM,
  CUSTOMER,
  CUSTOMER_PAYMENT,
  ERROR_RESPONSE_SOURCE,
  INVOICE,
  JOURNAL_ENTRY,
  PREFER_TRANSIENT_ONLY_ON,
  PREFER_TRANSIENT_SOURCE,
  RECORD_DELETE,
  RECORD_READ_FIELDS,
  REVENUE_SCHEDULE,
} from './record-shapes';

const RECORD = '/services/rest/record/v1';

/** Which documented shape a write the adapter sends must have, by its method and path. */
const WRITES: Array<{ method: string; path: RegExp; shape: DocumentedShape; name: string }> = [
  { method: 'PUT', path: /^\/services\/rest\/record\/v1\/customer\/eid:/, shape: CUSTOMER, name: 'customer' },
  { method: 'PUT', path: /^\/services\/rest\/record\/v1\/invoice\/eid:/, shape: INVOICE, name: 'invoice' },
  {
    method: 'PUT',
    path: /^\/services\/rest\/record\/v1\/creditMemo\/eid:/,
    shape: CREDIT_MEMO,
    name: 'creditMemo',
  },
  {
    method: 'POST',
    path: /^\/services\/rest\/record\/v1\/invoice\/\d+\/!transform\/creditMemo(\?replace=[a-zA-Z,]+)?$/,
    shape: CREDIT_MEMO_TRANSFORM,
    name: 'invoice → creditMemo transform',
  },
  {
    method: 'PUT',
    path: /^\/services\/rest\/record\/v1\/customerPayment\/eid:/,
    shape: CUSTOMER_PAYMENT,
    name: 'customerPayment',
  },
  {
    method: 'PUT',
    path: /^\/services\/rest\/record\/v1\/journalEntry\/eid:/,
    shape: JOURNAL_ENTRY,
    name: 'journalEntry',
  },
  {
    method: 'PUT',
    path: /^\/services\/rest\/record\/v1\/customrecord_rl_revenue_schedule\/eid:/,
    shape: REVENUE_SCHEDULE,
    name: 'revenue schedule',
  },
];

const issues = (shape: DocumentedShape, body: unknown): string[] => {
  const parsed = shape.schema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

/** A JSON value whose property reads are recorded (the fields the adapter reads from a response). */
function recording(value: unknown, read: Set<string>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

const taxedInvoice = (externalId: string, tranDate = '2026-01-01'): ErpDocument => ({
  externalId,
  customerExternalId: 'CUS-K1',
  subsidiary: 'US',
  currency: 'USD',
  tranDate,
  contractId: 'C-K1',
  memo: 'Contract test',
  lines: [
    {
      itemExternalId: 'ITEM-SEAT',
      amountMinor: '1200000',
      taxMinor: '96000',
      productClass: 'SEAT',
      obligationId: 'seats',
      serviceStart: '2026-01-01',
      serviceEnd: '2026-12-31',
    },
    { itemExternalId: 'ITEM-TRAINING', amountMinor: '150000', taxMinor: '0', description: 'Training day' },
  ],
});

/** An invoice whose seats line carries the obligation's revenue plan (period close: no schedule record). */
const plannedInvoice = (externalId: string): ErpDocument => ({
  ...taxedInvoice(externalId),
  lines: [
    {
      ...taxedInvoice(externalId).lines[0],
      revenueSchedule: {
        scheduleVersion: 1,
        periods: [
          { period: '2026-01', amountMinor: '101918' },
          { period: '2026-02', amountMinor: '92055' },
          { period: '2026-03', amountMinor: '1006027' },
        ],
      },
    },
  ],
});

describe("NetSuite record contract: the adapter's requests against Oracle's documented shapes, and the sandbox with them", () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let erp: ErpPort;
  const sent: NetSuiteRequest[] = [];
  const read = new Set<string>();
  /** Every HTTP request as it goes on the wire: its URL and its Prefer header. */
  const wire: Array<{ url: string; prefer: unknown }> = [];
  /** The DELETEs the sandbox answered with a success. */
  const deleted: Array<{ path: string; status: number }> = [];

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url));
    erp = app.app.get(ErpPort);
    app.app.get(HttpService).axiosRef.interceptors.request.use((config) => {
      wire.push({ url: config.url ?? '', prefer: config.headers.get('prefer') });
      return config;
    });
    const client = app.app.get(NetSuiteClient);
    const original = client.request.bind(client);
    vi.spyOn(client, 'request').mockImplementation(async (request) => {
      sent.push(request);
      const response = await original(request);
      if (request.method === 'DELETE') deleted.push({ path: request.path, status: response.status });
      const isRecordRead = request.method === 'GET' && request.path.startsWith(RECORD);
      return isRecordRead ? { ...response, data: recording(response.data, read) } : response;
    });

    // Every kind of record the adapter writes, as a Q2C run makes them.
    await sandbox.admin('reset');
    await erp.upsertCustomer({
      externalId: 'CUS-K1',
      name: 'Contract Co',
      email: 'ap@contract.example',
      subsidiary: 'US',
      currency: 'USD',
      address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
    });
    await erp.postInvoice(taxedInvoice('INV-K1'));
    await erp.postCreditMemo({
      ...taxedInvoice('CM-K1', '2026-01-20'),
      appliesToExternalId: 'INV-K1',
      lines: [{ itemExternalId: 'ITEM-SEAT', amountMinor: '100000', taxMinor: '8000', productClass: 'SEAT' }],
    });
    await erp.postCreditMemo({
      ...taxedInvoice('CM-K2', '2026-01-21'),
      lines: [{ itemExternalId: 'ITEM-SEAT', amountMinor: '5000' }],
    });
    await erp.postPayment({
      externalId: 'PAY-K1',
      customerExternalId: 'CUS-K1',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-01-25',
      amountMinor: '500000',
      contractId: 'C-K1',
      appliesTo: [{ invoiceExternalId: 'INV-K1', amountMinor: '500000' }],
    });
    await erp.postInvoice(plannedInvoice('INV-K4'));
    await erp.postInvoice(taxedInvoice('INV-K2'));
    await erp.voidInvoice({ invoiceExternalId: 'INV-K2', externalId: 'VOID-INV-K2', tranDate: '2026-01-26' });
    await erp.upsertRevenueSchedule({
      externalId: 'RS-K1',
      contractId: 'C-K1',
      obligationId: 'seats',
      scheduleVersion: 1,
      currency: 'USD',
      periods: [{ period: '2026-01', amountMinor: '101918' }],
    });
    await erp.postRevenueJournal({
      externalId: 'RJ-K1',
      contractId: 'C-K1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: 1,
      productClass: 'SEAT',
      subsidiary: 'US',
      amount: { amountMinor: '101918', currency: 'USD' },
    });
    // A journal whose amount became zero is deleted (removeIfPresent); one never posted is not there to delete.
    const journal = {
      contractId: 'C-K1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: 2,
      productClass: 'SEAT',
      subsidiary: 'US',
    };
    await erp.postRevenueJournal({
      ...journal,
      externalId: 'RJ-K2',
      amount: { amountMinor: '500', currency: 'USD' },
    });
    await erp.postRevenueJournal({
      ...journal,
      externalId: 'RJ-K2',
      amount: { amountMinor: '0', currency: 'USD' },
    });
    await erp.postRevenueJournal({
      ...journal,
      externalId: 'RJ-K9',
      amount: { amountMinor: '0', currency: 'USD' },
    });
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app.close();
    await sandbox.close();
    await db.drop();
  });

  it('sends every record write in the shape its documentation section gives, and no write it does not know', () => {
    const writes = sent.filter(
      (r) => r.method !== 'GET' && r.method !== 'DELETE' && r.path.startsWith(RECORD),
    );
    const seen = new Set<string>();
    for (const write of writes) {
      const kind = WRITES.find((w) => w.method === write.method && w.path.test(write.path));
      expect(kind, `${write.method} ${write.path} matches no documented write`).toBeDefined();
      if (!kind) continue;
      seen.add(kind.name);
      expect(issues(kind.shape, write.body), `${kind.name}: ${JSON.stringify(write.body)}`).toEqual([]);
    }
    expect([...seen].sort()).toEqual(WRITES.map((w) => w.name).sort());
  });

  it('names in `replace` every sublist an upsert carries, so a re-sent upsert never adds its lines twice', () => {
    // "Updating a Record": an update adds the sublist lines sent to the record's own unless `replace` names the sublist.
    const sublists = ['item', 'taxDetails', 'apply', 'line', 'addressBook'];
    const upserts = sent.filter((r) => r.method === 'PUT' && r.path.startsWith(RECORD));
    expect(upserts.length).toBeGreaterThan(0);
    let withSublists = 0;
    for (const upsert of upserts) {
      const carried = Object.keys(upsert.body as object).filter((key) => sublists.includes(key));
      if (carried.length > 0) withSublists += 1;
      const replaced = new URL(upsert.path, 'http://netsuite').searchParams.get('replace')?.split(',') ?? [];
      expect(replaced.sort(), upsert.path).toEqual(carried.sort());
    }
    expect(withSublists).toBeGreaterThan(0);
  });

  it('sends no legacy tax field, no createdFrom and no apply line by external id', () => {
    const bodies = JSON.stringify(sent.map((r) => r.body));
    for (const field of ['tax1Amt', 'taxRate1', 'isTaxable', 'createdFrom'])
      expect(bodies).not.toContain(`"${field}"`);
    const applyDocs = sent.flatMap(
      (r) =>
        (r.body as { apply?: { items: Array<{ doc: unknown; line?: unknown }> } } | undefined)?.apply
          ?.items ?? [],
    );
    expect(applyDocs.length).toBeGreaterThan(0);
    for (const a of applyDocs)
      expect(a).toMatchObject({ doc: { id: expect.stringMatching(/^\d+$/) as unknown }, line: 0 });
  });

  it(`deletes a journal entry as "${RECORD_DELETE.section}" documents: by external id, no body`, async () => {
    const deletes = sent.filter((r) => r.method === 'DELETE');
    expect(deletes.map((r) => r.path)).toEqual([
      `${RECORD}/journalEntry/eid:RJ-K2`,
      `${RECORD}/journalEntry/eid:RJ-K9`,
    ]);
    for (const d of deletes) {
      expect(d.path).toMatch(RECORD_DELETE.path);
      expect(d.body).toBeUndefined();
    }
    // The sandbox deleted the one that was there; the other answers not found, as it did to the DELETE.
    const call = tbaClient(sandbox.url);
    expect((await call('GET', `${RECORD}/journalEntry/eid:RJ-K1`)).status).toBe(200);
    const gone = await call('GET', `${RECORD}/journalEntry/eid:RJ-K2`);
    expect(gone.status).toBe(404);
    expect(deleted).toEqual([{ path: `${RECORD}/journalEntry/eid:RJ-K2`, status: RECORD_DELETE.status }]);
  });

  it(`answers errors as "${ERROR_RESPONSE_SOURCE.section}" documents: every detail in o:errorDetails`, async () => {
    const call = tbaClient(sandbox.url);
    const res = await call('DELETE', `${RECORD}/journalEntry/eid:RJ-K9`);
    expect(res.status).toBe(404);
    const body = res.body as { status?: unknown; 'o:errorDetails'?: unknown };
    expect(body.status).toBe(404);
    expect(Array.isArray(body['o:errorDetails'])).toBe(true);
    for (const d of body['o:errorDetails'] as unknown[])
      expect(d).toMatchObject({
        detail: expect.any(String) as unknown,
        'o:errorCode': expect.any(String) as unknown,
      });
  });

  it(`sends Prefer: transient on SuiteQL requests and on no record request ("${PREFER_TRANSIENT_SOURCE.section}")`, () => {
    const isSuiteQl = (url: string) => new URL(url).pathname === PREFER_TRANSIENT_ONLY_ON;
    expect(wire.some((w) => isSuiteQl(w.url))).toBe(true);
    expect(wire.some((w) => new URL(w.url).pathname.startsWith(RECORD))).toBe(true);
    for (const w of wire)
      expect({ url: w.url, prefer: w.prefer ?? null }).toEqual({
        url: w.url,
        prefer: isSuiteQl(w.url) ? 'transient' : null,
      });
  });

  it('reads only the documented fields of a record it gets back', () => {
    expect(read.size).toBeGreaterThan(0);
    expect([...read].filter((f) => !RECORD_READ_FIELDS.has(f))).toEqual([]);
  });

  it("carries an invoice line's revenue plan as custom column fields, which the sandbox stores and SuiteQL reads", async () => {
    const put = sent.find((r) => r.method === 'PUT' && r.path.startsWith(`${RECORD}/invoice/eid:INV-K4`));
    const items = (put?.body as { item: { items: Array<Record<string, unknown>> } } | undefined)?.item.items;
    expect(items?.[0]).toMatchObject({
      custcol_rl_contract: 'C-K1',
      custcol_rl_obligation: 'seats',
      revRecStartDate: '2026-01-01',
      revRecEndDate: '2026-12-31',
      custcol_rl_schedule_version: 1,
      custcol_rl_schedule_total: '12000.00',
      custcol_rl_schedule_periods:
        '[{"period":"2026-01","amount":"1019.18"},{"period":"2026-02","amount":"920.55"},{"period":"2026-03","amount":"10060.27"}]',
    });
    expect(issues(INVOICE, put?.body)).toEqual([]);
    const rows = await sandbox.suiteql(
      'SELECT tl.custcol_rl_obligation, tl.custcol_rl_schedule_version, tl.custcol_rl_schedule_total, ' +
        'tl.custcol_rl_schedule_periods FROM transactionline tl JOIN transaction t ON t.id = tl.transaction ' +
        "WHERE t.externalid = 'INV-K4' AND tl.custcol_rl_schedule_version IS NOT NULL",
    );
    expect(rows).toEqual([
      {
        custcol_rl_obligation: 'seats',
        custcol_rl_schedule_version: '1',
        custcol_rl_schedule_total: '12000.00',
        custcol_rl_schedule_periods: items?.[0]?.custcol_rl_schedule_periods,
      },
    ]);
  });

  it('sends the tax of an account without SuiteTax as a documented item line', () => {
    const body = documentBody(
      taxedInvoice('INV-K3'),
      { subsidiary: '1', currency: '1' },
      {
        mode: 'tax_item',
        taxTypeId: '1',
        taxCodeId: '1',
        taxItemExternalId: 'ITEM-SALES-TAX',
      },
    );
    expect(issues(INVOICE, body)).toEqual([]);
  });

  describe('the sandbox refuses what the documentation refuses, and takes what it documents', () => {
    const customer = { externalId: 'CUS-K1' };
    const header = { tranDate: '2026-01-02', subsidiary: { id: '1' }, currency: { id: '1' } };
    const line = { item: { externalId: 'ITEM-SEAT' }, amount: 100 };
    const invoiceId = async () =>
      ((await tbaClient(sandbox.url)('GET', `${RECORD}/invoice/eid:INV-K1`)).body as { id: string }).id;

    const cases = async (): Promise<
      Array<{
        name: string;
        method: string;
        path: string;
        body: unknown;
        shape: DocumentedShape;
        documented: boolean;
      }>
    > => {
      const id = await invoiceId();
      return [
        {
          name: 'an item line with the legacy tax1Amt',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: { ...header, entity: customer, item: { items: [{ ...line, tax1Amt: 8 }] } },
          shape: INVOICE,
          documented: false,
        },
        {
          name: 'tax details without the override checked',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: {
            ...header,
            entity: customer,
            item: { items: [{ ...line, taxDetailsReference: 'A' }] },
            taxDetails: {
              items: [
                {
                  taxDetailsReference: 'A',
                  taxType: { id: '1' },
                  taxCode: { id: '1' },
                  taxBasis: 100,
                  taxRate: 8,
                  taxAmount: 8,
                },
              ],
            },
          },
          shape: INVOICE,
          documented: false,
        },
        {
          name: 'a tax details line naming no item line',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: {
            ...header,
            entity: customer,
            item: { items: [line] },
            taxDetailsOverride: true,
            taxDetails: {
              items: [
                {
                  taxDetailsReference: 'B',
                  taxType: { id: '1' },
                  taxCode: { id: '1' },
                  taxBasis: 100,
                  taxRate: 8,
                  taxAmount: 8,
                },
              ],
            },
          },
          shape: INVOICE,
          documented: false,
        },
        {
          name: 'a SuiteTax invoice with the override checked',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: {
            ...header,
            entity: customer,
            item: { items: [{ ...line, taxDetailsReference: 'A' }] },
            taxDetailsOverride: true,
            taxDetails: {
              items: [
                {
                  taxDetailsReference: 'A',
                  taxType: { id: '1' },
                  taxCode: { id: '1' },
                  taxBasis: 100,
                  taxRate: 8,
                  taxAmount: 8,
                },
              ],
            },
          },
          shape: INVOICE,
          documented: true,
        },
        {
          name: 'an item line carrying its revenue plan columns',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: {
            ...header,
            entity: customer,
            item: {
              items: [
                {
                  ...line,
                  custcol_rl_obligation: 'seats',
                  custcol_rl_schedule_version: 2,
                  custcol_rl_schedule_total: '100.00',
                  custcol_rl_schedule_periods:
                    '[{"period":"2026-01","amount":"40.00"},{"period":"2026-02","amount":"60.00"}]',
                },
              ],
            },
          },
          shape: INVOICE,
          documented: true,
        },
        {
          name: 'an item line with a custom column field the account does not have',
          method: 'POST',
          path: `${RECORD}/invoice`,
          body: { ...header, entity: customer, item: { items: [{ ...line, custcol_rl_schedule: 'x' }] } },
          shape: INVOICE,
          documented: false,
        },
        {
          name: 'a credit memo linked by createdFrom: { externalId }',
          method: 'POST',
          path: `${RECORD}/creditMemo`,
          body: {
            ...header,
            entity: customer,
            createdFrom: { externalId: 'INV-K1' },
            item: { items: [line] },
          },
          shape: CREDIT_MEMO,
          documented: false,
        },
        {
          name: 'a payment applied to a doc by external id',
          method: 'POST',
          path: `${RECORD}/customerPayment`,
          body: {
            ...header,
            customer,
            payment: 10,
            apply: { items: [{ doc: { externalId: 'INV-K1' }, apply: true, amount: 10 }] },
          },
          shape: CUSTOMER_PAYMENT,
          documented: false,
        },
        {
          name: 'a payment applied to a doc by internal id and line',
          method: 'POST',
          path: `${RECORD}/customerPayment`,
          body: {
            ...header,
            customer,
            payment: 10,
            apply: { items: [{ doc: { id }, line: 0, apply: true, amount: 10 }] },
          },
          shape: CUSTOMER_PAYMENT,
          documented: true,
        },
      ];
    };

    it('answers each case as the documented shape does', async () => {
      const call = tbaClient(sandbox.url);
      for (const c of await cases()) {
        expect(issues(c.shape, c.body).length === 0, `reference on ${c.name}`).toBe(c.documented);
        const res = await call(c.method, c.path, c.body);
        expect(res.status < 300, `sandbox on ${c.name}: ${res.status} ${JSON.stringify(res.body)}`).toBe(
          c.documented,
        );
        if (!c.documented) expect(res.status, c.name).toBe(400);
      }
    });

    it("refuses a line's revenue plan whose periods do not sum to its total, or given in part", async () => {
      const call = tbaClient(sandbox.url);
      const plan = {
        custcol_rl_obligation: 'seats',
        custcol_rl_schedule_version: 1,
        custcol_rl_schedule_total: '100.00',
        custcol_rl_schedule_periods:
          '[{"period":"2026-01","amount":"40.00"},{"period":"2026-02","amount":"60.01"}]',
      };
      const post = (item: Record<string, unknown>) =>
        call('POST', `${RECORD}/invoice`, {
          ...header,
          entity: customer,
          item: { items: [{ ...line, ...item }] },
        });
      const unbalanced = await post(plan);
      expect(unbalanced.status).toBe(400);
      expect(JSON.stringify(unbalanced.body)).toContain('custcol_rl_schedule_total');
      expect((await post({ ...plan, custcol_rl_schedule_periods: undefined })).status).toBe(400);
    });
  });
});
