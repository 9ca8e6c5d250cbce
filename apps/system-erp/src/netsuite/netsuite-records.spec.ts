import { describe, expect, it } from 'vitest';
import { loadConfig } from '@revline/config';
import { isRateLimited, rejectionOf } from './netsuite-client';
import { NetSuiteConfig, netsuiteHostLabel, netsuiteRealm } from './netsuite.config';
import type { TaxSettings } from './netsuite-records';
import {
  amountOf,
  creditMemoTransformBody,
  documentBody,
  paymentBody,
  periodEnd,
  revenueJournalBody,
  scheduleBody,
} from './netsuite-records';

const ids = { subsidiary: '1', currency: '1' };
const SUITETAX: TaxSettings = {
  mode: 'suitetax',
  taxTypeId: '7',
  taxCodeId: '8',
  taxItemExternalId: 'ITEM-SALES-TAX',
};
const TAX_ITEM: TaxSettings = { ...SUITETAX, mode: 'tax_item' };

describe('NetSuite record bodies', () => {
  it('sends exact amounts in major units, whatever the currency exponent', () => {
    expect(amountOf('101918', 'USD')).toBe(1019.18);
    expect(JSON.stringify({ amount: amountOf('1098082', 'USD') })).toBe('{"amount":10980.82}');
    expect(amountOf('1500', 'JPY')).toBe(1500);
    expect(amountOf('1234', 'KWD')).toBe(1.234);
  });

  const taxedInvoice = {
    externalId: 'in_1',
    customerExternalId: 'cus_1',
    subsidiary: 'US',
    currency: 'USD',
    tranDate: '2026-01-01',
    contractId: 'C-1',
    lines: [
      {
        itemExternalId: 'SEAT',
        amountMinor: '1200000',
        taxMinor: '96000',
        productClass: 'SEAT',
        obligationId: 'seats',
      },
      { itemExternalId: 'SETUP', amountMinor: '30000', taxMinor: '0' },
      { itemExternalId: 'API', amountMinor: '333', taxMinor: '25' },
    ],
  };

  it('maps an invoice to lines, its tax to SuiteTax tax details with the override checked (no tax1Amt)', () => {
    expect(documentBody(taxedInvoice, ids, SUITETAX)).toEqual({
      entity: { externalId: 'cus_1' },
      tranDate: '2026-01-01',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      custbody_rl_contract: 'C-1',
      item: {
        items: [
          {
            item: { externalId: 'SEAT' },
            amount: 12000,
            taxDetailsReference: 'RL-1',
            class: { externalId: 'SEAT' },
            custcol_rl_contract: 'C-1',
            custcol_rl_obligation: 'seats',
          },
          { item: { externalId: 'SETUP' }, amount: 300, custcol_rl_contract: 'C-1' },
          {
            item: { externalId: 'API' },
            amount: 3.33,
            taxDetailsReference: 'RL-3',
            custcol_rl_contract: 'C-1',
          },
        ],
      },
      taxDetailsOverride: true,
      taxDetails: {
        items: [
          {
            taxDetailsReference: 'RL-1',
            taxType: { id: '7' },
            taxCode: { id: '8' },
            taxBasis: 12000,
            taxRate: 8,
            taxAmount: 960,
          },
          {
            taxDetailsReference: 'RL-3',
            taxType: { id: '7' },
            taxCode: { id: '8' },
            taxBasis: 3.33,
            taxRate: 7.5075,
            taxAmount: 0.25,
          },
        ],
      },
    });
  });

  it('checks the override with no tax details when nothing is taxed, so the tax engine adds none', () => {
    const body = documentBody(
      { ...taxedInvoice, lines: [{ itemExternalId: 'SEAT', amountMinor: '100' }] },
      ids,
      SUITETAX,
    );
    expect(body).toMatchObject({ taxDetailsOverride: true });
    expect(body).not.toHaveProperty('taxDetails');
  });

  it('without SuiteTax, charges the tax as one line to the tax item', () => {
    const body = documentBody(taxedInvoice, ids, TAX_ITEM);
    expect(body).not.toHaveProperty('taxDetailsOverride');
    expect((body.item as { items: unknown[] }).items).toEqual([
      {
        item: { externalId: 'SEAT' },
        amount: 12000,
        class: { externalId: 'SEAT' },
        custcol_rl_contract: 'C-1',
        custcol_rl_obligation: 'seats',
      },
      { item: { externalId: 'SETUP' }, amount: 300, custcol_rl_contract: 'C-1' },
      { item: { externalId: 'API' }, amount: 3.33, custcol_rl_contract: 'C-1' },
      // The tax line is the tax payable's, no contract's.
      { item: { externalId: 'ITEM-SALES-TAX' }, amount: 960.25, description: 'Tax' },
    ]);
  });

  it('credits an invoice by transforming it with its own lines and tax, leaving the link and apply to the transform', () => {
    const body = creditMemoTransformBody(
      { ...taxedInvoice, externalId: 'cn_1', appliesToExternalId: 'in_1', memo: 'Seats removed' },
      SUITETAX,
    );
    expect(body).toMatchObject({
      externalId: 'cn_1',
      tranDate: '2026-01-01',
      memo: 'Seats removed',
      taxDetailsOverride: true,
      item: { items: [{ amount: 12000 }, { amount: 300 }, { amount: 3.33 }] },
    });
    for (const field of ['createdFrom', 'entity', 'apply']) expect(body).not.toHaveProperty(field);
  });

  it('applies a payment to invoices by internal id and line', () => {
    const body = paymentBody(
      {
        externalId: 'py_1',
        customerExternalId: 'cus_1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-01-15',
        amountMinor: '1296000',
        appliesTo: [{ invoiceExternalId: 'in_1', amountMinor: '1296000' }],
      },
      ids,
      new Map([['in_1', '812']]),
    );
    expect(body.apply).toEqual({ items: [{ doc: { id: '812' }, line: 0, apply: true, amount: 12960 }] });
  });

  it('posts recognition deferred → revenue, and a negative amount the other way, at the period end', () => {
    const journal = {
      externalId: 'rj',
      contractId: 'C-1',
      obligationId: 'seats',
      period: '2026-02',
      scheduleVersion: 2,
      productClass: 'SEAT',
      subsidiary: 'US',
    };
    const accounts = { deferredRevenue: '4', revenue: '5', unbilledReceivable: '6' };
    const forward = revenueJournalBody(
      { ...journal, amount: { amountMinor: '92055', currency: 'USD' } },
      ids,
      accounts,
    );
    expect(forward).toMatchObject({
      tranDate: '2026-02-28',
      line: {
        items: [
          { account: { id: '4' }, debit: 920.55 },
          { account: { id: '5' }, credit: 920.55 },
        ],
      },
    });
    const back = revenueJournalBody(
      { ...journal, amount: { amountMinor: '-500', currency: 'USD' } },
      ids,
      accounts,
    );
    expect(back).toMatchObject({
      line: {
        items: [
          { account: { id: '5' }, debit: 5 },
          { account: { id: '4' }, credit: 5 },
        ],
      },
    });
    expect(periodEnd('2028-02')).toBe('2028-02-29');
  });

  it('moves revenue recognised ahead of billing to the unbilled receivable, and back when the invoice comes', () => {
    const accounts = { deferredRevenue: '4', revenue: '5', unbilledReceivable: '6' };
    const journal = {
      externalId: 'rj',
      contractId: 'C-1',
      obligationId: 'contract-asset',
      period: '2026-03',
      scheduleVersion: 1,
      productClass: 'SEAT',
      subsidiary: 'US',
      kind: 'contract_asset' as const,
    };
    const ahead = revenueJournalBody(
      { ...journal, amount: { amountMinor: '101917', currency: 'USD' } },
      ids,
      accounts,
    );
    expect(ahead).toMatchObject({
      tranDate: '2026-03-31',
      line: {
        items: [
          { account: { id: '6' }, debit: 1019.17 },
          { account: { id: '4' }, credit: 1019.17 },
        ],
      },
    });
    const cleared = revenueJournalBody(
      { ...journal, period: '2026-04', amount: { amountMinor: '-295890', currency: 'USD' } },
      ids,
      accounts,
    );
    expect(cleared).toMatchObject({
      tranDate: '2026-04-30',
      line: {
        items: [
          { account: { id: '4' }, debit: 2958.9 },
          { account: { id: '6' }, credit: 2958.9 },
        ],
      },
    });
  });

  it("gives an invoice line its service period as NetSuite's rev. rec. start and end dates", () => {
    const body = documentBody(
      {
        externalId: 'INV-1',
        customerExternalId: 'CUST-1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-04-01',
        lines: [
          {
            itemExternalId: 'SEAT',
            amountMinor: '1200000',
            serviceStart: '2026-01-01',
            serviceEnd: '2026-12-31',
          },
        ],
      },
      ids,
      SUITETAX,
    );
    expect(body).toMatchObject({
      item: { items: [{ amount: 12000, revRecStartDate: '2026-01-01', revRecEndDate: '2026-12-31' }] },
    });
  });

  it("carries an invoice line's revenue plan in its column fields, the same text as a schedule record's", () => {
    const periods = [
      { period: '2026-01', amountMinor: '101918' },
      { period: '2026-02', amountMinor: '92055' },
    ];
    const body = documentBody(
      {
        externalId: 'INV-1',
        customerExternalId: 'CUST-1',
        subsidiary: 'US',
        currency: 'USD',
        tranDate: '2026-01-01',
        contractId: 'C-1',
        lines: [
          {
            itemExternalId: 'SEAT',
            amountMinor: '193973',
            obligationId: 'seats',
            serviceStart: '2026-01-01',
            serviceEnd: '2026-02-28',
            revenueSchedule: { scheduleVersion: 3, periods },
          },
          { itemExternalId: 'TRAINING', amountMinor: '50000' },
        ],
      },
      ids,
      SUITETAX,
    );
    const record = scheduleBody(
      {
        externalId: 's',
        contractId: 'C-1',
        obligationId: 'seats',
        scheduleVersion: 3,
        currency: 'USD',
        periods,
      },
      '1',
    );
    const [seats, training] = (body.item as { items: Array<Record<string, unknown>> }).items;
    expect(seats).toMatchObject({
      custcol_rl_contract: 'C-1',
      custcol_rl_obligation: 'seats',
      revRecStartDate: '2026-01-01',
      revRecEndDate: '2026-02-28',
      custcol_rl_schedule_version: 3,
      custcol_rl_schedule_total: record.custrecord_rl_total,
      custcol_rl_schedule_periods: record.custrecord_rl_periods,
    });
    expect(Object.keys(training).filter((k) => k.startsWith('custcol_rl_schedule'))).toEqual([]);
  });

  it('stores a schedule with its periods as exact decimal text and their total', () => {
    const body = scheduleBody(
      {
        externalId: 's',
        contractId: 'C-1',
        obligationId: 'seats',
        scheduleVersion: 1,
        currency: 'USD',
        periods: [
          { period: '2026-01', amountMinor: '101918' },
          { period: '2026-02', amountMinor: '92055' },
        ],
      },
      '1',
    );
    expect(body).toMatchObject({ custrecord_rl_total: '1939.73', custrecord_rl_version: 1 });
    expect(JSON.parse(body.custrecord_rl_periods as string)).toEqual([
      { period: '2026-01', amount: '1019.18' },
      { period: '2026-02', amount: '920.55' },
    ]);
  });
});

