import type { Envelope } from '@revline/messaging';
import { Queues } from '@revline/messaging';
import type { RevenueRunListDto, StartRevenueRunResultDto } from '@revline/finance-api';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { G1_MONTHS } from '../support/golden';

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
const G1 = (period: string): bigint => BigInt(G1_MONTHS[Number(period.slice(5)) - 1] ?? '0');
const G2 = (period: string): bigint => BigInt(G2_MONTHS[period] ?? '0');

/**
 * The amendment sagas end to end (golden examples G2 and G5): after the G1 booking, CPQ amends the
 * contract to 15 seats from 2026-03-15, then back to 10 seats from 2026-10-01. Revenue is posted at period close (the
 * default): an amendment posts its documents and the new revenue plan, no journal; a revenue run of the month posts
 * the month's revenue, the amendment's included.
 */
describe('quote-to-cash amendment sagas through the sandbox', () => {
  let env: Q2cEnv;
  let orderId: string;
  let sfContractId: string;
  let seatLineId: string;
  let booking: SagaRow;

  const amend = async (effectiveDate: string, quantity: number): Promise<string> => {
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({ contractId: sfContractId, effectiveDate, changes: [{ orderItemId: seatLineId, quantity }] })
      .expect(201);
    const amendmentOrderId = (amended.body as { orderId: string }).orderId;
    await activateOrders(env.sales, [amendmentOrderId]);
    return amendmentOrderId;
  };

  let operator: string;
  let viewer: string;

  /** The contract's stored revenue plan: each month's revenue summed over its obligations. */
  const plan = async (): Promise<Map<string, bigint>> => {
    const rows = await env.db.dataSource.query<
      Array<{ obligation_id: string; periods: Array<{ period: string; amountMinor: string }> }>
    >(`SELECT "obligation_id", "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`, [orderId]);
    const months = new Map<string, bigint>();
    for (const row of rows)
      for (const m of row.periods) months.set(m.period, (months.get(m.period) ?? 0n) + BigInt(m.amountMinor));
    return months;
  };
  const journals = () => env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`);
  /** Runs the period's revenue close as finance.operator and waits until the ERP has posted its journals. */
  const close = async (period: string): Promise<StartRevenueRunResultDto> => {
    const started = await request(env.q2c.url)
      .post(`/v1/close/${period}/revenue-runs`)
      .set(bearer(operator))
      .send({})
      .expect(200);
    const run = started.body as StartRevenueRunResultDto;
    await env.settle();
    const listed = await request(env.q2c.url)
      .get(`/v1/close/${period}/revenue-runs`)
      .set(bearer(viewer))
      .expect(200);
    const done = (listed.body as RevenueRunListDto).items.find((r) => r.runId === run.runId);
    expect(done?.state).toBe('posted');
    return done as StartRevenueRunResultDto;
  };
  /** Revenue in NetSuite's revenue account, in minor units (credits are negative there). */
  const revenue = async (): Promise<bigint> => {
    const row = (
      await env.netsuite.suiteql(`SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`)
    ).at(0);
    return -BigInt((row?.b ?? '0.00').replace('.', ''));
  };
  /** G1's and G2's revenue from January to the period's end (G2's October..December removed by G5 if `reduced`). */
  const toDate = (period: string, reduced = false): bigint =>
    G1_MONTHS.map((_, i) => `2026-${String(i + 1).padStart(2, '0')}`)
      .filter((m) => m <= period)
      .reduce((s, m) => s + G1(m) + (reduced && m >= '2026-10' ? 0n : G2(m)), 0n);

  beforeAll(async () => {
    env = await startQ2cEnv();
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
    ({ orderId, saga: booking, sfContractId, seatLineId } = await env.bookAndContractG1());
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('expands G1 to 15 seats from 2026-03-15 (G2): Stripe prorates, NetSuite books a separate contract, Salesforce shows it', async () => {
    const amendmentOrderId = await amend('2026-03-15', 15);
    const expansion = (await env.completed(orderId, 2)).at(1);
    expect(expansion).toMatchObject({ kind: 'expansion', step: 'done', last_error: null });
    expect(expansion?.data.treatment).toBe('separate_contract');
    // The contracts list finds the contract by the amendment's order id as well as by the booking's.
    for (const order of [amendmentOrderId, orderId]) {
      const found = await request(env.q2c.url)
        .get('/v1/contracts')
        .query({ order })
        .set(bearer(env.admin))
        .expect(200);
      expect((found.body as { items: Array<{ contractId: string }> }).items.map((c) => c.contractId)).toEqual(
        [orderId],
      );
    }
    const none = await request(env.q2c.url)
      .get('/v1/contracts')
      .query({ order: '801000000000NONE' })
      .set(bearer(env.admin))
      .expect(200);
    expect((none.body as { items: unknown[] }).items).toEqual([]);
    expect(expansion?.data).toMatchObject({
      expectedProrationMinor: '480000',
      billedProrationMinor: '480000',
    });

    // Stripe: 15 seats; the proration invoice itemises −9,600.00 and +14,400.00.
    const subscription = await env.stripe.subscriptions.retrieve(booking.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([15]);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total).sort((a, b) => a - b)).toEqual([480_000, 1_200_000]);
    const proration = invoices.data.find((i) => i.total === 480_000);
    expect(proration?.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-960_000, 1_440_000]);
    expect(expansion?.data.invoices).toEqual([
      expect.objectContaining({ documentId: proration?.id, erpId: expect.any(String) }),
    ]);

    // NetSuite: the invoice of 4,800.00 and no revenue journal; the new schedule version stored for the close, G1's
    // months and, from March, G2's 279.45 … 4,800.00 in all.
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT externalid, foreigntotal FROM transaction WHERE externalid = 'INV-${proration?.id ?? ''}'`,
    );
    expect(erpInvoice).toMatchObject({ externalid: `INV-${proration?.id ?? ''}`, foreigntotal: '4800.00' });
    const version = expansion?.data.scheduleVersion ?? 0;
    expect(version).toBeGreaterThan(1);
    const stored = await env.db.dataSource.query<Array<{ v: number }>>(
      `SELECT max("schedule_version")::int AS v FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(stored).toEqual([{ v: version }]);
    expect(await journals()).toEqual([]);
    const months = await plan();
    expect([...months.keys()].sort()).toEqual(
      G1_MONTHS.map((_, i) => `2026-${String(i + 1).padStart(2, '0')}`),
    );
    for (const [period, amount] of months) expect(amount, period).toBe(G1(period) + G2(period));
    expect([...months.values()].reduce((a, b) => a + b, 0n)).toBe(1_680_000n);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

    // March's revenue run, the first, posts the revenue to March's end in one journal: G1's January..March and
    // G2's 279.45.
    const march = await close('2026-03');
    expect(march.journals).toHaveLength(1);
    expect(await revenue()).toBe(G1('2026-01') + G1('2026-02') + G1('2026-03') + 27_945n);
    expect(await journals()).toHaveLength(1);

    // Salesforce: the amendment order shows the sync and the same subscription.
    const order = await eventually(async () => {
      const o = (await env.sales.sobject('Order').retrieve(amendmentOrderId)) as Record<string, unknown>;
      return o.Revline_Integration_Status__c === 'Synced' ? o : undefined;
    }, 20_000);
    expect(order).toMatchObject({
      Revline_Billing_Id__c: subscription.id,
      Revline_Correlation_Id__c: expansion?.correlation_id,
    });

    // Lineage: the amendment's story under its own correlation id.
    const hops = await env.db.dataSource.query<
      Array<{ system: string; object_type: string; status: string }>
    >(
      `SELECT "system", "object_type", "status" FROM "q2c"."lineage" WHERE "correlation_id" = $1 ORDER BY "occurred_at"`,
      [expansion?.correlation_id],
    );
    const story = hops.map((h) => `${h.system}:${h.object_type}:${h.status}`);
    for (const hop of [
      'salesforce:Order:captured',
      'revline:ContractAmended:normalised',
      'billing:billing.apply-contract-change:sent',
      'billing:Invoice:issued',
      'erp:invoice:posted',
      'revline:RevenueScheduleUpdated:computed',
      'salesforce:crm.write-back:sent',
      'revline:Saga:completed',
    ]) {
      expect(story).toContain(hop);
    }
    expect(story).not.toContain('revline:ContractBooked:normalised');
    expect(story).not.toContain('erp:revenueJournal:posted');
  }, 90_000);

  it('reduces to 10 seats from 2026-10-01 (G5): a credit note of 1,512.33 in Stripe and a credit memo in NetSuite', async () => {
    await amend('2026-10-01', 10);
    const sagas = await env.completed(orderId, 3);
    const expansion = sagas.at(1);
    const reduction = sagas.at(2);
    expect(reduction).toMatchObject({ kind: 'reduction', step: 'done', last_error: null });

    const subscription = await env.stripe.subscriptions.retrieve(booking.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([10]);
    const notes = await env.stripe.creditNotes.list({ customer: booking.data.billingCustomerId ?? '' });
    expect(notes.data.map((n) => n.total)).toEqual([151_233]);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data).toHaveLength(2);

    const note = notes.data.at(0);
    expect(reduction?.data.creditNotes).toEqual([
      expect.objectContaining({ documentId: note?.id, erpId: expect.any(String) }),
    ]);
    const memos = await env.netsuite.suiteql(
      "SELECT externalid, foreigntotal FROM transaction WHERE type = 'CustCred'",
    );
    expect(memos).toHaveLength(1);
    expect(memos[0]).toMatchObject({ externalid: `CM-${note?.id ?? ''}`, foreigntotal: '1512.33' });
    // The removed seats' remaining plan gone: October..December 509.59 + 493.15 + 509.59 less, G1's months left.
    const version = reduction?.data.scheduleVersion ?? 0;
    expect(version).toBeGreaterThan(expansion?.data.scheduleVersion ?? 0);
    const months = await plan();
    for (const period of ['2026-10', '2026-11', '2026-12'])
      expect(months.get(period), period).toBe(G1(period));
    expect([...months.values()].reduce((a, b) => a + b, 0n)).toBe(1_680_000n - 151_233n);
    // Still no journal from the amendment itself; October's revenue run posts April..October, the removed seats'
    // October not among them: G2's April..September and G1's months.
    expect(await journals()).toHaveLength(1);
    await close('2026-10');
    expect(await revenue()).toBe(toDate('2026-10', true));
    expect(toDate('2026-10', true)).toBe(toDate('2026-10') - 50_959n);
    expect(await journals()).toHaveLength(2);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 90_000);

  it('delivers every Salesforce change and every Stripe webhook twice: the same end state, nothing posted twice', async () => {
    const ledger = async () => ({
      transactions: await env.netsuite.suiteql(
        'SELECT externalid, type, foreigntotal FROM transaction ORDER BY externalid',
      ),
      schedules: await env.db.dataSource.query<unknown[]>(
        `SELECT "obligation_id", "schedule_version", "periods" FROM "q2c"."revenue_schedules" ORDER BY "obligation_id"`,
      ),
    });
    const before = await ledger();
    const sagasBefore = await env.sagas(orderId);
    // Two invoices, the credit memo and the two revenue runs' journals.
    expect(before.transactions.length).toBeGreaterThanOrEqual(5);

    // Every crm.record-changed system-salesforce queued, added again under a new job id (a redelivery BullMQ
    // cannot dedupe); the q2c inbox and the event store's source keys are the guards.
    const queues = env.q2c.app.get(Queues, { strict: false });
    const changes = await env.db.dataSource.query<Array<{ envelope: Envelope<'crm.record-changed'> }>>(
      `SELECT "envelope" FROM "salesforce"."outbox" WHERE "job" = 'crm.record-changed'`,
    );
    expect(changes.length).toBeGreaterThanOrEqual(4);
    const crm = await queues.get('crm.changes');
    for (const { envelope } of changes)
      await crm.add(envelope.job, envelope, { jobId: `redelivered-${envelope.messageId}` });

    // Every Stripe event, signed and posted to system-billing's webhook again.
    const events = await env.stripe.events.list({ limit: 100 });
    expect(events.data.map((e) => e.type)).toEqual(
      expect.arrayContaining(['invoice.finalized', 'credit_note.created']),
    );
    for (const event of events.data) {
      const body = JSON.stringify(event);
      const header = env.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: 'whsec_revline_sandbox',
      });
      await request(env.billing.url)
        .post('/v1/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', header)
        .send(body)
        .expect((res) => {
          if (res.status >= 300) throw new Error(`webhook ${event.type}: ${String(res.status)} ${res.text}`);
        });
    }
    // And every billing event system-billing announced, redelivered to process-q2c under a new job id.
    const announced = await env.db.dataSource.query<Array<{ envelope: Envelope }>>(
      `SELECT "envelope" FROM "billing"."outbox" ORDER BY "created_at"`,
    );
    expect(announced.map((a) => a.envelope.job)).toEqual(
      expect.arrayContaining([
        'billing.subscription-changed',
        'billing.invoice-issued',
        'billing.credit-note-issued',
      ]),
    );
    const billingEvents = await queues.get('billing.events');
    for (const { envelope } of announced)
      await billingEvents.add(envelope.job, envelope, { jobId: `redelivered-${envelope.messageId}` });
    await env.settle();
    // Each redelivery ran and was recognised as already applied.
    for (const [queue, list] of [
      [crm, changes],
      [billingEvents, announced],
    ] as const) {
      for (const { envelope } of list) {
        const job = await queue.getJob(`redelivered-${envelope.messageId}`);
        expect(job?.finishedOn, `${envelope.job} ${envelope.messageId}`).toBeGreaterThan(0);
        expect(job?.failedReason).toBeUndefined();
      }
    }

    expect(await ledger()).toEqual(before);
    const sagasAfter = await env.sagas(orderId);
    expect(sagasAfter.map((s) => [s.saga_id, s.status, s.data.invoices, s.data.creditNotes])).toEqual(
      sagasBefore.map((s) => [s.saga_id, s.status, s.data.invoices, s.data.creditNotes]),
    );
    const subscription = await env.stripe.subscriptions.retrieve(booking.data.subscriptionId ?? '');
    expect((await env.stripe.invoices.list({ subscription: subscription.id })).data).toHaveLength(2);
    expect(
      (await env.stripe.creditNotes.list({ customer: booking.data.billingCustomerId ?? '' })).data,
    ).toHaveLength(1);
    const stored = await env.db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."canonical_events" WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(stored[0]?.n).toBe(3);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 60_000);

  it('replay dry run of the amended contract: every ERP command of the three sagas is what was posted', async () => {
    const res = await request(env.q2c.url)
      .post('/v1/replays')
      .set('authorization', `Bearer ${env.admin}`)
      .send({ contractId: orderId })
      .expect(200);
    const result = res.body as {
      sagas: number;
      differences: number;
      commands: Array<{ job: string; difference: string }>;
    };
    expect(result).toMatchObject({ sagas: 3, differences: 0 });
    const jobs = result.commands.map((c) => c.job);
    expect(jobs.filter((j) => j === 'erp.post-invoice')).toHaveLength(2);
    expect(jobs.filter((j) => j === 'erp.post-credit-memo')).toHaveLength(1);
    expect(jobs.filter((j) => j === 'erp.upsert-revenue-schedule').length).toBeGreaterThanOrEqual(3);
    expect(jobs).not.toContain('erp.post-revenue-journal');
  });
});
