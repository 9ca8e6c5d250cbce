import { formatMoney } from '@revline/canonical';
import type { WaterfallDto } from '@revline/finance-api';
import { BusinessError, createEnvelope } from '@revline/messaging';
import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloseReadinessDto } from '../../apps/process-q2c/src/close/close-readiness.dto';
import { ReconcileHandler } from '../../apps/process-q2c/src/reconciliation/reconcile.handler';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import { revenueJournalBody } from '../../apps/system-erp/src/netsuite/netsuite-records';
import { NetSuiteConfig } from '../../apps/system-erp/src/netsuite/netsuite.config';
import { reconciliation } from '../reconciliation/recon-env';
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
/** Minor units of USD as close readiness shows them: "12,980.62 USD". */
const usd = (minor: bigint): string => formatMoney({ amountMinor: minor.toString(), currency: 'USD' });

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
  let recon: Awaited<ReturnType<typeof reconciliation>>;

  const { start, runsOf, close, revenueOf } = revenueRunsClient(() => ({ env, operator, viewer }));
  const readiness = async (period: string): Promise<CloseReadinessDto> =>
    (await request(env.q2c.url).get(`/v1/close/${period}/readiness`).set(bearer(viewer)).expect(200))
      .body as CloseReadinessDto;
  /** An open exception of G1 first seen at `at`. */
  const exceptionAt = (key: string, at: string) =>
    env.db.dataSource.query(
      `INSERT INTO "q2c"."exceptions" ("category", "reason", "queue", "job", "idempotency_key", "correlation_id",
         "envelope", "details", "first_seen_at", "last_seen_at")
       VALUES ('unmapped_product', 'Product GADGET has no mapping', 'crm.changes', 'crm.record-changed', $1,
         'corr-' || $1, '{}', jsonb_build_object('contractId', $2::text), $3, $3)`,
      [key, orderId, at],
    );
  /** Posts 100.00 of G1's revenue by hand in NetSuite, dated `tranDate`; answers the journal's NetSuite id. */
  const revenueByHand = async (tranDate: string): Promise<string> => {
    const usd = (await env.netsuite.suiteql("SELECT id FROM currency WHERE symbol = 'USD'")).at(0);
    const subsidiary = (await env.netsuite.suiteql('SELECT id FROM subsidiary')).at(0);
    const config = new NetSuiteConfig();
    const body = revenueJournalBody(
      {
        externalId: `by-hand-${tranDate}`,
        contractId: orderId,
        obligationId: 'POB-SEATS',
        period: tranDate.slice(0, 7),
        scheduleVersion: 1,
        amount: { amountMinor: '10000', currency: 'USD' },
        productClass: 'subscription',
        subsidiary: 'US',
        tranDate,
      },
      { subsidiary: subsidiary?.id ?? '', currency: usd?.id ?? '' },
      {
        deferredRevenue: config.NETSUITE_DEFERRED_REVENUE_ACCOUNT_ID,
        revenue: config.NETSUITE_REVENUE_ACCOUNT_ID,
        unbilledReceivable: config.NETSUITE_UNBILLED_RECEIVABLE_ACCOUNT_ID,
      },
    );
    const posted = await tbaClient(env.netsuite.url)('POST', '/services/rest/record/v1/journalEntry', body);
    expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
    const id = (posted.headers.get('location') ?? '').split('/').pop() ?? '';
    expect(id).not.toBe('');
    return id;
  };

  beforeAll(async () => {
    env = await startQ2cEnv({
      REVENUE_POSTING: 'period_close',
      REVENUE_FISCAL_CALENDAR: '4-4-5',
      REVENUE_FISCAL_YEAR_START: '2025-12-28',
    });
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    recon = await reconciliation(env);
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

  it('reads FY2026-P01’s close readiness over its own days: its run, exceptions seen by 2026-01-24; a month is a 400', async () => {
    // Both in January; only the first in P01 (the second is in P02, from 2026-01-25).
    await exceptionAt('in-p01', '2026-01-20T12:00:00Z');
    await exceptionAt('in-p02', '2026-01-27T12:00:00Z');
    try {
      const run = await recon.run({ scope: 'contract-revenue', period: 'FY2026-P01' });
      expect(run).toMatchObject({ period: 'FY2026-P01', status: 'completed', error: null });
      expect(run.checkpoints).toEqual([
        expect.objectContaining({ checkpoint: 'contract-revenue', opened: 0 }),
      ]);
      const p01 = await readiness('FY2026-P01');
      expect(p01).toMatchObject({
        period: 'FY2026-P01',
        ready: false,
        openExceptions: 1,
        openBreaks: 0,
        sagasInFlight: 0,
        revenueRun: { period: 'FY2026-P01', sequence: 1, kind: 'close', state: 'posted' },
        revenueRunPending: 0,
        revenue: [
          {
            currency: 'USD',
            expectedMinor: g1('FY2026-P01').toString(),
            postedMinor: g1('FY2026-P01').toString(),
          },
        ],
      });
      expect(p01.reasons).toEqual([
        `1 exception(s) open: ${String(
          (
            await env.db.dataSource.query<Array<{ id: string }>>(
              `SELECT "id" FROM "q2c"."exceptions" WHERE "idempotency_key" = 'in-p01'`,
            )
          ).at(0)?.id,
        )} unmapped_product (${orderId})`,
      ]);
      expect((await readiness('FY2026-P02')).openExceptions).toBe(2);
    } finally {
      await env.db.dataSource.query(
        `UPDATE "q2c"."exceptions" SET "status" = 'resolved' WHERE "idempotency_key" IN ('in-p01', 'in-p02')`,
      );
    }
    expect(await readiness('FY2026-P01')).toMatchObject({ ready: true, reasons: [], openExceptions: 0 });

    for (const path of ['/v1/close/2026-01/readiness', '/v1/close/FY2026-P14/readiness']) {
      const month = await request(env.q2c.url).get(path).set(bearer(viewer)).expect(400);
      expect((month.body as { detail: string }).detail).toBe(
        'period must be a 4-4-5 fiscal period as FYyyyy-Pnn, e.g. FY2026-P03',
      );
    }
    await request(env.q2c.url)
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ scope: 'contract-revenue', period: '2026-01' })
      .expect(400);
  });

  it('reconciles contract revenue per fiscal period: none after the closes, a break for revenue added in NetSuite', async () => {
    // The latest closed period: each obligation's revenue to its end (P01 … P03 of the 4-4-5 schedule) against the
    // runs, and the ERP's revenue dated in its days against what its run posted.
    const p03 = await recon.run({ scope: 'contract-revenue', period: 'FY2026-P03' });
    expect(p03.checkpoints).toEqual([
      expect.objectContaining({ checkpoint: 'contract-revenue', opened: 0, stillOpen: 0 }),
    ]);
    expect(p03.checkpoints[0]?.compared).toBeGreaterThan(0);

    // Every checkpoint reads the ERP by the period's days: G1's invoice (2026-01-01) is P01's, billed and posted.
    const all = await recon.run({ scope: 'all', period: 'FY2026-P01' });
    expect(all).toMatchObject({ status: 'completed', error: null });
    expect(all.checkpoints.map((c) => [c.checkpoint, c.opened, c.stillOpen])).toEqual([
      ['salesforce-billing', 0, 0],
      ['billing-erp', 0, 0],
      ['contract-revenue', 0, 0],
      ['lineage', 0, 0],
    ]);
    expect(all.checkpoints.find((c) => c.checkpoint === 'billing-erp')?.compared).toBeGreaterThan(0);

    // 100.00 more revenue dated 2026-01-27: in January, but in fiscal P02; P01 stays clean.
    const byHand = await revenueByHand('2026-01-27');
    const p01 = await recon.run({ scope: 'contract-revenue', period: 'FY2026-P01' });
    expect(p01.checkpoints).toEqual([expect.objectContaining({ opened: 0, stillOpen: 0 })]);
    const p02 = await recon.run({ scope: 'contract-revenue', period: 'FY2026-P02' });
    const posted = g1('FY2026-P02') + 10_000n;
    expect(await recon.breaks(p02.runId)).toEqual([
      expect.objectContaining({
        checkpoint: 'contract-revenue',
        category: 'revenue_mismatch',
        objectType: 'RevenueRun',
        objectId: 'FY2026-P02:USD',
        expected: g1('FY2026-P02').toString(),
        actual: posted.toString(),
        difference: '10000',
        status: 'open',
      }),
    ]);
    const verdict = await readiness('FY2026-P02');
    expect(verdict).toMatchObject({ ready: false, openBreaks: 1 });
    expect(verdict.reasons).toContain(
      `revenue USD: ${usd(posted)} posted, ${usd(g1('FY2026-P02'))} expected (100.00 USD difference)`,
    );
    expect(await readiness('FY2026-P01')).toMatchObject({ ready: true, openBreaks: 0 });

    const removed = await tbaClient(env.netsuite.url)(
      'DELETE',
      `/services/rest/record/v1/journalEntry/${byHand}`,
    );
    expect(removed.status).toBeLessThan(300);
    const fixed = await recon.run({ scope: 'contract-revenue', period: 'FY2026-P02' });
    expect(fixed.checkpoints).toEqual([expect.objectContaining({ opened: 0, stillOpen: 0, closed: 1 })]);
    expect(await readiness('FY2026-P02')).toMatchObject({ ready: true, reasons: [] });
  });

  it('runs a scheduled q2c.reconcile of a fiscal period, and refuses one of a month as a schema violation', async () => {
    const handler = env.q2c.app.get(ReconcileHandler, { strict: false });
    const job = (period: string) =>
      handler.reconcile(
        createEnvelope(
          'q2c.reconcile',
          { scope: 'contract-revenue', period },
          { idempotencyKey: `test-reconcile-${period}`, causationId: null },
        ),
      );
    const { runId } = await job('FY2026-P02');
    const [run] = await env.db.dataSource.query<Array<{ period: string; status: string; trigger: string }>>(
      `SELECT "period", "status", "trigger" FROM "q2c"."reconciliation_runs" WHERE "run_id" = $1`,
      [runId],
    );
    expect(run).toEqual({ period: 'FY2026-P02', status: 'completed', trigger: 'schedule' });
    const refused = await job('2026-02').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BusinessError);
    expect(refused).toMatchObject({
      category: 'schema_violation',
      message: 'period must be a 4-4-5 fiscal period as FYyyyy-Pnn, e.g. FY2026-P03',
    });
  });
});