describe('NetSuite refusals in Revline categories', () => {
  const error = (status: number, code: string, path?: string) =>
    rejectionOf(status, {
      'o:errorDetails': [{ detail: 'x', 'o:errorCode': code, ...(path ? { 'o:errorPath': path } : {}) }],
    });

  it('keeps the code and names the category', () => {
    expect(error(400, 'USER_ERROR', 'postingPeriod')).toMatchObject({
      category: 'closed_period',
      vendorCode: 'USER_ERROR',
    });
    expect(error(400, 'USER_ERROR', 'item')).toMatchObject({ category: 'validation' });
    expect(error(400, 'DUP_RCRD')).toMatchObject({ category: 'duplicate' });
    expect(error(404, 'NONEXISTENT_ID')).toMatchObject({ category: 'not_found' });
    expect(error(401, 'INVALID_LOGIN')).toMatchObject({ category: 'authentication' });
    expect(rejectionOf(400, 'not json')).toMatchObject({ vendorCode: 'HTTP_400' });
  });

  it('reads every error detail, not only the first', () => {
    const refusal = rejectionOf(400, {
      'o:errorDetails': [
        { detail: 'Invalid value for item.', 'o:errorCode': 'INVALID_CONTENT', 'o:errorPath': 'item' },
        { detail: 'The period is closed.', 'o:errorCode': 'USER_ERROR', 'o:errorPath': 'postingPeriod' },
      ],
    });
    expect(refusal).toMatchObject({
      category: 'closed_period',
      vendorCode: 'INVALID_CONTENT',
      field: 'postingPeriod',
    });
    expect(refusal.message).toBe(
      'INVALID_CONTENT at item: Invalid value for item.; USER_ERROR at postingPeriod: The period is closed.',
    );
    const duplicate = rejectionOf(400, {
      'o:errorDetails': [
        { detail: 'a', 'o:errorCode': 'USER_ERROR' },
        { detail: 'b', 'o:errorCode': 'DUP_RCRD' },
      ],
    });
    expect(duplicate.category).toBe('duplicate');
  });

  it("takes REST's 429 and a RESTlet's 400 SSS_REQUEST_LIMIT_EXCEEDED as rate limiting, nothing else", () => {
    const limit = { 'o:errorDetails': [{ detail: 'x', 'o:errorCode': 'SSS_REQUEST_LIMIT_EXCEEDED' }] };
    expect(isRateLimited(429, {})).toBe(true);
    expect(isRateLimited(400, limit)).toBe(true);
    expect(
      isRateLimited(400, {
        'o:errorDetails': [{ detail: 'x', 'o:errorCode': 'USER_ERROR' }, ...limit['o:errorDetails']],
      }),
    ).toBe(true);
    expect(isRateLimited(400, { 'o:errorDetails': [{ detail: 'x', 'o:errorCode': 'USER_ERROR' }] })).toBe(
      false,
    );
    expect(isRateLimited(500, limit)).toBe(false);
  });
});

