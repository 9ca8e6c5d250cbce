import { describe, expect, it } from 'vitest';
import { rejectionOf } from './netsuite-client';
import { amountOf, documentBody, periodEnd, revenueJournalBody, scheduleBody } from './netsuite-records';

const ids = { subsidiary: '1', currency: '1' };

describe('NetSuite record bodies', () => {
  it('sends exact amounts in major units, whatever the currency exponent', () => {
    expect(amountOf('101918', 'USD')).toBe(1019.18);
    expect(JSON.stringify({ amount: amountOf('1098082', 'USD') })).toBe('{"amount":10980.82}');
    expect(amountOf('1500', 'JPY')).toBe(1500);
    expect(amountOf('1234', 'KWD')).toBe(1.234);
  });

  it('maps an invoice to lines with item, class and obligation, referencing the customer by external id', () => {
    const body = documentBody(
      {
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
        ],
      },
      ids,
      'invoice',
    );
    expect(body).toEqual({
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
            tax1Amt: 960,
            class: { externalId: 'SEAT' },
            custcol_rl_obligation: 'seats',
          },
        ],
      },
    });
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
      'invoice',
    );
    expect(body).toMatchObject({
      item: { items: [{ amount: 12000, revRecStartDate: '2026-01-01', revRecEndDate: '2026-12-31' }] },
    });
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
});
