import { revenueJournalExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { createEnvelope, jobIdFor, Queues } from '@revline/messaging';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { RECOGNISE_PERIOD_SCHEDULER } from '../../apps/process-q2c/src/scheduled/job-schedulers';
import type { RecognisePeriodResult } from '../../apps/process-q2c/src/scheduled/recognise-period.usecase';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/**
 * q2c.recognise-period: G1 is booked while NetSuite has March 2026 closed, so March's journal is refused and the
 * saga parks. Finance reopens March; the period recognition for 2026-03 posts the missing journal (1,019.17) once,
 * with the external id the saga used, and a second run posts nothing. Per-contract journals posted at booking: the
 * legacy mode, REVENUE_POSTING=at_booking.
 */
describe('period recognition through the sandbox', () => {
  let env: Q2cEnv;
  let queue: Queue;
  let orderId: string;

  const marchJournal = (contractId: string) =>
    revenueJournalExternalId(contractId, 'POB-SEATS', '2026-03', 1);
  const postings = (contractId: string) =>
    env.db.dataSource.query<Array<{ period: string; posted: string; outcome: string }>>(
      `SELECT "period", "posted_amount_minor" AS posted, "outcome" FROM "erp"."revenue_postings"
        WHERE "contract_id" = $1 ORDER BY "period"`,
      [contractId],
    );
  const journals = () =>
    env.netsuite.suiteql(
      `SELECT externalid, foreigntotal FROM transaction WHERE type = 'Journal' ORDER BY externalid`,
    );

  /** Queues one run for a period, as an operator or the scheduler would, and waits for its result. */
  const runFor = async (period: string, key: string): Promise<RecognisePeriodResult> => {
    const envelope: Envelope<'q2c.recognise-period'> = createEnvelope(
      'q2c.recognise-period',
      { period },
      { idempotencyKey: key },
    );
    const jobId = jobIdFor(envelope.job, envelope.idempotencyKey);
    await queue.add(envelope.job, envelope, { jobId });
    const result = await eventually(async () => {
      const job = await queue.getJob(jobId);
      if (job?.failedReason) throw new Error(job.failedReason);
      return (await job?.isCompleted()) ? (job?.returnvalue as RecognisePeriodResult) : undefined;
    }, 20_000);
    await env.settle();
    if (!result) throw new Error('no result');
    return result;
  };

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'at_booking', RECOGNISE_PERIOD_CRON: '0 4 2 * *' });
    queue = await env.q2c.app.get(Queues, { strict: false }).get('q2c.scheduled');
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('upserts the monthly scheduler under its stable key with the configured cron', async () => {
    const scheduler = await queue.getJobScheduler(RECOGNISE_PERIOD_SCHEDULER);
    expect(scheduler).toMatchObject({ key: RECOGNISE_PERIOD_SCHEDULER, pattern: '0 4 2 * *', tz: 'UTC' });
    const all = await queue.getJobSchedulers();
    expect(all.filter((s) => s.key === RECOGNISE_PERIOD_SCHEDULER)).toHaveLength(1);
  });

  it('posts a journal missing from the period once, with the saga external id; a second run posts nothing', async () => {
    await env.netsuite.admin('periods/2026-03/close');
    // Billed on the term's first day, not the day the suite runs (a later day would make it a back-dated booking).
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
    [orderId = ''] = await createDraftOrders(env.sales, env.catalogue, 1);
    await activateOrders(env.sales, [orderId]);
    // The saga stops short of completion: March's journal was refused, and the saga waits for it.
    const parked = await eventually(async () => {
      const rows: SagaRow[] = await env.sagas(orderId);
      return rows[0]?.last_error ? rows[0] : undefined;
    }, 40_000);
    await env.settle();
    expect(parked?.last_error).toMatch(/closed/i);
    const [refused] = await env.db.dataSource.query<Array<{ status: string }>>(
      `SELECT "status" FROM "q2c"."saga_commands" WHERE "job" = 'erp.post-revenue-journal' AND "external_id" LIKE '%:2026-03:1'`,
    );
    expect(refused).toEqual({ status: 'rejected' });
    const before = await postings(orderId);
    expect(before).toHaveLength(11);
    expect(before.map((p) => p.period)).not.toContain('2026-03');

    // Nothing to do while March is missing from no other contract: April's check finds April posted.
    const april = await runFor('2026-04', 'test-recognise-2026-04');
    expect(april).toMatchObject({ period: '2026-04', contracts: 1, expected: 1, posted: [] });

    await env.netsuite.admin('periods/2026-03/reopen');
    const first = await runFor('2026-03', 'test-recognise-2026-03-a');
    expect(first).toMatchObject({ period: '2026-03', contracts: 1, expected: 1 });
    expect(first.posted).toHaveLength(1);
    const after = await postings(orderId);
    expect(after).toHaveLength(12);
    expect(after.find((p) => p.period === '2026-03')).toMatchObject({ posted: '101917', outcome: 'posted' });
    expect(after.reduce((s, p) => s + BigInt(p.posted), 0n)).toBe(1_200_000n);
    const ledger = await journals();
    expect(ledger.filter((j) => j.externalid === marchJournal(orderId))).toEqual([
      { externalid: marchJournal(orderId), foreigntotal: '1019.17' },
    ]);
    const [revenue] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '5' AND custcol_rl_contract = '${orderId}'`,
    );
    expect(revenue).toEqual({ b: '-12000.00' });
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

    // The catch-up is on the saga's lineage; the saga itself is left as it was, for an operator.
    const hops = await env.db.dataSource.query<Array<{ hop: string }>>(
      `SELECT "system" || ':' || "object_type" || ':' || "status" AS hop FROM "q2c"."lineage"
        WHERE "correlation_id" = $1 AND "external_id" = $2`,
      [parked?.correlation_id, first.posted[0]],
    );
    expect(hops.map((h) => h.hop)).toEqual(
      expect.arrayContaining(['erp:erp.post-revenue-journal:sent', 'erp:revenueJournal:posted']),
    );
    expect((await env.sagas(orderId))[0]?.status).not.toBe('completed');

    // A second run (the scheduler firing again, or an operator) finds March posted and posts nothing.
    const second = await runFor('2026-03', 'test-recognise-2026-03-b');
    expect(second).toMatchObject({ period: '2026-03', contracts: 1, expected: 1, posted: [] });
    expect(await postings(orderId)).toEqual(after);
    expect(await journals()).toEqual(ledger);
    const checks = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."lineage" WHERE "object_type" = 'PeriodRecognition' AND "external_id" LIKE '2026-03:%'`,
    );
    expect(checks).toHaveLength(2);

    // The operator retries the refused revenue batch from the workbench (process-q2c's erp_rejected exception, the
    // command's envelope as it was): March is found posted by its external id and nothing is posted twice; the
    // saga, its refusal answered, completes and the exception is resolved.
    const refusals = await env.db.dataSource.query<
      Array<{ id: string; job: string; envelope: Envelope; details: Record<string, unknown> }>
    >(`SELECT "id", "job", "envelope", "details" FROM "q2c"."exceptions" WHERE "category" = 'erp_rejected'`);
    expect(refusals).toHaveLength(1);
    const refusal = refusals.at(0);
    if (!refusal) throw new Error('no erp_rejected exception');
    expect(refusal).toMatchObject({
      job: 'erp.post-revenue',
      details: expect.objectContaining({ contractId: orderId, errorCode: 'USER_ERROR' }) as unknown,
    });
    expect(refusal.envelope.payload).toMatchObject({ contractId: orderId, scheduleVersion: 1 });
    expect(await env.db.dataSource.query(`SELECT 1 FROM "erp"."exceptions"`)).toEqual([]);
    const operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    await request(env.q2c.url)
      .post(`/v1/exceptions/${refusal.id}/retry`)
      .set(bearer(operator))
      .expect(200, { id: refusal.id, outcome: 'retrying' });
    await eventually(async () => (await env.sagas(orderId))[0]?.status === 'completed', 30_000);
    await env.settle();
    expect(await postings(orderId)).toEqual(after);
    expect(await journals()).toEqual(ledger);
    const [total] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '5' AND custcol_rl_contract = '${orderId}'`,
    );
    expect(total).toEqual({ b: '-12000.00' });
    const commands = await env.db.dataSource.query<Array<{ job: string; status: string }>>(
      `SELECT "job", "status" FROM "q2c"."saga_commands" WHERE "saga_id" = $1 AND "job" LIKE 'erp.%revenue%'`,
      [parked?.saga_id],
    );
    expect(commands.filter((c) => c.status !== 'confirmed')).toEqual([]);
    expect(commands.filter((c) => c.job === 'erp.post-revenue-journal')).toHaveLength(13); // 12 + the catch-up
    const resolved = await env.db.dataSource.query<Array<{ status: string }>>(
      `SELECT "status" FROM "q2c"."exceptions" WHERE "id" = $1`,
      [refusal.id],
    );
    expect(resolved).toEqual([{ status: 'resolved' }]);
  }, 120_000);
});
