import { describe, expect, it } from 'vitest';
import { periodJournalBody } from './netsuite-records';

const ids = { subsidiary: '1', currency: '1' };
const accounts = { deferredRevenue: '4', revenue: '5', unbilledReceivable: '6' };

describe('periodJournalBody', () => {
  it('posts a summary journal at the period end to the configured accounts, the class on revenue lines', () => {
    const body = periodJournalBody(
      {
        externalId: 'rr_2026-02_US_USD_1_0_abc',
        period: '2026-02',
        subsidiary: 'US',
        currency: 'USD',
        memo: 'Revenue 2026-02, US USD',
        lines: [
          { account: 'deferred_revenue', debitMinor: '101918' },
          { account: 'unbilled_receivable', debitMinor: '5000' },
          { account: 'revenue', productClass: 'SEAT', creditMinor: '106918', memo: 'Seats' },
        ],
      },
      ids,
      accounts,
    );
    expect(body).toEqual({
      tranDate: '2026-02-28',
      subsidiary: { id: '1' },
      currency: { id: '1' },
      memo: 'Revenue 2026-02, US USD',
      line: {
        items: [
          { account: { id: '4' }, debit: 1019.18, memo: 'Revenue 2026-02, US USD' },
          { account: { id: '6' }, debit: 50, memo: 'Revenue 2026-02, US USD' },
          { account: { id: '5' }, credit: 1069.18, class: { externalId: 'SEAT' }, memo: 'Seats' },
        ],
      },
    });
    expect(JSON.stringify(body)).not.toContain('custcol_rl_contract');
  });

  it('carries the contract and obligation column fields on detail lines, amounts in the currency exponent', () => {
    const body = periodJournalBody(
      {
        externalId: 'rr-detail',
        period: '2028-02',
        subsidiary: 'US',
        currency: 'JPY',
        memo: 'Detail',
        lines: [
          { account: 'deferred_revenue', debitMinor: '1500', contractId: 'C-1', obligationId: 'seats' },
          {
            account: 'revenue',
            productClass: 'SEAT',
            creditMinor: '1500',
            contractId: 'C-1',
            obligationId: 'seats',
          },
        ],
      },
      { subsidiary: '1', currency: '5' },
      accounts,
    );
    expect(body).toMatchObject({
      tranDate: '2028-02-29',
      currency: { id: '5' },
      line: {
        items: [
          { account: { id: '4' }, debit: 1500, custcol_rl_contract: 'C-1', custcol_rl_obligation: 'seats' },
          {
            account: { id: '5' },
            credit: 1500,
            class: { externalId: 'SEAT' },
            custcol_rl_contract: 'C-1',
            custcol_rl_obligation: 'seats',
          },
        ],
      },
    });
  });

  it('dates a fiscal period’s journal its last day, whatever month it ends in', () => {
    const body = periodJournalBody(
      {
        externalId: 'rr-fiscal',
        period: 'FY2026-P03',
        periodEnd: '2026-03-28',
        subsidiary: 'US',
        currency: 'USD',
        memo: 'Revenue FY2026-P03',
        lines: [
          { account: 'deferred_revenue', debitMinor: '115068' },
          { account: 'revenue', productClass: 'SEAT', creditMinor: '115068' },
        ],
      },
      ids,
      accounts,
    );
    expect(body).toMatchObject({ tranDate: '2026-03-28', memo: 'Revenue FY2026-P03' });
  });
});