describe('NetSuite account id, realm and host', () => {
  it('derives the case-sensitive realm and the URL host label from either spelling', () => {
    for (const account of ['123456_SB1', '123456-sb1', '123456_sb1']) {
      expect(netsuiteRealm(account)).toBe('123456_SB1');
      expect(netsuiteHostLabel(account)).toBe('123456-sb1');
    }
    expect(netsuiteRealm('tstdrv123')).toBe('TSTDRV123');
  });

  it("refuses at start a host that is not the account's, and an account id that is not one", () => {
    const base = { NETSUITE_ACCOUNT: '123456_SB1' };
    expect(
      loadConfig(NetSuiteConfig, {
        ...base,
        NETSUITE_BASE_URL: 'https://123456-sb1.suitetalk.api.netsuite.com',
      }),
    ).toMatchObject({ NETSUITE_ACCOUNT: '123456_SB1' });
    expect(() =>
      loadConfig(NetSuiteConfig, {
        ...base,
        NETSUITE_BASE_URL: 'https://123456_sb1.suitetalk.api.netsuite.com',
      }),
    ).toThrow(/NETSUITE_BASE_URL.*123456-sb1\.suitetalk\.api\.netsuite\.com/s);
    expect(() =>
      loadConfig(NetSuiteConfig, { ...base, NETSUITE_BASE_URL: 'https://654321.suitetalk.api.netsuite.com' }),
    ).toThrow(/NETSUITE_BASE_URL/);
    expect(() => loadConfig(NetSuiteConfig, { NETSUITE_ACCOUNT: '123456 SB1' })).toThrow(/NETSUITE_ACCOUNT/);
    expect(loadConfig(NetSuiteConfig, {})).toMatchObject({ NETSUITE_BASE_URL: 'http://127.0.0.1:4030' });
  });
});
