import type { WaterfallDto } from '@revline/finance-api';
import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { revenueRunsClient } from './revenue-runs-client';

/**
 * A 4-4-5 tenant whose fiscal 2026 starts on Sunday 2025-12-28: periods of 4, 4 and 5 weeks, named FY2026-P01 …
 * FY2026-P12, then FY2027-P01 from Sunday 2026-12-27 (the Sunday nearest the anniversary). Their last days, written
 * out by hand from the pattern.
 */
const FISCAL_ENDS: ReadonlyArray<readonly [string, string]> = [
  ['FY2026-P01', '2026-01-24'],
  ['FY2026-P02', '2026-02-21'],
  ['FY2026-P03', '2026-03-28'],
  ['FY2026-P04', '2026-04-25'],
  ['FY2026-P05', '2026-05-23'],
  ['FY2026-P06', '2026-06-27'],
  ['FY2026-P07', '2026-07-25'],
  ['FY2026-P08', '2026-08-22'],
  ['FY2026-P09', '2026-09-26'],
  ['FY2026-P10', '2026-10-24'],
  ['FY2026-P11', '2026-11-21'],
  ['FY2026-P12', '2026-12-26'],
  ['FY2027-P01', '2027-01-23'],
];

const DAY_MS = 86_400_000;
/** Days of G1's term (2026-01-01 … 2026-12-31, 365 days) elapsed at the end of `day`. */
const elapsed = (day: string): number =>
  Math.min(365, (Date.parse(`${day}T00:00:00Z`) - Date.parse('2026-01-01T00:00:00Z')) / DAY_MS + 1);
/** Ratable by actual days with cumulative half-up rounding (design §5), computed here on its own. */
const recognisedTo = (day: string): bigint => (1_200_000n * BigInt(elapsed(day)) * 2n + 365n) / (2n * 365n);
/** G1's 12,000.00 by fiscal period: each period's cumulative figure less the one before. */
const G1_FISCAL = new Map<string, bigint>();
let before = 0n;
for (const [key, end] of FISCAL_ENDS) {
  G1_FISCAL.set(key, recognisedTo(end) - before);
  before = recognisedTo(end);
}
const g1 = (key: string): bigint => G1_FISCAL.get(key) ?? 0n;

/**
 * Fiscal calendars end to end, through the sandbox: G1 (12,000.00 a year from 2026-01-01) booked by a 4-4-5 tenant
 * (REVENUE_FISCAL_CALENDAR) stores its schedule by fiscal period, the periods summing exactly to the price; the
 * waterfall reports the same periods; period close of a fiscal period posts that period's revenue in a journal dated
 * its last day, which NetSuite files in the accounting period holding that day.
 */
