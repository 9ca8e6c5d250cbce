import type { JobName, JobPayloads } from '@revline/messaging';
import { createEnvelope, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase, eventually, waitForQueuesIdle } from '@revline/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/system-erp/src/app.module';
import { APP } from '../../apps/system-erp/src/app.info';
import { DATABASE } from '../../apps/system-erp/src/database';
import { PostInvoiceHandler } from '../../apps/system-erp/src/postings/post-invoice.handler';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

interface OutboxRow {
  job: string;
  idempotency_key: string;
  payload: Record<string, unknown>;
}

const invoicePayload = (n: number, tranDate = '2026-02-01'): JobPayloads['erp.post-invoice'] => ({
  externalId: `in_${n}`,
  customerExternalId: 'cus_acme',
  currency: 'USD',
  tranDate,
  contractId: `C-${n}`,
  lines: [{ itemExternalId: 'SEAT', amountMinor: String(10_000 + n), productClass: 'SEAT' }],
});

describe('erp.commands jobs against the NetSuite sandbox', () => {
  let db: TestDatabase;
  let sandbox: Sandbox;
  let first: TestApp;
  let second: TestApp;
  let counter = 0;

  const sent = new Map<string, { correlationId: string; messageId: string }>();
  const publish = async <J extends JobName>(job: J, payloads: Array<JobPayloads[J]>): Promise<string[]> => {
    const envelopes = payloads.map((p) =>
      createEnvelope(job, p, { idempotencyKey: `cmd-${job}-${(counter += 1)}` }),
    );
    for (const e of envelopes)
      sent.set(e.idempotencyKey, { correlationId: e.correlationId, messageId: e.messageId });
    await first.app.get(Queues).publish(envelopes);
    return envelopes.map((e) => e.idempotencyKey);
  };
  const settle = async (timeoutMs = 30_000) =>
    waitForQueuesIdle([await first.app.get(Queues).get('erp.commands')], timeoutMs);
  /** The answers of that job: `erp.posted-many` rows count as the `erp.posted` of each command they confirm. */
  const outbox = async (job: 'erp.posted' | 'erp.rejected'): Promise<OutboxRow[]> => {
    const rows = await db.dataSource.query<OutboxRow[]>(
      `SELECT job, idempotency_key, envelope->'payload' AS payload FROM erp.outbox WHERE job = $1 OR job = $2`,
      [job, `${job}-many`],
    );
    return rows.flatMap((row) =>
      row.job === job
        ? [row]
        : (row.payload.confirmations as Array<Record<string, unknown>>).map((payload) => ({
            ...row,
            job,
            payload,
          })),
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    sandbox = await startSandbox();
    const env = erpEnv(sandbox.url, { WORKER_CONCURRENCY: '10', NETSUITE_CONCURRENCY_LIMIT: '5' });
    // Two instances of system-erp, 10 workers each, sharing Redis and Postgres: 20 workers in all.
    first = await createTestApp(AppModule, APP, env);
    second = await createTestApp(AppModule, APP, env);
  });
  afterAll(async () => {
    await second.close();
    await first.close();
    await sandbox.close();
    await db.drop();
  });
  beforeEach(async () => {
    await sandbox.admin('reset');
    await db.dataSource.query(
      'TRUNCATE erp.outbox, erp.inbox, erp.exceptions, erp.revenue_postings, erp.customers',
    );
    await publish('erp.upsert-customer', [
      { externalId: 'cus_acme', name: 'Acme', subsidiary: 'US', currency: 'USD' },
    ]);
    await settle();
  });

  it('answers every command with erp.posted carrying the NetSuite id', async () => {
    const [invoiceKey] = await publish('erp.post-invoice', [invoicePayload(1, '2026-01-01')]);
    await settle();
    // A credit note and a payment on in_1 (100.01) that together settle it, in whichever order they post.
    const [creditKey] = await publish('erp.post-credit-memo', [
      {
        ...invoicePayload(2),
        externalId: 'cn_1',
        appliesToExternalId: 'in_1',
        lines: [{ itemExternalId: 'SEAT', amountMinor: '1000', productClass: 'SEAT' }],
      },
    ]);
    const [paymentKey] = await publish('erp.post-payment', [
      {
        ...invoicePayload(3),
        externalId: 'py_1',
        appliesToExternalId: 'in_1',
        lines: [{ itemExternalId: 'pay', amountMinor: '9001' }],
      },
    ]);
    const [scheduleKey] = await publish('erp.upsert-revenue-schedule', [
      {
        externalId: 'rs-C-1',
        contractId: 'C-1',
        obligationId: 'seats',
        scheduleVersion: 1,
        currency: 'USD',
        periods: [
          { period: '2026-01', amountMinor: '5000' },
          { period: '2026-02', amountMinor: '5001' },
        ],
      },
    ]);
    await settle();
    const posted = await outbox('erp.posted');
    const byKey = new Map(posted.map((r) => [r.payload.commandIdempotencyKey, r.payload]));
    for (const [key, recordType] of [
      [invoiceKey, 'invoice'],
      [creditKey, 'creditMemo'],
      [paymentKey, 'payment'],
      [scheduleKey, 'revenueSchedule'],
    ] as const) {
      expect(byKey.get(key)).toMatchObject({
        recordType,
        outcome: 'posted',
        erpId: expect.stringMatching(/^\d+$/),
      });
    }
    expect(posted.some((r) => r.payload.recordType === 'customer')).toBe(true);
    // Traceable: each answer carries its command's correlation id and names the command as its cause; answers
    // written together carry the first one's.
    const traces = await db.dataSource.query<
      Array<{ correlationId: string; causationId: string; first: string }>
    >(
      `SELECT envelope->>'correlationId' AS "correlationId", envelope->>'causationId' AS "causationId",
              coalesce(envelope->'payload'->'confirmations'->0->>'commandIdempotencyKey',
                       envelope->'payload'->>'commandIdempotencyKey') AS "first"
         FROM erp.outbox
        WHERE idempotency_key = $1 OR envelope->'payload'->'confirmations' @> $2::jsonb`,
      [`${invoiceKey}:posted`, JSON.stringify([{ commandIdempotencyKey: invoiceKey }])],
    );
    expect(traces).toHaveLength(1);
    const trace = traces.at(0);
    const command = sent.get(trace?.first ?? '');
    expect(command).toBeDefined();
    expect(trace).toMatchObject({ correlationId: command?.correlationId, causationId: command?.messageId });
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('posts an invoice carrying its revenue plan, no schedule record, reports the schedule posted with it, and a redelivery posts nothing', async () => {
    const payload: JobPayloads['erp.post-invoice'] = {
      ...invoicePayload(7, '2026-01-01'),
      lines: [
        {
          itemExternalId: 'SEAT',
          amountMinor: '1200000',
          productClass: 'SEAT',
          obligationId: 'seats',
          serviceStart: '2026-01-01',
          serviceEnd: '2026-12-31',
          revenueSchedule: {
            externalId: 'rs:C-7:seats:1',
            scheduleVersion: 1,
            periods: [
              { period: '2026-01', amountMinor: '600000' },
              { period: '2026-02', amountMinor: '600000' },
            ],
          },
        },
      ],
    };
    const envelope = createEnvelope('erp.post-invoice', payload, { idempotencyKey: 'cmd-planned-invoice' });
    const handler = first.app.get(PostInvoiceHandler);
    await handler.postInvoice(envelope);
    const afterFirst = (await sandbox.stats()).accepted;
    await handler.postInvoice(envelope); // redelivered: applied already, NetSuite is not called again
    expect((await sandbox.stats()).accepted).toBe(afterFirst);
    const invoices = await sandbox.suiteql("SELECT externalid FROM transaction WHERE type = 'CustInvc'");
    expect(invoices).toEqual([{ externalid: 'in_7' }]);

    const posted = (await outbox('erp.posted')).filter(
      (r) => r.payload.commandIdempotencyKey === 'cmd-planned-invoice',
    );
    expect(posted).toHaveLength(1);
    const erpId = posted[0]?.payload.erpId;
    expect(erpId).toMatch(/^\d+$/);
    expect(posted[0]?.payload).toMatchObject({
      recordType: 'invoice',
      externalId: 'in_7',
      postings: [
        {
          recordType: 'revenueSchedule',
          externalId: 'in_7',
          key: 'rs:C-7:seats:1',
          erpId,
          outcome: 'posted',
        },
      ],
    });
    expect(await sandbox.suiteql('SELECT id FROM customrecord_rl_revenue_schedule')).toEqual([]);
    expect(
      await sandbox.suiteql(
        'SELECT tl.custcol_rl_schedule_version, tl.custcol_rl_schedule_total FROM transactionline tl ' +
          `WHERE tl.transaction = ${String(erpId)} AND tl.custcol_rl_schedule_version IS NOT NULL`,
      ),
    ).toEqual([{ custcol_rl_schedule_version: '1', custcol_rl_schedule_total: '12000.00' }]);
  });

  it('posts each of 500 invoices exactly once when 30% of responses are lost after the save', async () => {
    await sandbox.admin('faults', { timeoutAfterSaveRate: 0.3, timeoutAfterSaveMs: 0, seed: 7 });
    try {
      await publish(
        'erp.post-invoice',
        Array.from({ length: 500 }, (_, i) => invoicePayload(1000 + i)),
      );
      await settle(60_000);
    } finally {
      await sandbox.admin('faults', { timeoutAfterSaveRate: 0 });
    }
    expect((await sandbox.stats()).faults.timeoutsAfterSave).toBeGreaterThan(100);
    const rows = await sandbox.suiteql("SELECT externalid FROM transaction WHERE type = 'CustInvc'");
    expect(rows).toHaveLength(500);
    expect(new Set(rows.map((r) => r.externalid)).size).toBe(500);
    // The last retries may still be confirming under load: wait for 500 confirmations, then check there are no more.
    const invoicesPosted = async () =>
      (await outbox('erp.posted')).filter((r) => r.payload.recordType === 'invoice');
    await eventually(async () => (await invoicesPosted()).length >= 500, 30_000);
    const posted = await invoicesPosted();
    expect(posted).toHaveLength(500);
    expect(new Set(posted.map((r) => r.payload.erpId)).size).toBe(500);
    expect(await db.dataSource.query('SELECT * FROM erp.exceptions')).toEqual([]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });

  it('finds the saved record on retry when the response hangs past the client timeout', async () => {
    await sandbox.admin('faults', { timeoutAfterSaveRate: 0.5, timeoutAfterSaveMs: 1_200, seed: 3 });
    try {
      await publish(
        'erp.post-invoice',
        Array.from({ length: 6 }, (_, i) => invoicePayload(3000 + i)),
      );
      await settle(30_000);
    } finally {
      await sandbox.admin('faults', { timeoutAfterSaveRate: 0, timeoutAfterSaveMs: 0 });
    }
    expect((await sandbox.stats()).faults.timeoutsAfterSave).toBeGreaterThan(0);
    const rows = await sandbox.suiteql("SELECT externalid FROM transaction WHERE type = 'CustInvc'");
    expect(rows.map((r) => r.externalid).sort()).toEqual(
      Array.from({ length: 6 }, (_, i) => `in_${3000 + i}`).sort(),
    );
    // The last retry may still be confirming under load: wait for the six confirmations, then check there are no more.
    const invoicesPosted = async () =>
      (await outbox('erp.posted')).filter((r) => r.payload.recordType === 'invoice').length;
    await eventually(async () => (await invoicesPosted()) >= 6, 30_000);
    expect(await invoicesPosted()).toBe(6);
  });

  it('runs 20 workers against a limit of 5: none is refused for lack of a slot, never more than 5 at once', async () => {
    await sandbox.admin('faults', { latencyMs: 15 });
    await sandbox.admin('stats/reset');
    try {
      await publish(
        'erp.post-invoice',
        Array.from({ length: 200 }, (_, i) => invoicePayload(5000 + i)),
      );
      await settle(60_000);
    } finally {
      await sandbox.admin('faults', { latencyMs: 0 });
    }
    const stats = await sandbox.stats();
    expect(stats.refused).toBe(0);
    expect(stats.maxInFlight).toBe(5);
    expect(stats.accepted).toBeGreaterThanOrEqual(200);
    expect(stats.accepted).toBeLessThanOrEqual(202);
    expect((await outbox('erp.posted')).filter((r) => r.payload.recordType === 'invoice')).toHaveLength(200);
  });

  it('posts the customer an invoice carries before the invoice, once, and names a refused customer', async () => {
    const carrying = (n: number, currency: string): JobPayloads['erp.post-invoice'] => ({
      ...invoicePayload(n),
      customerExternalId: `cus_new_${currency}`,
      customer: {
        key: 'erp-customer',
        externalId: `cus_new_${currency}`,
        name: 'New Co',
        subsidiary: 'US',
        currency,
      },
    });
    const [first, again] = await publish('erp.post-invoice', [carrying(21, 'USD'), carrying(22, 'USD')]);
    await settle();
    const customers = await sandbox.suiteql("SELECT id FROM customer WHERE externalid = 'cus_new_USD'");
    expect(customers).toHaveLength(1);
    const posted = (await outbox('erp.posted')).filter((r) =>
      [first, again].includes(r.payload.commandIdempotencyKey as string),
    );
    expect(posted.map((r) => r.payload.postings)).toEqual([
      [
        {
          recordType: 'customer',
          externalId: 'cus_new_USD',
          key: 'erp-customer',
          erpId: customers[0]?.id,
          outcome: 'posted',
        },
      ],
      [
        {
          recordType: 'customer',
          externalId: 'cus_new_USD',
          key: 'erp-customer',
          erpId: customers[0]?.id,
          outcome: 'posted',
        },
      ],
    ]);

    const [refused] = await publish('erp.post-invoice', [carrying(23, 'ZZZ')]);
    await settle();
    expect(
      (await outbox('erp.rejected'))
        .filter((r) => r.payload.commandIdempotencyKey === refused)
        .map((r) => r.payload),
    ).toEqual([expect.objectContaining({ recordType: 'customer', externalId: 'cus_new_ZZZ' })]);
    expect(await sandbox.suiteql("SELECT id FROM transaction WHERE externalid = 'in_21'")).toHaveLength(1);
    expect(await sandbox.suiteql("SELECT id FROM transaction WHERE externalid = 'in_23'")).toEqual([]);
  });

  it('answers a posting to a closed period with erp.rejected and NetSuite code, parking nothing of its own', async () => {
    await sandbox.admin('periods/2026-03/close');
    try {
      const [key] = await publish('erp.post-invoice', [invoicePayload(9, '2026-03-05')]);
      await settle();
      // process-q2c holds the exception (erp_rejected); system-erp keeps none of its own.
      expect(await db.dataSource.query('SELECT category FROM erp.exceptions')).toEqual([]);
      expect((await outbox('erp.rejected')).map((r) => r.payload)).toEqual([
        expect.objectContaining({
          commandIdempotencyKey: key,
          errorCode: 'USER_ERROR',
          category: 'closed_period',
          field: 'postingPeriod',
          externalId: 'in_9',
        }),
      ]);
      expect(await db.dataSource.query('SELECT * FROM erp.inbox WHERE idempotency_key = $1', [key])).toEqual(
        [],
      );
      expect(await sandbox.suiteql("SELECT id FROM transaction WHERE type = 'CustInvc'")).toEqual([]);
    } finally {
      await sandbox.admin('periods/2026-03/reopen');
    }
  });

  it('refuses a malformed command as a schema violation without calling NetSuite, answering erp.rejected', async () => {
    await sandbox.admin('stats/reset');
    const [key] = await publish('erp.post-invoice', [
      { ...invoicePayload(10), lines: [{ itemExternalId: 'SEAT', amountMinor: '12.50' }] },
    ]);
    await settle();
    expect(await db.dataSource.query('SELECT category FROM erp.exceptions')).toEqual([]);
    const answers = (await outbox('erp.rejected')).filter((r) => r.payload.commandIdempotencyKey === key);
    expect(answers.map((r) => r.payload)).toEqual([
      expect.objectContaining({
        errorCode: 'schema_violation',
        externalId: 'in_10',
        field: 'lines.0.amountMinor',
        message: expect.stringContaining('lines.0.amountMinor') as unknown,
      }),
    ]);
    expect((await sandbox.stats()).accepted).toBe(0);
  });

  it('posts a later schedule version as the difference only, and a stale version not at all', async () => {
    const journal = (version: number, amountMinor: string): JobPayloads['erp.post-revenue-journal'] => ({
      externalId: `rj-C-G1-seats-2026-01-v${version}`,
      contractId: 'C-G1',
      obligationId: 'seats',
      period: '2026-01',
      scheduleVersion: version,
      amount: { amountMinor, currency: 'USD' },
      productClass: 'SEAT',
      subsidiary: 'US',
    });
    await publish('erp.post-revenue-journal', [journal(1, '101918')]);
    await settle();
    await publish('erp.post-revenue-journal', [journal(2, '129862')]);
    await settle();
    await publish('erp.post-revenue-journal', [journal(1, '101918')]); // a late redelivery of v1 under a new key
    await settle();
    const [revenue] = await sandbox.suiteql(
      "SELECT SUM(credit) AS recognised, COUNT(*) AS n FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '5' AND custcol_rl_contract = 'C-G1' GROUP BY custcol_rl_contract",
    );
    expect(revenue).toEqual({ recognised: '1298.62', n: '2' });
    const outcomes = (await outbox('erp.posted'))
      .filter((r) => r.payload.recordType === 'revenueJournal')
      .map((r) => [r.payload.outcome, r.payload.postedAmountMinor]);
    expect(outcomes).toEqual([
      ['posted', '101918'],
      ['posted', '27944'],
      ['superseded', '0'],
    ]);
    expect(await sandbox.imbalance()).toEqual({ USD: '0' });
  });
});
