import type { StartRevenueRunResultDto } from '@revline/finance-api';
import { Queues } from '@revline/messaging';
import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { CLOSE_PERIOD_SCHEDULER } from '../../apps/process-q2c/src/scheduled/job-schedulers';
import { RevenueRunsRepository } from '../../apps/process-q2c/src/revenue-runs/revenue-runs.repository';
import { reconciliation } from '../reconciliation/recon-env';
import { G1_MONTHS } from '../support/golden';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { revenueRunsClient } from './revenue-runs-client';

/** G2's expansion (5 seats from 2026-03-15), month by month from March (golden examples). */
const G2_MONTHS: Record<string, string> = {
  '2026-03': '27945',
  '2026-04': '49315',
  '2026-05': '50959',
  '2026-06': '49315',
  '2026-07': '50959',
  '2026-08': '50959',
  '2026-09': '49315',
  '2026-10': '50959',
  '2026-11': '49315',
  '2026-12': '50959',
};
const month = (i: number): string => `2026-${String(i + 1).padStart(2, '0')}`;
const G1 = (period: string): bigint => BigInt(G1_MONTHS[Number(period.slice(5)) - 1] ?? '0');

/**
 * Period close under REVENUE_POSTING=period_close, through the sandbox: G1 is booked on a Stripe test clock at
 * 2026-01-01 and NetSuite holds its invoice and deferred revenue but no revenue; each month's revenue run then posts
 * the month's revenue in one summarised journal, equal to the engine's schedule to the cent; G2's expansion,
 * effective in March after March is closed, posts its catch-up in May, the open period.
 */