describe('fiscal calendars: a 4-4-5 tenant through the sandbox', () => {
  let env: Q2cEnv;
  let operator: string;
  let viewer: string;
  let orderId: string;

  const { start, runsOf, close, revenueOf } = revenueRunsClient(() => ({ env, operator, viewer }));

  beforeAll(async () => {
    env = await startQ2cEnv({
      REVENUE_POSTING: 'period_close',
      REVENUE_FISCAL_CALENDAR: '4-4-5',
      REVENUE_FISCAL_YEAR_START: '2025-12-28',
    });
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
    ({ orderId } = await env.bookAndContractG1());
    await env.settle();
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  it('stores G1’s schedule by fiscal period, on the 4-4-5 calendar, summing exactly to 12,000.00', async () => {
    const sql = `SELECT "fiscal_calendar", "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`;
    const [stored] = await env.db.dataSource.query<
      Array<{ fiscal_calendar: string; periods: Array<{ period: string; amountMinor: string }> }>
    >(sql, [orderId]);
    expect(stored.fiscal_calendar).toBe('4-4-5');
    expect(stored.periods).toEqual(
      FISCAL_ENDS.map(([key]) => ({ period: key, amountMinor: g1(key).toString() })),
    );
    expect(stored.periods.reduce((s, p) => s + BigInt(p.amountMinor), 0n)).toBe(1_200_000n);
    // A 35-day period carries five weeks of revenue, a 28-day one four.
    expect(g1('FY2026-P03')).toBe(115_068n);
    expect(g1('FY2026-P04')).toBe(92_055n);
  });

  it('reports the waterfall by fiscal period: billed in P01, recognised as stored, nothing deferred at the end', async () => {
    const res = await request(env.q2c.url)
      .get('/v1/revenue/waterfall')
      .query({ from: 'FY2026-P01', to: 'FY2027-P01', contractId: orderId })
      .set(bearer(viewer))
      .expect(200);
    const [usd] = (res.body as WaterfallDto).currencies;
    expect(usd.months.map((m) => [m.period, m.recognisedMinor])).toEqual(
      FISCAL_ENDS.map(([key]) => [key, g1(key).toString()]),
    );
    const deferredAfterP01 = (1_200_000n - g1('FY2026-P01')).toString();
    expect(usd.months[0]).toMatchObject({ billedMinor: '1200000', closingDeferredMinor: deferredAfterP01 });
    expect(usd).toMatchObject({ billedMinor: '1200000', recognisedMinor: '1200000' });
    expect(usd.closingDeferredMinor).toBe('0');

    const month = await request(env.q2c.url)
      .get('/v1/revenue/waterfall')
      .query({ from: '2026-01', to: '2026-03' })
      .set(bearer(viewer))
      .expect(400);
    expect((month.body as { detail: string }).detail).toMatch(/4-4-5 fiscal period as FYyyyy-Pnn/);
  });

  it('closes FY2026-P01 and P02: each posts its own revenue in a journal dated the period’s last day', async () => {
    const p01 = await close('FY2026-P01');
    expect(p01).toMatchObject({ period: 'FY2026-P01', sequence: 1, kind: 'close' });
    expect(revenueOf(p01)).toBe(g1('FY2026-P01'));
    const p02 = await close('FY2026-P02');
    expect(revenueOf(p02)).toBe(g1('FY2026-P02'));

    const posted = await env.netsuite.suiteql(
      `SELECT externalid, trandate FROM transaction WHERE type = 'Journal' ORDER BY trandate`,
    );
    // Dated each period's last day (SuiteQL answers dates as NetSuite formats them).
    expect(posted).toEqual([
      expect.objectContaining({ trandate: expect.stringMatching(/^(2026-01-24|1\/24\/2026)$/) as unknown }),
      expect.objectContaining({ trandate: expect.stringMatching(/^(2026-02-21|2\/21\/2026)$/) as unknown }),
    ]);
    const [revenue] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`,
    );
    const total = g1('FY2026-P01') + g1('FY2026-P02');
    const cents = (total % 100n).toString().padStart(2, '0');
    expect(revenue).toEqual({ b: `-${(total / 100n).toString()}.${cents}` });

    const waterfall = await request(env.q2c.url)
      .get('/v1/revenue/waterfall')
      .query({ from: 'FY2026-P01', to: 'FY2026-P02', contractId: orderId })
      .set(bearer(viewer))
      .expect(200);
    expect((waterfall.body as WaterfallDto).currencies[0]?.months.map((m) => m.postedToErpMinor)).toEqual([
      g1('FY2026-P01').toString(),
      g1('FY2026-P02').toString(),
    ]);
  });

  it('refuses a month key, and a schedule stored under another calendar, writing nothing', async () => {
    const month = await start('2026-03', 400);
    expect((month.body as { detail: string }).detail).toMatch(/FYyyyy-Pnn/);

    await env.db.dataSource.query(
      `UPDATE "q2c"."revenue_schedules" SET "fiscal_calendar" = 'calendar' WHERE "contract_id" = $1`,
      [orderId],
    );
    try {
      const mixed = await start('FY2026-P03', 409);
      expect((mixed.body as { detail: string }).detail).toContain(`${orderId} (calendar)`);
      expect(await runsOf('FY2026-P03')).toEqual([]);
    } finally {
      await env.db.dataSource.query(
        `UPDATE "q2c"."revenue_schedules" SET "fiscal_calendar" = '4-4-5' WHERE "contract_id" = $1`,
        [orderId],
      );
    }
    expect(revenueOf(await close('FY2026-P03'))).toBe(g1('FY2026-P03'));
  });
});
