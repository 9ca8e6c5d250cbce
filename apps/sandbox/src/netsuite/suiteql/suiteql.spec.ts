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
