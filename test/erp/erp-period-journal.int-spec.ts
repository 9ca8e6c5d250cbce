import { toErpExternalId } from '@revline/erp-port';
import type { Envelope, ErpPostedPayload, ErpRejectedPayload, JobPayloads } from '@revline/messaging';
import { createEnvelope, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey, waitForQueuesIdle } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import { PostPeriodJournalHandler } from '../../apps/system-erp/src/postings/post-period-journal.handler';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

type Journal = JobPayloads['erp.post-period-journal'];

/** A summary journal of one period: deferred revenue and unbilled receivable debited, revenue credited. */
function summary(period: string): Journal {
  return {
    externalId: `rr:${period}:US:USD:1:0`,
    period,
    subsidiary: 'US',
    currency: 'USD',
    memo: `Revenue ${period}, US USD`,
    lines: [
      { account: 'deferred_revenue', debitMinor: '101918' },
      { account: 'unbilled_receivable', debitMinor: '5000' },
      { account: 'revenue', productClass: 'SEAT', creditMinor: '106918' },
    ],
  };
}

interface RevenuePosting {
  contractId: string | null;
  obligationId: string | null;
  productClass: string | null;
  amount: { amountMinor: string; currency: string };
}

describe('erp.post-period-journal: a period close journal in NetSuite', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let app: TestApp;
  let viewer: string;
  let counter = 0;

  const publish = async (payload: Journal, idempotencyKey = `cmd-pj-${(counter += 1)}`) => {
    const envelope = createEnvelope('erp.post-period-journal', payload, { idempotencyKey });
    await app.app.get(Queues).publish([envelope]);
    return envelope;
  };
  const settle = async () => waitForQueuesIdle([await app.app.get(Queues).get('erp.commands')], 30_000);
  const events = async <T>(job: 'erp.posted' | 'erp.rejected', key?: string): Promise<T[]> =>
    (
      await db.dataSource.query<Array<{ payload: T }>>(
        `SELECT envelope->'payload' AS payload FROM erp.outbox
          WHERE job = $1 AND ($2::text IS NULL OR envelope->'payload'->>'commandIdempotencyKey' = $2)
          ORDER BY created_at`,
        [job, key ?? null],
      )
    ).map((r) => r.payload);
  /** The journal entries in the ledger, as NetSuite's transaction table lists them. */
  const journals = () =>
    sandbox.suiteql("SELECT id, externalid, trandate FROM transaction WHERE type = 'Journal' ORDER BY id");
  const revenuePostings = async (period: string): Promise<RevenuePosting[]> =>
    (
      (await request(app.url).get(`/v1/revenue-postings?period=${period}`).set(bearer(viewer)).expect(200))
        .body as { items: RevenuePosting[] }
    ).items;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    app = await createTestApp(AppModule, APP, erpEnv(sandbox.url, { WORKER_CONCURRENCY: '2' }));
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });
  afterAll(async () => {
    await app.close();
    await sandbox.close();
    await db.drop();
  });
  beforeEach(async () => {
    await sandbox.admin('reset');
    await db.dataSource.query('TRUNCATE erp.outbox, erp.inbox, erp.exceptions');
  });

  it('posts a summary journal at the period end, balanced, to the configured accounts; its revenue is read back', async () => {
    const command = await publish(summary('2026-02'));
    await settle();
    const [posted, ...more] = await events<ErpPostedPayload>('erp.posted', command.idempotencyKey);
    expect(more).toEqual([]);
    expect(posted).toMatchObject({
      recordType: 'periodJournal',
      externalId: toErpExternalId('rr:2026-02:US:USD:1:0'),
      erpId: expect.stringMatching(/^\d+$/) as unknown,
      outcome: 'posted',
    });
    expect(await journals()).toEqual([
      { id: posted.erpId, externalid: posted.externalId, trandate: '2026-02-28' },
    ]);
    const lines = await sandbox.suiteql(
      `SELECT account, debit, credit FROM transactionaccountingline WHERE transaction = '${posted.erpId}' ORDER BY account`,
    );
    expect(lines).toEqual([
      { account: '4', debit: '1019.18' },
      { account: '5', credit: '1069.18' },
      { account: '6', debit: '50.00' },
    ]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });

    // The reconciliation read counts it, in its period only, as revenue of no contract.
    expect(await revenuePostings('2026-02')).toEqual([
      expect.objectContaining({
        contractId: '',
        obligationId: '',
        productClass: 'SEAT',
        amount: { amountMinor: '106918', currency: 'USD' },
      }),
    ]);
    expect(await revenuePostings('2026-03')).toEqual([]);
    const documents = await request(app.url)
      .get('/v1/documents?kind=revenueJournal&period=2026-02')
      .set(bearer(viewer))
      .expect(200);
    expect(documents.body.items).toEqual([
      expect.objectContaining({
        erpId: posted.erpId,
        period: '2026-02',
        tranDate: '2026-02-28',
        total: { amountMinor: '106918', currency: 'USD' },
      }),
    ]);
  });

  it('carries the contract and obligation on detail lines, so the contract balances see them', async () => {
    const detail: Journal = {
      externalId: 'rr:2026-01:US:USD:1:0',
      period: '2026-01',
      subsidiary: 'US',
      currency: 'USD',
      memo: 'Revenue 2026-01, detail',
      lines: [
        { account: 'deferred_revenue', debitMinor: '101918', contractId: 'C-G1', obligationId: 'seats' },
        {
          account: 'revenue',
          productClass: 'SEAT',
          creditMinor: '101918',
          contractId: 'C-G1',
          obligationId: 'seats',
        },
        { account: 'deferred_revenue', debitMinor: '2500', contractId: 'C-G2', obligationId: 'module' },
        {
          account: 'revenue',
          productClass: 'ANALYTICS',
          creditMinor: '2500',
          contractId: 'C-G2',
          obligationId: 'module',
        },
      ],
    };
    await publish(detail);
    await settle();
    expect(await events('erp.rejected')).toEqual([]);
    const postings = await revenuePostings('2026-01');
    expect(postings.map((p) => [p.contractId, p.obligationId, p.productClass, p.amount.amountMinor])).toEqual(
      [
        ['C-G1', 'seats', 'SEAT', '101918'],
        ['C-G2', 'module', 'ANALYTICS', '2500'],
      ],
    );
    const balances = await request(app.url)
      .get('/v1/contracts/C-G1/balances?asOf=2026-01')
      .set(bearer(viewer))
      .expect(200);
    expect(balances.body.balances).toEqual([
      expect.objectContaining({ currency: 'USD', recognisedMinor: '101918', deferredMinor: '-101918' }),
    ]);
  });

  it('posts a re-sent journal once: the same command is acknowledged, a new command finds the journal', async () => {
    const first = await publish(summary('2026-02'));
    await settle();
    const [posted] = await events<ErpPostedPayload>('erp.posted', first.idempotencyKey);

    // The same command redelivered: acknowledged without a request to NetSuite and without a second answer.
    await sandbox.admin('stats/reset');
    await app.app.get(PostPeriodJournalHandler).postPeriodJournal(first);
    expect((await sandbox.stats()).accepted).toBe(0);
    expect(await events('erp.posted', first.idempotencyKey)).toHaveLength(1);

    // The same journal in a new command (a close re-run): NetSuite's upsert by external id finds it.
    const again = await publish(summary('2026-02'));
    await settle();
    expect(await events<ErpPostedPayload>('erp.posted', again.idempotencyKey)).toEqual([
      expect.objectContaining({ externalId: posted.externalId, erpId: posted.erpId, outcome: 'posted' }),
    ]);
    expect(await journals()).toHaveLength(1);
    expect(await revenuePostings('2026-02')).toEqual([
      expect.objectContaining({ amount: { amountMinor: '106918', currency: 'USD' } }),
    ]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('answers a journal in a period NetSuite has closed with erp.rejected closed_period naming the period', async () => {
    await sandbox.admin('periods/2026-03/close');
    let command: Envelope<'erp.post-period-journal'>;
    try {
      command = await publish(summary('2026-03'));
      await settle();
    } finally {
      await sandbox.admin('periods/2026-03/reopen');
    }
    expect(await events('erp.posted')).toEqual([]);
    expect(await events<ErpRejectedPayload>('erp.rejected', command.idempotencyKey)).toEqual([
      expect.objectContaining({
        recordType: 'periodJournal',
        externalId: toErpExternalId('rr:2026-03:US:USD:1:0'),
        category: 'closed_period',
        errorCode: 'USER_ERROR',
        message: expect.stringMatching(/^Period 2026-03 is closed in NetSuite: /) as unknown,
      }),
    ]);
    // Not marked applied: the operator's retry once the period is reopened posts it.
    expect(
      await db.dataSource.query('SELECT 1 FROM erp.inbox WHERE idempotency_key = $1', [
        command.idempotencyKey,
      ]),
    ).toEqual([]);
    expect(await journals()).toEqual([]);
  });

  it('refuses an unbalanced journal as a validation error without writing anything', async () => {
    await sandbox.admin('stats/reset');
    const unbalanced = summary('2026-02');
    const command = await publish({
      ...unbalanced,
      lines: [
        { account: 'deferred_revenue', debitMinor: '101918' },
        { account: 'revenue', productClass: 'SEAT', creditMinor: '101917' },
      ],
    });
    await settle();
    expect(await events<ErpRejectedPayload>('erp.rejected', command.idempotencyKey)).toEqual([
      expect.objectContaining({
        recordType: 'periodJournal',
        externalId: unbalanced.externalId,
        errorCode: 'schema_violation',
        category: 'validation',
        field: 'lines',
        message: expect.stringContaining('debits must equal credits') as unknown,
      }),
    ]);
    expect((await sandbox.stats()).accepted).toBe(0);
    expect(await events('erp.posted')).toEqual([]);
    expect(await journals()).toEqual([]);
  });
});