describe('period close: revenue runs through the sandbox', () => {
  let env: Q2cEnv;
  let operator: string;
  let viewer: string;
  let orderId: string;
  let clockId: string;
  let sfContractId: string;
  let seatLineId: string;

  const revenueAccount = async (): Promise<string> => {
    const [row] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`,
    );
    return (row as { b: string | null } | undefined)?.b ?? '0';
  };
  const journals = () => env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`);
  const { start, runsOf, close, revenueOf } = revenueRunsClient(() => ({ env, operator, viewer }));

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'period_close', RECOGNISE_PERIOD_CRON: '0 4 2 * *' });
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    ({ clockId } = await env.customerOnTestClock('2026-01-01T00:00:00Z'));
    ({ orderId, sfContractId, seatLineId } = await env.bookAndContractG1());
    await env.settle();
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  it('schedules the monthly revenue run under its stable key', async () => {
    const queue = await env.q2c.app.get(Queues, { strict: false }).get('q2c.scheduled');
    expect(await queue.getJobScheduler(CLOSE_PERIOD_SCHEDULER)).toMatchObject({
      pattern: '0 4 2 * *',
      tz: 'UTC',
    });
  });

  it('books G1 with the invoice, the deferred revenue and the revenue plan in NetSuite, and no revenue', async () => {
    expect(await journals()).toEqual([]);
    expect(await revenueAccount()).toBe('0');
    const [deferred] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '4'`,
    );
    expect(deferred).toEqual({ b: '-12000.00' });
    const stored = await env.db.dataSource.query<Array<{ obligation_id: string; periods: unknown[] }>>(
      `SELECT "obligation_id", "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(stored.map((s) => [s.obligation_id, s.periods.length])).toEqual([['POB-SEATS', 12]]);
    // Two NetSuite records: the customer and the invoice, whose seats line carries the revenue plan (no schedule
    // record); the schedule version is recorded beside the invoice, confirmed with the invoice's NetSuite id.
    const sent = await env.db.dataSource.query<
      Array<{ job: string; status: string; target_id: string | null; idempotency_key: string }>
    >(
      `SELECT "job", "status", "target_id", "idempotency_key" FROM "q2c"."saga_commands" WHERE "job" LIKE 'erp.%' ORDER BY "job"`,
    );
    expect(sent.map((c) => c.job)).toEqual([
      'erp.post-invoice',
      'erp.upsert-customer',
      'erp.upsert-revenue-schedule',
    ]);
    const [invoice] = await env.netsuite.suiteql(
      "SELECT id, externalid FROM transaction WHERE type = 'CustInvc'",
    );
    expect(await env.netsuite.suiteql("SELECT id FROM transaction WHERE type = 'CustInvc'")).toHaveLength(1);
    expect(await env.netsuite.suiteql('SELECT id FROM customer')).toHaveLength(1);
    expect(sent.find((c) => c.job === 'erp.post-invoice')).toMatchObject({
      status: 'confirmed',
      target_id: invoice.id,
    });
    expect(sent.find((c) => c.job === 'erp.upsert-revenue-schedule')).toMatchObject({
      status: 'confirmed',
      target_id: invoice.id,
    });
    expect(await env.netsuite.suiteql('SELECT id FROM customrecord_rl_revenue_schedule')).toEqual([]);
    const carried = await env.netsuite.suiteql(
      'SELECT tl.custcol_rl_contract, tl.custcol_rl_obligation, tl.custcol_rl_schedule_version, ' +
        'tl.custcol_rl_schedule_total, tl.custcol_rl_schedule_periods FROM transactionline tl ' +
        `WHERE tl.transaction = ${invoice.id} AND tl.custcol_rl_schedule_version IS NOT NULL`,
    );
    expect(carried.map((line) => ({ ...line, custcol_rl_schedule_periods: undefined }))).toEqual([
      {
        custcol_rl_schedule_periods: undefined,
        custcol_rl_contract: orderId,
        custcol_rl_obligation: 'POB-SEATS',
        custcol_rl_schedule_version: '1',
        custcol_rl_schedule_total: '12000.00',
      },
    ]);
    const periods = JSON.parse(carried[0].custcol_rl_schedule_periods) as Array<{
      period: string;
      amount: string;
    }>;
    expect(periods.map((p) => [p.period, p.amount.replace('.', '')])).toEqual(
      G1_MONTHS.map((amount, i) => [month(i), amount]),
    );
    // The lineage shows the schedule version carried by the invoice.
    const hops = await env.db.dataSource.query<Array<{ status: string; detail: string }>>(
      `SELECT "status", "detail" FROM "q2c"."lineage" WHERE "object_type" = 'revenueSchedule' AND "contract_id" = $1`,
      [orderId],
    );
    expect(hops).toEqual([
      expect.objectContaining({
        status: 'posted',
        detail: expect.stringContaining(`ERP external id ${invoice.externalid}`) as unknown,
      }),
    ]);
  });

  it('closes January: one summarised journal of G1’s January revenue; a re-run posts nothing', async () => {
    const january = await close('2026-01');
    expect(january).toMatchObject({
      period: '2026-01',
      sequence: 1,
      kind: 'close',
      mode: 'summary',
      resumed: false,
    });
    expect(january.journals).toEqual([
      expect.objectContaining({ currency: 'USD', status: 'posted', debitMinor: '101918', lines: 2 }),
    ]);
    expect(await revenueAccount()).toBe('-1019.18');
    const csv = await request(env.q2c.url)
      .get(`/v1/close/2026-01/revenue-runs/${january.runId}/lines`)
      .set(bearer(viewer))
      .expect(200)
      .expect('content-type', /text\/csv/);
    expect(csv.text.trim().split('\r\n')).toEqual([
      'contract_id,obligation_id,subsidiary,currency,product_class,recognised_to_date_minor,billed_to_date_minor,revenue_minor,unbilled_minor,journal_external_id',
      `${orderId},POB-SEATS,US,USD,subscription,101918,1200000,101918,0,rr:2026-01:US:USD:1:1`,
    ]);

    const readiness = await request(env.q2c.url)
      .get('/v1/close/2026-01/readiness')
      .set(bearer(viewer))
      .expect(200);
    expect(readiness.body).toMatchObject({
      revenueRun: { runId: january.runId, state: 'posted' },
      revenueRunPending: 0,
      revenue: [{ currency: 'USD', expectedMinor: '101918', postedMinor: '101918' }],
    });

    const again = await close('2026-01');
    expect(again).toMatchObject({ sequence: 2, kind: 'adjustment', state: 'posted', lines: 0, journals: [] });
    expect(await journals()).toHaveLength(1);
    expect(await revenueAccount()).toBe('-1019.18');
  });

  it('a close killed half-way leaves nothing; one killed after it committed resumes: one set of journals', async () => {
    // Killed while computing: nothing of the run is written.
    const repository = env.q2c.app.get(RevenueRunsRepository, { strict: false });
    const crash = vi.spyOn(repository, 'insertLines').mockRejectedValueOnce(new Error('killed'));
    await start('2026-02', 500);
    crash.mockRestore();
    expect(await runsOf('2026-02')).toEqual([]);
    const outbox = await env.db.dataSource.query(
      `SELECT 1 FROM "q2c"."outbox" WHERE "idempotency_key" LIKE 'revenue-run:rr:2026-02:%'`,
    );
    expect(outbox).toEqual([]);

    // Committed, but its journal not yet taken by the ERP (system-erp down): asking again returns the same run.
    const commands = await env.q2c.app.get(Queues, { strict: false }).get('erp.commands');
    await commands.pause();
    const first = (await start('2026-02')).body as StartRevenueRunResultDto;
    expect(first).toMatchObject({ state: 'posting', resumed: false });
    const second = (await start('2026-02')).body as StartRevenueRunResultDto;
    expect(second).toMatchObject({ runId: first.runId, state: 'posting', resumed: true });
    await commands.resume();
    await env.settle();
    expect((await runsOf('2026-02')).map((r) => [r.sequence, r.state])).toEqual([[1, 'posted']]);
    expect(await journals()).toHaveLength(2);
    expect(await revenueAccount()).toBe(
      `-${((G1('2026-01') + G1('2026-02')) / 100n).toString()}.${((G1('2026-01') + G1('2026-02')) % 100n).toString().padStart(2, '0')}`,
    );
  });

  it('an amendment effective in a closed month posts its catch-up in the open period (G2 in May)', async () => {
    for (const period of ['2026-03', '2026-04']) expect(revenueOf(await close(period))).toBe(G1(period));
    await env.advanceClock(clockId, '2026-05-01T00:00:00Z');
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: sfContractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: seatLineId, quantity: 15 }],
      })
      .expect(201);
    await activateOrders(env.sales, [(amended.body as { orderId: string }).orderId]);
    await env.completed(orderId, 2);
    await env.settle();
    // Still no revenue posted by the amendment itself.
    expect(await journals()).toHaveLength(4);

    // April, the latest run, shows the change waiting for the open period.
    const april = await request(env.q2c.url)
      .get('/v1/close/2026-04/readiness')
      .set(bearer(viewer))
      .expect(200);
    expect(april.body).toMatchObject({ revenueRunPending: 1 });
    expect((april.body as { reasons: string[] }).reasons).toContain(
      '1 contract line(s) changed since revenue run 1 of 2026-04: run it again to post the adjustment',
    );

    // A run of a month before the latest run's is refused, and writes nothing.
    const refused = await start('2026-03', 409);
    expect((refused.body as { detail: string }).detail).toMatch(/2026-04 has a revenue run/);
    expect(await runsOf('2026-03')).toHaveLength(1);

    const may = await close('2026-05');
    const catchUp = BigInt(G2_MONTHS['2026-03'] ?? '0') + BigInt(G2_MONTHS['2026-04'] ?? '0');
    expect(revenueOf(may)).toBe(G1('2026-05') + BigInt(G2_MONTHS['2026-05'] ?? '0') + catchUp);
  });

  it('a month the ERP has closed fails the run with an exception naming it; after reopening, the retry posts it', async () => {
    await env.netsuite.admin('periods/2026-06/close');
    const june = (await start('2026-06')).body as StartRevenueRunResultDto;
    await env.settle();
    const [failed] = await runsOf('2026-06');
    expect(failed).toMatchObject({
      runId: june.runId,
      state: 'failed',
      reason: expect.stringContaining('2026-06') as unknown,
    });
    const exceptions = await env.db.dataSource.query<
      Array<{ id: string; category: string; reason: string; status: string }>
    >(
      `SELECT "id", "category", "reason", "status" FROM "q2c"."exceptions" WHERE "job" = 'erp.post-period-journal'`,
    );
    expect(exceptions).toEqual([
      expect.objectContaining({
        category: 'period_closed',
        status: 'open',
        reason: expect.stringContaining('period 2026-06') as unknown,
      }),
    ]);
    await env.netsuite.admin('periods/2026-06/reopen');
    await request(env.q2c.url)
      .post(`/v1/exceptions/${exceptions[0]?.id ?? ''}/retry`)
      .set(bearer(operator))
      .expect(200, { id: exceptions[0]?.id, outcome: 'retrying' });
    await env.settle();
    const [posted] = await runsOf('2026-06');
    expect(posted).toMatchObject({ runId: june.runId, state: 'posted' });
    expect(revenueOf(posted as StartRevenueRunResultDto)).toBe(
      G1('2026-06') + BigInt(G2_MONTHS['2026-06'] ?? '0'),
    );
    const [resolved] = await env.db.dataSource.query<Array<{ status: string }>>(
      `SELECT "status" FROM "q2c"."exceptions" WHERE "id" = $1`,
      [exceptions[0]?.id],
    );
    expect(resolved).toEqual({ status: 'resolved' });
  });

  it('closes the rest of the year: each month equals the engine’s schedule, 16,800.00 in all, the ledger balanced', async () => {
    for (let i = 6; i < 12; i += 1) {
      const period = month(i);
      expect(revenueOf(await close(period))).toBe(G1(period) + BigInt(G2_MONTHS[period] ?? '0'));
    }
    expect(await revenueAccount()).toBe('-16800.00');
    expect(await journals()).toHaveLength(12);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
    const [deferred] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '4'`,
    );
    expect(deferred).toEqual({ b: '0.00' });

    // The waterfall shows what each month's run posted beside what the engine recognises: May carries G2's catch-up.
    const waterfall = await request(env.q2c.url)
      .get('/v1/revenue/waterfall')
      .query({ from: '2026-04', to: '2026-05', contractId: orderId })
      .set(bearer(viewer))
      .expect(200);
    const [april, may] =
      (
        waterfall.body as {
          currencies: Array<{ months: Array<{ recognisedMinor: string; postedToErpMinor?: string }> }>;
        }
      ).currencies[0]?.months ?? [];
    expect(april).toMatchObject({ postedToErpMinor: G1('2026-04').toString() });
    expect(may).toMatchObject({
      recognisedMinor: (G1('2026-05') + BigInt(G2_MONTHS['2026-05'] ?? '0')).toString(),
      postedToErpMinor: (G1('2026-05') + 27945n + 49315n + 50959n).toString(),
    });

    // The reconciliation finds the runs equal to the engine, contract by contract, and the ERP equal to the runs.
    const recon = await reconciliation(env);
    const december = await recon.run({ scope: 'contract-revenue', period: '2026-12' });
    expect(december).toMatchObject({ status: 'completed' });
    expect(await recon.breaks(december.runId)).toEqual([]);
    // A run's journal lost from the ERP is a break of the period, for its currency.
    const lost = await env.db.dataSource.query<Array<{ external_id: string }>>(
      `SELECT "external_id" FROM "q2c"."revenue_run_journals" j JOIN "q2c"."revenue_runs" r USING ("run_id")
        WHERE r."period" = '2026-12'`,
    );
    expect(lost).toHaveLength(1);
    await env.db.dataSource.query(
      `UPDATE "q2c"."revenue_run_lines" SET "revenue_minor" = "revenue_minor" + 1
        WHERE "journal_external_id" = $1 AND "obligation_id" = 'POB-SEATS'`,
      [lost[0]?.external_id],
    );
    const drifted = await recon.run({ scope: 'contract-revenue', period: '2026-12' });
    expect((await recon.breaks(drifted.runId)).map((b) => [b.category, b.objectType, b.objectId])).toEqual(
      expect.arrayContaining([
        ['revenue_mismatch', 'RevenueRun', '2026-12:USD'],
        ['revenue_mismatch', 'RevenueSchedule', `${orderId}:POB-SEATS:2026-12`],
      ]),
    );
  });

  it('refuses a month that is not one', async () => {
    const bad = await start('2026-13', 400);
    expect((bad.body as { detail: string }).detail).toMatch(/YYYY-MM/);
  });
});
