import {
  ErpPort,
  ErpRejectedError,
  ErpUnavailableError,
  revenueJournalExternalId,
  revenueScheduleExternalId,
} from '@revline/erp-port';
import type { ErpDocument } from '@revline/erp-port';
import type { RevenueContract } from '@revline/revenue';
import { computeSchedules } from '@revline/revenue';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import { NetSuiteClient } from '../../apps/system-erp/src/netsuite/netsuite-client';
import { documentBody } from '../../apps/system-erp/src/netsuite/netsuite-records';

const documentBodyOf = (doc: ErpDocument) =>
  documentBody(
    doc,
    { subsidiary: '1', currency: '1' },
    { mode: 'suitetax', taxTypeId: '1', taxCodeId: '1', taxItemExternalId: 'ITEM-SALES-TAX' },
  );

const G1: RevenueContract = {
  contractId: 'C-G1',
  currency: 'USD',
  termStart: '2026-01-01',
  termEnd: '2026-12-31',
  billingFrequency: 'annual',
  billingTiming: 'advance',
  lines: [
    {
      lineId: 'seats',
      productCode: 'SEAT',
      pobId: 'seats',
      chargeType: 'recurring',
      quantity: '10',
      unitPrice: '100',
      unitPricePeriod: 'month',
      netAmount: { amountMinor: '1200000', currency: 'USD' },
      serviceStart: '2026-01-01',
      serviceEnd: '2026-12-31',
      revenueTreatment: 'ratable_daily',
    },
  ],
};

const invoice = (externalId: string, amountMinor = '1200000', tranDate = '2026-01-01'): ErpDocument => ({
  externalId,
  customerExternalId: 'CUS-G1',
  subsidiary: 'US',
  currency: 'USD',
  tranDate,
  contractId: 'C-G1',
  lines: [
    { itemExternalId: 'SEAT', amountMinor, productClass: 'SEAT', obligationId: 'seats', taxMinor: '0' },
  ],
});

