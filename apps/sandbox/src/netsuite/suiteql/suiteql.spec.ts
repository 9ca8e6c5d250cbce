import { describe, expect, it } from 'vitest';
import type { Table } from './suiteql-engine';
import { runSuiteQl } from './suiteql-engine';
import { parseSuiteQl, SuiteQlSyntaxError } from './suiteql-parser';

const usd = (minor: bigint) => ({ minor, exponent: 2 });
const lines: Table = {
  columns: ['account', 'amount', 'postingperiod', 'custcol_rl_contract', 'class'],
  rows: () => [
    {
      account: '2',
      amount: usd(1_200_000n),
      postingperiod: '2026-01',
      custcol_rl_contract: 'C-1',
      class: null,
    },
    {
      account: '4',
      amount: usd(-1_200_000n),
      postingperiod: '2026-01',
      custcol_rl_contract: 'C-1',
      class: 'SEAT',
    },
    {
      account: '4',
      amount: usd(101_918n),
      postingperiod: '2026-01',
      custcol_rl_contract: 'C-1',
      class: 'SEAT',
    },
    {
      account: '4',
      amount: usd(92_055n),
      postingperiod: '2026-02',
      custcol_rl_contract: 'C-1',
      class: 'SEAT',
    },
    { account: '4', amount: usd(-500n), postingperiod: '2026-01', custcol_rl_contract: 'C-2', class: 'SEAT' },
  ],
};

const run = (sql: string) => runSuiteQl(parseSuiteQl(sql), { transactionaccountingline: lines });

