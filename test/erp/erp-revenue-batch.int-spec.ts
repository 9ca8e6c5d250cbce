import { revenueJournalExternalId } from '@revline/erp-port';
import type { Envelope, ErpPostedPayload, ErpRejectedPayload, JobPayloads } from '@revline/messaging';
import { createEnvelope, jobIdFor, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase, waitForQueuesIdle } from '@revline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import { NetSuiteReferences } from '../../apps/system-erp/src/netsuite/netsuite-references';
import { PostRevenueHandler } from '../../apps/system-erp/src/postings/post-revenue.handler';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

type Batch = JobPayloads['erp.post-revenue'];

const CONTRACT = 'C-RB';
const PERIODS = ['2026-01', '2026-02', '2026-03', '2026-04'];

/** Version `version` of one obligation: its schedule and a journal per period with the amounts given. */
function batch(version: number, amounts: readonly string[], periods = PERIODS): Batch {
  return {
    externalId: `rv:${CONTRACT}:${version}`,
    contractId: CONTRACT,
    scheduleVersion: version,
    currency: 'USD',
    subsidiary: 'US',
    schedules: [
      {
        externalId: `rs:${CONTRACT}:seats:${version}`,
        contractId: CONTRACT,
        obligationId: 'seats',
        scheduleVersion: version,
        currency: 'USD',
        periods: periods.map((period, i) => ({ period, amountMinor: amounts[i] ?? '0' })),
      },
    ],
    journals: periods.map((period, i) => ({
      externalId: `rj:${CONTRACT}:seats:${period}:${version}`,
      contractId: CONTRACT,
      obligationId: 'seats',
      period,
      scheduleVersion: version,
      amount: { amountMinor: amounts[i] ?? '0', currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    })),
  };
}

describe('erp.post-revenue: one command per schedule version', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let counter = 0;

  const publish = async (payload: Batch): Promise<Envelope<'erp.post-revenue'>> => {
    const envelope = createEnvelope('erp.post-revenue', payload, {
      idempotencyKey: `cmd-batch-${(counter += 1)}`,
    });
    await app.app.get(Queues).publish([envelope]);
    return envelope;
  };
  const settle = async () => waitForQueuesIdle([await app.app.get(Queues).get('erp.commands')], 30_000);
  const events = async <T>(job: 'erp.posted' | 'erp.rejected', key: string): Promise<T[]> =>
    (
      await db.dataSource.query<Array<{ payload: T }>>(
        `SELECT envelope->'payload' AS payload FROM erp.outbox
          WHERE job = $1 AND envelope->'payload'->>'commandIdempotencyKey' = $2 ORDER BY created_at`,
        [job, key],
      )
    ).map((r) => r.payload);
  const postings = () =>
    db.dataSource.query<Array<{ period: string; version: number; posted: string; outcome: string }>>(
      `SELECT period, schedule_version AS version, posted_amount_minor::text AS posted, outcome
         FROM erp.revenue_postings ORDER BY period, schedule_version`,
    );
  const ledger = () =>
    sandbox.suiteql(
      "SELECT externalid, foreigntotal FROM transaction WHERE type = 'Journal' ORDER BY externalid",
    );
  const recognised = async (): Promise<string | undefined> =>
    (
      await sandbox.suiteql(
        `SELECT SUM(credit) AS recognised FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '5' AND custcol_rl_contract = '${CONTRACT}'`,
      )
    )[0]?.recognised;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url, { WORKER_CONCURRENCY: '4' }));
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });
  beforeEach(async () => {
    await sandbox.admin('reset');
    await db.dataSource.query('TRUNCATE erp.outbox, erp.inbox, erp.exceptions, erp.revenue_postings');
  });

  it('posts the schedule and every journal, answers one erp.posted listing each; a redelivery posts nothing twice', async () => {
    const v1 = await publish(batch(1, ['10000', '10001', '10002', '10003']));
    await settle();
    const [answer, ...more] = await events<ErpPostedPayload>('erp.posted', v1.idempotencyKey);
    expect(more).toEqual([]);
    expect(answer).toMatchObject({
      recordType: 'revenue',
      externalId: `rv:${CONTRACT}:1`,
      outcome: 'posted',
    });
    expect(answer.postings?.map((p) => [p.recordType, p.key, p.outcome, p.postedAmountMinor])).toEqual([
      ['revenueSchedule', `rs:${CONTRACT}:seats:1`, 'posted', undefined],
      ...PERIODS.map((period, i) => [
        'revenueJournal',
        `rj:${CONTRACT}:seats:${period}:1`,
        'posted',
        String(10_000 + i),
      ]),
    ]);
    expect(answer.postings?.[1]).toMatchObject({
      externalId: revenueJournalExternalId(CONTRACT, 'seats', '2026-01', 1),
      erpId: expect.stringMatching(/^\d+$/),
    });
    const before = await ledger();
    expect(before).toHaveLength(4);

    // Redelivered once applied: acknowledged without a call to the ERP and without a second answer.
    await sandbox.admin('stats/reset');
    const handler = app.app.get(PostRevenueHandler);
    await handler.postRevenue(v1);
    expect((await sandbox.stats()).accepted).toBe(0);
    // Redelivered after its journals were recorded but before its answer committed (a worker killed there): the
    // journals are found posted by this command and not sent again; only the schedule is upserted again.
    await db.dataSource.query('DELETE FROM erp.inbox WHERE idempotency_key = $1', [v1.idempotencyKey]);
    await db.dataSource.query('DELETE FROM erp.outbox WHERE idempotency_key = $1', [
      `${v1.idempotencyKey}:posted`,
    ]);
    await sandbox.admin('stats/reset');
    await handler.postRevenue(v1);
    expect((await sandbox.stats()).accepted).toBeLessThan(4);
    const again = await events<ErpPostedPayload>('erp.posted', v1.idempotencyKey);
    expect(again.map((p) => p.postings)).toEqual([answer.postings]);
    expect(await ledger()).toEqual(before);
    expect(await postings()).toHaveLength(4);
    expect(await recognised()).toBe('400.06');

    // Version 2 changes February only: February posts its difference, the other periods nothing.
    const v2 = await publish(batch(2, ['10000', '12001', '10002', '10003']));
    await settle();
    const [second] = await events<ErpPostedPayload>('erp.posted', v2.idempotencyKey);
    expect(second.postings?.filter((p) => p.recordType === 'revenueJournal').map((p) => p.outcome)).toEqual([
      'nothing_to_post',
      'posted',
      'nothing_to_post',
      'nothing_to_post',
    ]);
    expect(second.postings?.[2]?.postedAmountMinor).toBe('2000');
    // Version 1 again under another key (a late duplicate): every journal is superseded, nothing posts.
    const stale = await publish(batch(1, ['10000', '10001', '10002', '10003']));
    await settle();
    const [third] = await events<ErpPostedPayload>('erp.posted', stale.idempotencyKey);
    expect(third.postings?.filter((p) => p.recordType === 'revenueJournal').map((p) => p.outcome)).toEqual([
      'superseded',
      'superseded',
      'superseded',
      'superseded',
    ]);
    expect(await recognised()).toBe('420.06');
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('a closed period refuses one journal: the others stay posted, erp.rejected names it, the retry posts only it', async () => {
    await sandbox.admin('periods/2026-03/close');
    let envelope: Envelope<'erp.post-revenue'>;
    try {
      envelope = await publish(batch(1, ['10000', '10001', '10002', '10003']));
      await settle();
      // The refusal is answered, not parked here: process-q2c holds the exception.
      expect(await db.dataSource.query('SELECT category FROM erp.exceptions')).toEqual([]);
      const [rejected, ...moreRejected] = await events<ErpRejectedPayload>(
        'erp.rejected',
        envelope.idempotencyKey,
      );
      expect(moreRejected).toEqual([]);
      expect(rejected).toMatchObject({
        category: 'closed_period',
        externalId: revenueJournalExternalId(CONTRACT, 'seats', '2026-03', 1),
        refused: [
          expect.objectContaining({
            recordType: 'revenueJournal',
            key: `rj:${CONTRACT}:seats:2026-03:1`,
            category: 'closed_period',
          }),
        ],
      });
      expect(rejected.postings?.map((p) => p.key)).toEqual([
        `rs:${CONTRACT}:seats:1`,
        `rj:${CONTRACT}:seats:2026-01:1`,
        `rj:${CONTRACT}:seats:2026-02:1`,
        `rj:${CONTRACT}:seats:2026-04:1`,
      ]);
      expect(await events('erp.posted', envelope.idempotencyKey)).toEqual([]);
      expect((await postings()).map((p) => p.period)).toEqual(['2026-01', '2026-02', '2026-04']);
      expect(await ledger()).toHaveLength(3);
      expect(await recognised()).toBe('300.04');
    } finally {
      await sandbox.admin('periods/2026-03/reopen');
    }

    // The operator's retry after reopening March: the parked envelope, same idempotency key, new BullMQ job id.
    const before = await ledger();
    await sandbox.admin('stats/reset');
    const queue = await app.app.get(Queues).get('erp.commands');
    await queue.add(envelope.job, envelope, {
      jobId: `${jobIdFor(envelope.job, envelope.idempotencyKey)}-retry-1`,
    });
    await settle();
    const [answer, ...more] = await events<ErpPostedPayload>('erp.posted', envelope.idempotencyKey);
    expect(more).toEqual([]);
    expect(answer.postings?.map((p) => [p.key, p.outcome])).toEqual([
      [`rs:${CONTRACT}:seats:1`, 'posted'],
      ...PERIODS.map((period) => [`rj:${CONTRACT}:seats:${period}:1`, 'posted']),
    ]);
    const after = await ledger();
    expect(after).toHaveLength(4);
    expect(after.filter((j) => !before.some((b) => b.externalid === j.externalid))).toEqual([
      { externalid: revenueJournalExternalId(CONTRACT, 'seats', '2026-03', 1), foreigntotal: '100.02' },
    ]);
    // Only the schedule's idempotent upsert and March's journal reached NetSuite: sending the three journals
    // posted before again would take at least three calls more than the schedule and March's journal (≤ 2 each).
    expect((await sandbox.stats()).accepted).toBeLessThan(5);
    expect((await postings()).map((p) => [p.period, p.posted])).toEqual([
      ['2026-01', '10000'],
      ['2026-02', '10001'],
      ['2026-03', '10002'],
      ['2026-04', '10003'],
    ]);
    expect(await recognised()).toBe('400.06');
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('journals of two obligations interleaved and one period twice: each posts once, answered in the order given', async () => {
    const journal = (obligationId: string, period: string, amountMinor: string) => ({
      externalId: `rj:${CONTRACT}:${obligationId}:${period}:1`,
      contractId: CONTRACT,
      obligationId,
      period,
      scheduleVersion: 1,
      amount: { amountMinor, currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    });
    // One lock and one read of revenue_postings per run of an obligation's periods: the obligation changing, or a
    // period coming again, starts a new run, which sees what the one before it recorded.
    const journals = [
      journal('seats', '2026-01', '10000'),
      journal('analytics', '2026-01', '5000'),
      journal('seats', '2026-02', '10001'),
      journal('seats', '2026-02', '10001'),
    ];
    await app.app.get(NetSuiteReferences).currencyId('USD'); // looked up once per process, then cached
    await sandbox.admin('stats/reset');
    const envelope = await publish({
      externalId: `rv:${CONTRACT}:1`,
      contractId: CONTRACT,
      scheduleVersion: 1,
      currency: 'USD',
      subsidiary: 'US',
      schedules: [],
      journals,
    });
    await settle();
    const [answer] = await events<ErpPostedPayload>('erp.posted', envelope.idempotencyKey);
    expect(answer.postings?.map((p) => [p.key, p.outcome, p.postedAmountMinor])).toEqual(
      journals.map((j) => [j.externalId, 'posted', j.amount.amountMinor]),
    );
    // One call per journal: the period given twice is reported from the row its first posting recorded, not sent
    // again (four calls when a run did not end at a repeated period).
    expect((await sandbox.stats()).accepted).toBe(3);
    expect(await ledger()).toHaveLength(3);
    expect(await postings()).toHaveLength(3);
    expect(await recognised()).toBe('250.01');
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });
});