describe('NetSuite adapter against the sandbox', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let erp: ErpPort;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url));
    erp = app.app.get(ErpPort);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });
  beforeEach(async () => {
    await sandbox.admin('reset');
    await erp.upsertCustomer({
      externalId: 'CUS-G1',
      name: 'Acme Analytics',
      subsidiary: 'US',
      currency: 'USD',
    });
  });

  it('upserts a customer by external id: the second call updates the same record', async () => {
    const first = await erp.upsertCustomer({
      externalId: 'CUS-2',
      name: 'Beta',
      subsidiary: 'UK',
      currency: 'GBP',
    });
    const again = await erp.upsertCustomer({
      externalId: 'CUS-2',
      name: 'Beta Ltd',
      subsidiary: 'UK',
      currency: 'GBP',
    });
    expect(again.erpId).toBe(first.erpId);
    expect(
      await sandbox.suiteql(
        "SELECT companyname, subsidiary, currency FROM customer WHERE externalid = 'CUS-2'",
      ),
    ).toEqual([{ companyname: 'Beta Ltd', subsidiary: '2', currency: '2' }]);
  });

  it('posts invoices, credit memos and payments once each, however often they are sent', async () => {
    const inv = await erp.postInvoice(invoice('INV-1'));
    expect((await erp.postInvoice(invoice('INV-1'))).erpId).toBe(inv.erpId);
    const cm = await erp.postCreditMemo({
      ...invoice('CM-1', '151233', '2026-10-01'),
      appliesToExternalId: 'INV-1',
    });
    const pay = await erp.postPayment({
      externalId: 'PAY-1',
      customerExternalId: 'CUS-G1',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-01-20',
      // What the invoice still asks for once the credit memo made from it is applied (NetSuite refuses more).
      amountMinor: '1048767',
      contractId: 'C-G1',
      appliesTo: [{ invoiceExternalId: 'INV-1', amountMinor: '1048767' }],
    });
    await erp.postPayment({
      ...{
        externalId: 'PAY-1',
        customerExternalId: 'CUS-G1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-01-20',
        amountMinor: '1048767',
        appliesTo: [],
      },
    });
    expect(new Set([inv.erpId, cm.erpId, pay.erpId]).size).toBe(3);
    expect(await sandbox.suiteql('SELECT externalid, type FROM transaction ORDER BY externalid')).toEqual([
      { externalid: 'CM-1', type: 'CustCred' },
      { externalid: 'INV-1', type: 'CustInvc' },
      { externalid: 'PAY-1', type: 'CustPymt' },
    ]);

    const invoices = [];
    for await (const page of erp.exportDocuments('invoice', '2026-01')) invoices.push(...page);
    expect(invoices).toEqual([
      expect.objectContaining({
        kind: 'invoice',
        externalId: 'INV-1',
        contractId: 'C-G1',
        total: { amountMinor: '1200000', currency: 'USD' },
      }),
    ]);
    const credits = [];
    for await (const page of erp.exportDocuments('creditMemo', '2026-10')) credits.push(...page);
    expect(credits.map((c) => [c.total.amountMinor, c.tax?.amountMinor])).toEqual([['151233', '0']]);
    expect(invoices.map((i) => i.tax)).toEqual([{ amountMinor: '0', currency: 'USD' }]);
    const payments = [];
    for await (const page of erp.exportDocuments('payment', '2026-01')) payments.push(...page);
    expect(payments.map((p) => [p.externalId, p.total.amountMinor, p.tax])).toEqual([
      ['PAY-1', '1048767', null],
    ]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it("carries a document's tax into NetSuite's tax total, and reads it back beside the total it is part of", async () => {
    await erp.postInvoice({
      ...invoice('INV-TAX'),
      lines: [
        { itemExternalId: 'SEAT', amountMinor: '800000', taxMinor: '64000', productClass: 'SEAT' },
        { itemExternalId: 'SEAT', amountMinor: '400000', taxMinor: '32000', productClass: 'SEAT' },
      ],
    });
    await erp.postCreditMemo({
      ...invoice('CM-TAX', '100000', '2026-01-15'),
      appliesToExternalId: 'INV-TAX',
      lines: [{ itemExternalId: 'SEAT', amountMinor: '100000', taxMinor: '8000', productClass: 'SEAT' }],
    });
    expect(
      await sandbox.suiteql('SELECT externalid, foreigntotal, taxtotal FROM transaction ORDER BY externalid'),
    ).toEqual([
      { externalid: 'CM-TAX', foreigntotal: '1080.00', taxtotal: '80.00' },
      { externalid: 'INV-TAX', foreigntotal: '12960.00', taxtotal: '960.00' },
    ]);
    const read = async (kind: 'invoice' | 'creditMemo') => {
      const out = [];
      for await (const page of erp.exportDocuments(kind, '2026-01')) out.push(...page);
      return out.map((d) => [d.externalId, d.total.amountMinor, d.tax?.amountMinor]);
    };
    expect(await read('invoice')).toEqual([['INV-TAX', '1296000', '96000']]);
    expect(await read('creditMemo')).toEqual([['CM-TAX', '108000', '8000']]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('credits an invoice by transforming it (linked and applied), and a paid one with a standalone credit memo', async () => {
    const inv = await erp.postInvoice(invoice('INV-C1'));
    const credit = { ...invoice('CM-C1', '300000', '2026-02-01'), appliesToExternalId: 'INV-C1' };
    const cm = await erp.postCreditMemo(credit);
    // Sent again (a retry after a lost answer), the credit memo made first is answered.
    expect(await erp.postCreditMemo(credit)).toEqual(cm);
    const call = tbaClient(sandbox.url);
    const made = (await call('GET', `/services/rest/record/v1/creditMemo/${cm.erpId}`)).body;
    expect(made).toMatchObject({
      externalId: 'CM-C1',
      tranDate: '2026-02-01',
      createdFrom: { id: inv.erpId },
      item: { items: [{ amount: 3000 }] },
      apply: { items: [{ doc: { id: inv.erpId }, line: 0, apply: true, amount: 3000 }] },
    });
    // The payment names the invoice by internal id and line; the rest of the invoice paid, a later credit note
    // cannot be made from it and stands alone as the customer's credit.
    const paid = await erp.postPayment({
      externalId: 'PAY-C1',
      customerExternalId: 'CUS-G1',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-02-10',
      amountMinor: '900000',
      appliesTo: [{ invoiceExternalId: 'INV-C1', amountMinor: '900000' }],
    });
    expect((await call('GET', `/services/rest/record/v1/customerPayment/${paid.erpId}`)).body).toMatchObject({
      apply: { items: [{ doc: { id: inv.erpId }, line: 0, apply: true, amount: 9000 }] },
    });
    const late = await erp.postCreditMemo({ ...credit, externalId: 'CM-C2', tranDate: '2026-03-01' });
    const alone = (await call('GET', `/services/rest/record/v1/creditMemo/${late.erpId}`)).body;
    expect(alone).toMatchObject({ externalId: 'CM-C2', tranDate: '2026-03-01' });
    expect(alone).not.toHaveProperty('createdFrom');
    // A payment or credit note for an invoice NetSuite does not hold yet waits for it.
    await expect(
      erp.postPayment({
        externalId: 'PAY-C2',
        customerExternalId: 'CUS-G1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-02-10',
        amountMinor: '100',
        appliesTo: [{ invoiceExternalId: 'INV-LATER', amountMinor: '100' }],
      }),
    ).rejects.toBeInstanceOf(ErpUnavailableError);
    await expect(
      erp.postCreditMemo({ ...credit, externalId: 'CM-C3', appliesToExternalId: 'INV-LATER' }),
    ).rejects.toBeInstanceOf(ErpUnavailableError);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('posts G1 as schedule and January journal: 10,980.82 deferred at 2026-01-31 in the sandbox ledger', async () => {
    const result = computeSchedules(G1);
    const seats = result.obligations.find((o) => o.pobId === 'seats');
    if (!seats) throw new Error('no seats obligation');
    const january = seats.periods.find((p) => p.period === '2026-01');
    expect(january?.amountMinor).toBe(101918n);

    await erp.postInvoice(invoice('INV-G1'));
    const schedule = await erp.upsertRevenueSchedule({
      externalId: revenueScheduleExternalId('C-G1', 'seats', result.scheduleVersion),
      contractId: 'C-G1',
      obligationId: 'seats',
      scheduleVersion: result.scheduleVersion,
      currency: 'USD',
      periods: seats.periods.map((p) => ({ period: p.period, amountMinor: p.amountMinor.toString() })),
    });
    expect(schedule.erpId).toMatch(/^\d+$/);
    const journal = await erp.postRevenueJournal({
      externalId: revenueJournalExternalId('C-G1', 'seats', '2026-01', 1),
      contractId: 'C-G1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: 1,
      amount: { amountMinor: String(january?.amountMinor), currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    });
    expect(journal?.erpId).toMatch(/^\d+$/);

    const [deferred] = await sandbox.suiteql(
      "SELECT SUM(amount) AS balance FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '4' AND custcol_rl_contract = 'C-G1' AND trandate <= '2026-01-31'",
    );
    expect(deferred).toEqual({ balance: '-10980.82' });
    expect(await erp.contractBalances('C-G1', '2026-01')).toEqual({
      contractId: 'C-G1',
      asOfPeriod: '2026-01',
      balances: [
        {
          currency: 'USD',
          deferredMinor: '1098082',
          recognisedMinor: '101918',
          receivableMinor: '1200000',
          unbilledMinor: '0',
        },
      ],
    });
    expect(await erp.revenuePostings('2026-01')).toEqual([
      {
        period: '2026-01',
        contractId: 'C-G1',
        obligationId: 'seats',
        productClass: 'SEAT',
        subsidiary: '1',
        amount: { amountMinor: '101918', currency: 'USD' },
      },
    ]);
    const stored = await sandbox.suiteql(
      'SELECT custrecord_rl_total, custrecord_rl_version FROM customrecord_rl_revenue_schedule',
    );
    expect(stored).toEqual([{ custrecord_rl_total: '12000.00', custrecord_rl_version: '1' }]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('books G1 back-dated: January..March revenue in the unbilled receivable, cleared by the April invoice', async () => {
    const seats = computeSchedules(G1).obligations.find((o) => o.pobId === 'seats');
    const months = ['2026-01', '2026-02', '2026-03', '2026-04'];
    const journal = (period: string, amountMinor: string, kind: 'recognition' | 'contract_asset') => ({
      externalId: revenueJournalExternalId(
        'C-G1',
        kind === 'recognition' ? 'seats' : 'contract-asset',
        period,
        1,
      ),
      contractId: 'C-G1',
      obligationId: kind === 'recognition' ? 'seats' : 'contract-asset',
      period,
      scheduleVersion: 1,
      amount: { amountMinor, currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
      kind,
    });
    const posted = await erp.postInvoice({
      ...invoice('INV-BACK', '1200000', '2026-04-01'),
      lines: [
        {
          itemExternalId: 'SEAT',
          amountMinor: '1200000',
          productClass: 'SEAT',
          obligationId: 'seats',
          serviceStart: '2026-01-01',
          serviceEnd: '2026-12-31',
        },
      ],
    });
    for (const period of months) {
      const amount = seats?.periods.find((p) => p.period === period)?.amountMinor ?? 0n;
      await erp.postRevenueJournal(journal(period, amount.toString(), 'recognition'));
    }
    // The contract-asset movements Revline computes (G1's months until the invoice, then the invoice clears them).
    for (const [period, amount] of [
      ['2026-01', '101918'],
      ['2026-02', '92055'],
      ['2026-03', '101917'],
      ['2026-04', '-295890'],
    ] as const)
      await erp.postRevenueJournal(journal(period, amount, 'contract_asset'));

    const at = async (period: string) => (await erp.contractBalances('C-G1', period)).balances;
    expect(await at('2026-03')).toEqual([
      {
        currency: 'USD',
        deferredMinor: '0',
        recognisedMinor: '295890',
        receivableMinor: '0',
        unbilledMinor: '295890',
      },
    ]);
    expect(await at('2026-04')).toEqual([
      {
        currency: 'USD',
        deferredMinor: '805479',
        recognisedMinor: '394521',
        receivableMinor: '1200000',
        unbilledMinor: '0',
      },
    ]);
    // Deferred revenue (account 4, a credit balance) is never a debit at any month end.
    for (const end of ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']) {
      const rows = await sandbox.suiteql(
        `SELECT SUM(amount) AS balance FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '4' AND custcol_rl_contract = 'C-G1' AND trandate <= '${end}'`,
      );
      expect(Number(rows.at(0)?.balance ?? '0')).toBeLessThanOrEqual(0);
    }
    const exported = [];
    for await (const page of erp.exportContractBalances('2026-03')) exported.push(...page);
    expect(exported.filter((r) => r.balance === 'unbilled')).toEqual([
      { contractId: 'C-G1', currency: 'USD', balance: 'unbilled', amountMinor: '295890' },
    ]);
    expect(posted.erpId).toMatch(/^\d+$/);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('refuses an invoice line whose service period ends before it starts, as NetSuite does', async () => {
    const refused = erp.postInvoice({
      ...invoice('INV-BAD-PERIOD'),
      lines: [
        { itemExternalId: 'SEAT', amountMinor: '100', serviceStart: '2026-12-31', serviceEnd: '2026-01-01' },
      ],
    });
    await expect(refused).rejects.toBeInstanceOf(ErpRejectedError);
    await expect(refused).rejects.toMatchObject({ category: 'validation' });
  });

  it('reverses a negative recognition and removes a journal whose amount became zero', async () => {
    const base = {
      contractId: 'C-G1',
      obligationId: 'seats',
      period: '2026-02',
      scheduleVersion: 3,
      productClass: 'SEAT',
      subsidiary: 'US',
    };
    const externalId = revenueJournalExternalId('C-G1', 'seats', '2026-02', 3);
    await erp.postRevenueJournal({ ...base, externalId, amount: { amountMinor: '-5000', currency: 'USD' } });
    const [revenue] = await sandbox.suiteql(
      "SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'",
    );
    expect(revenue).toEqual({ b: '50.00' });
    expect(
      await erp.postRevenueJournal({ ...base, externalId, amount: { amountMinor: '0', currency: 'USD' } }),
    ).toBeNull();
    expect(await sandbox.suiteql("SELECT id FROM transaction WHERE type = 'Journal'")).toEqual([]);
  });

  it('voids an invoice with a credit memo made from it, once however often asked, and refuses what NetSuite refuses', async () => {
    const posted = await erp.postInvoice(invoice('INV-V1'));
    const reversal = { invoiceExternalId: 'INV-V1', externalId: 'VOID-INV-V1', tranDate: '2026-01-01' };
    const first = await erp.voidInvoice(reversal);
    expect(first).toMatchObject({ kind: 'creditMemo', externalId: 'VOID-INV-V1' });
    // A retry after a lost answer finds the credit memo made before.
    expect(await erp.voidInvoice(reversal)).toEqual(first);
    expect(
      await sandbox.suiteql(
        "SELECT id, externalid, type, foreigntotal FROM transaction WHERE custbody_rl_contract = 'C-G1' ORDER BY id",
      ),
    ).toEqual([
      { id: posted.erpId, externalid: 'INV-V1', type: 'CustInvc', foreigntotal: '12000.00' },
      { id: first.erpId, externalid: 'VOID-INV-V1', type: 'CustCred', foreigntotal: '12000.00' },
    ]);
    expect((await erp.contractBalances('C-G1', '2026-01')).balances).toEqual([
      { currency: 'USD', deferredMinor: '0', recognisedMinor: '0', receivableMinor: '0', unbilledMinor: '0' },
    ]);
    // An invoice already credited in full cannot be reversed under another id.
    await expect(erp.voidInvoice({ ...reversal, externalId: 'VOID-INV-V1-B' })).rejects.toMatchObject({
      category: 'validation',
      vendorCode: 'INVALID_INITIALIZE_REF',
    });
    // One not there (yet: its own posting may still be on its way) is worth another try later.
    await expect(erp.voidInvoice({ ...reversal, invoiceExternalId: 'INV-NONE' })).rejects.toBeInstanceOf(
      ErpUnavailableError,
    );
    // A closed period refuses the reversal as it refuses any posting.
    await erp.postInvoice(invoice('INV-V2'));
    await sandbox.admin('periods/2026-01/close');
    try {
      await expect(
        erp.voidInvoice({ invoiceExternalId: 'INV-V2', externalId: 'VOID-INV-V2', tranDate: '2026-01-01' }),
      ).rejects.toMatchObject({ category: 'closed_period', vendorCode: 'USER_ERROR' });
    } finally {
      await sandbox.admin('periods/2026-01/reopen');
    }
  });

  it('refuses a posting to a closed period as a rejection with NetSuite code, and writes nothing', async () => {
    await sandbox.admin('periods/2026-01/close');
    try {
      const error = await erp.postInvoice(invoice('INV-CLOSED')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ErpRejectedError);
      expect(error).toMatchObject({
        category: 'closed_period',
        vendorCode: 'USER_ERROR',
        field: 'postingPeriod',
      });
      expect(await sandbox.suiteql('SELECT id FROM transaction')).toEqual([]);
    } finally {
      await sandbox.admin('periods/2026-01/reopen');
    }
  });

  it('keeps NetSuite validation codes on rejections (unknown customer, bad external id)', async () => {
    await expect(
      erp.postInvoice({ ...invoice('INV-X'), customerExternalId: 'NOBODY' }),
    ).rejects.toMatchObject({
      category: 'validation',
      vendorCode: 'INVALID_KEY_OR_REF',
    });
    await expect(erp.postInvoice(invoice('INV/X'))).rejects.toMatchObject({
      vendorCode: 'INVALID_EXTERNAL_ID',
    });
  });

  it('keeps every error detail of a refusal, the first naming its code and field', async () => {
    const refusal = await app.app
      .get(NetSuiteClient)
      .request({
        method: 'PUT',
        path: '/services/rest/record/v1/invoice/eid:INV-BAD',
        body: { ...documentBodyOf(invoice('INV-BAD')), surprise: 1, tranDate: 'soon' },
      })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ErpRejectedError);
    expect(refusal).toMatchObject({
      category: 'validation',
      vendorCode: 'INVALID_CONTENT',
      field: 'surprise',
    });
    expect((refusal as Error).message).toMatch(
      /INVALID_CONTENT at surprise: .*; INVALID_CONTENT at tranDate: /,
    );
  });

  it('backs off and retries in place when NetSuite answers 429', async () => {
    await sandbox.admin('faults', { rateLimitRate: 0.5, seed: 11 });
    try {
      for (let i = 0; i < 10; i += 1) await erp.postInvoice(invoice(`INV-429-${i}`));
    } finally {
      await sandbox.admin('faults', { rateLimitRate: 0 });
    }
    expect((await sandbox.stats()).faults.rateLimited).toBeGreaterThan(0);
    expect(await sandbox.suiteql("SELECT id FROM transaction WHERE type = 'CustInvc'")).toHaveLength(10);
  });

  it('opens the circuit after repeated 5xx, fails fast while open, and closes once NetSuite recovers', async () => {
    await sandbox.admin('faults', { serverErrorRate: 1 });
    const codes: Array<string | undefined> = [];
    try {
      while (codes.length < 200 && codes.at(-1) !== 'CIRCUIT_OPEN') {
        const error = await erp.postInvoice(invoice(`INV-5XX-${codes.length}`)).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ErpUnavailableError);
        codes.push((error as ErpUnavailableError).vendorCode);
      }
      expect(codes.at(-1)).toBe('CIRCUIT_OPEN');
      expect(codes.filter((c) => c === 'UNEXPECTED_ERROR').length).toBeGreaterThanOrEqual(20);
      const reached = (await sandbox.stats()).accepted;
      await expect(erp.postInvoice(invoice('INV-WHILE-OPEN'))).rejects.toMatchObject({
        vendorCode: 'CIRCUIT_OPEN',
      });
      expect((await sandbox.stats()).accepted).toBe(reached);
    } finally {
      await sandbox.admin('faults', { serverErrorRate: 0 });
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    await expect(erp.postInvoice(invoice('INV-AFTER'))).resolves.toMatchObject({ externalId: 'INV-AFTER' });
  });
});