describe('SuiteQL subset', () => {
  it('sums a balance by account, contract and period bound', () => {
    expect(
      run(
        "SELECT SUM(tal.amount) AS balance FROM transactionaccountingline tal WHERE tal.account = '4' AND tal.custcol_rl_contract = 'C-1' AND tal.postingperiod <= '2026-01'",
      ),
    ).toEqual([{ balance: '-10980.82' }]);
  });

  it('sums a group of a million lines (more values than a call takes as arguments)', () => {
    const many: Table = {
      columns: ['account', 'amount'],
      rows: () => Array.from({ length: 1_000_000 }, () => ({ account: '4', amount: usd(1n) })),
    };
    expect(
      runSuiteQl(parseSuiteQl('SELECT SUM(tal.amount) AS total FROM transactionaccountingline tal'), {
        transactionaccountingline: many,
      }),
    ).toEqual([{ total: '10000.00' }]);
  });

  it('groups, orders and filters with IN', () => {
    expect(
      run(
        "select postingperiod, sum(amount) as total, count(*) as n from transactionaccountingline where account in ('4') group by postingperiod order by postingperiod desc",
      ),
    ).toEqual([
      { postingperiod: '2026-02', total: '920.55', n: '1' },
      { postingperiod: '2026-01', total: '-10985.82', n: '3' },
    ]);
  });

  it('leaves nulls out of rows and filters on IS NULL', () => {
    expect(run('SELECT account, class FROM transactionaccountingline WHERE class IS NULL')).toEqual([
      { account: '2' },
    ]);
  });

  it('joins tables on their ids, filters each and groups across them', () => {
    const tables: Record<string, Table> = {
      transactionaccountingline: {
        columns: ['transaction', 'transactionline', 'accountingbook', 'account', 'amount'],
        rows: () => [
          { transaction: 7, transactionline: 0, accountingbook: 1, account: '2', amount: usd(1_000n) },
          { transaction: 7, transactionline: 1, accountingbook: 1, account: '5', amount: usd(-1_000n) },
          // The same lines in a secondary book: counted once when the primary book is asked for.
          { transaction: 7, transactionline: 1, accountingbook: 2, account: '5', amount: usd(-900n) },
          { transaction: 8, transactionline: 1, accountingbook: 1, account: '5', amount: usd(-250n) },
        ],
      },
      transaction: {
        columns: ['id', 'postingperiod', 'currency'],
        rows: () => [
          { id: 7, postingperiod: 461, currency: '1' },
          { id: 8, postingperiod: 462, currency: '1' },
        ],
      },
      transactionline: {
        columns: ['id', 'transaction', 'custcol_rl_contract'],
        rows: () => [
          { id: 0, transaction: 7, custcol_rl_contract: null },
          { id: 1, transaction: 7, custcol_rl_contract: 'C-1' },
          { id: 1, transaction: 8, custcol_rl_contract: 'C-2' },
        ],
      },
      accountingbook: {
        columns: ['id', 'isprimary'],
        rows: () => [
          { id: 1, isprimary: 'T' },
          { id: 2, isprimary: 'F' },
        ],
      },
    };
    const q = (where: string) =>
      runSuiteQl(
        parseSuiteQl(
          'SELECT tl.custcol_rl_contract, t.currency, SUM(tal.amount) AS amount FROM transactionaccountingline tal ' +
            'JOIN transaction t ON t.id = tal.transaction ' +
            'INNER JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline ' +
            `JOIN accountingbook ab ON ab.id = tal.accountingbook WHERE ${where} ` +
            'GROUP BY tl.custcol_rl_contract, t.currency ORDER BY tl.custcol_rl_contract DESC',
        ),
        tables,
      );
    expect(q("ab.isprimary = 'T' AND tal.account = '5'")).toEqual([
      { custcol_rl_contract: 'C-2', currency: '1', amount: '-2.50' },
      { custcol_rl_contract: 'C-1', currency: '1', amount: '-10.00' },
    ]);
    expect(q("tal.account = '5' AND t.postingperiod = '461'")).toEqual([
      { custcol_rl_contract: 'C-1', currency: '1', amount: '-19.00' },
    ]);
    expect(() => q("tal.postingperiod = '461'")).toThrow(
      /Field 'postingperiod' for record 'transactionaccountingline' was not found/,
    );
    expect(() => q("t.id > 1 AND id = '7'")).toThrow(/ambiguous/);
    expect(() =>
      runSuiteQl(
        parseSuiteQl('SELECT t.id FROM transaction t LEFT JOIN transactionline tl ON tl.transaction = t.id'),
        tables,
      ),
    ).toThrow(/LEFT joins/);
  });

  it('reads ids as numbers and dates through TO_DATE', () => {
    const periods: Table = {
      columns: ['id', 'startdate'],
      rows: () => [
        { id: 1000, startdate: '2026-02-01' },
        { id: 99, startdate: '2026-01-01' },
      ],
    };
    const q = (sql: string) => runSuiteQl(parseSuiteQl(sql), { accountingperiod: periods });
    expect(q('SELECT id FROM accountingperiod ORDER BY id')).toEqual([{ id: '99' }, { id: '1000' }]);
    expect(q('SELECT id FROM accountingperiod WHERE id > 99')).toEqual([{ id: '1000' }]);
    expect(
      q("SELECT ap.id FROM accountingperiod ap WHERE ap.startdate <= TO_DATE('2026-01-31', 'YYYY-MM-DD')"),
    ).toEqual([{ id: '99' }]);
    expect(() =>
      q("SELECT id FROM accountingperiod WHERE startdate = TO_DATE('1/1/2026', 'MM/DD/YYYY')"),
    ).toThrow(SuiteQlSyntaxError);
  });

  it('refuses what it does not support, naming it', () => {
    expect(() =>
      run("SELECT account FROM transactionaccountingline WHERE account = '4' OR account = '2'"),
    ).toThrow(SuiteQlSyntaxError);
    expect(() => run('SELECT nope FROM transactionaccountingline')).toThrow(/Field 'nope'/);
    expect(() => run('SELECT id FROM salesorder')).toThrow(/Record 'salesorder'/);
    expect(() => run('DELETE FROM transactionaccountingline')).toThrow(SuiteQlSyntaxError);
    expect(() => run('SELECT account, SUM(amount) FROM transactionaccountingline')).toThrow(/GROUP BY/);
  });
});
