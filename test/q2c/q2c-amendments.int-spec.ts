import type { Envelope } from '@revline/messaging';
import { Queues } from '@revline/messaging';
import { eventually } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/**
 * The amendment sagas end to end (golden examples G2 and G5): after the G1 booking, CPQ amends the
 * contract to 15 seats from 2026-03-15, then back to 10 seats from 2026-10-01.
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

  // Recognition only: G1 is booked on the day the suite runs, after its term start, so its revenue runs ahead of
  // billing until then and the contract-asset journals (obligation `contract-asset`) depend on that day.
  const postings = (version: number) =>
    env.db.dataSource.query<Array<{ period: string; posted: string; obligation_id: string }>>(
      `SELECT "period", "posted_amount_minor" AS posted, "obligation_id" FROM "erp"."revenue_postings"
        WHERE "contract_id" = $1 AND "schedule_version" = $2 AND "outcome" = 'posted'
          AND "obligation_id" <> 'contract-asset' ORDER BY "period"`,
      [orderId, version],
    );

  beforeAll(async () => {
    env = await startQ2cEnv();
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

    // NetSuite: the invoice of 4,800.00 and the new schedule version's journals, March 279.45 … total 4,800.00.
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT externalid, foreigntotal FROM transaction WHERE externalid = 'INV-${proration?.id ?? ''}'`,
    );
    expect(erpInvoice).toMatchObject({ externalid: `INV-${proration?.id ?? ''}`, foreigntotal: '4800.00' });
    const version = expansion?.data.scheduleVersion ?? 0;
    expect(version).toBeGreaterThan(1);
    const journals = await postings(version);
    expect(journals.map((j) => [j.period, j.posted])).toEqual([
      ['2026-03', '27945'],
      ['2026-04', '49315'],
      ['2026-05', '50959'],
      ['2026-06', '49315'],
      ['2026-07', '50959'],
      ['2026-08', '50959'],
      ['2026-09', '49315'],
      ['2026-10', '50959'],
      ['2026-11', '49315'],
      ['2026-12', '50959'],
    ]);
    expect(journals.reduce((s, j) => s + BigInt(j.posted), 0n)).toBe(480_000n);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

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
      'erp:revenueJournal:posted',
      'salesforce:crm.write-back:sent',
      'revline:Saga:completed',
    ]) {
      expect(story).toContain(hop);
    }
    expect(story).not.toContain('revline:ContractBooked:normalised');
  }, 90_000);

  it('reduces to 10 seats from 2026-10-01 (G5): a credit note of 1,512.33 in Stripe and a credit memo in NetSuite', async () => {
    await amend('2026-10-01', 10);
    const reduction = (await env.completed(orderId, 3)).at(2);
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
    // The removed seats' remaining schedule reversed: October..December 509.59 + 493.15 + 509.59.
    const version = reduction?.data.scheduleVersion ?? 0;
    const journals = await postings(version);
    expect(journals.reduce((s, j) => s + BigInt(j.posted), 0n)).toBe(-151_233n);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 90_000);

  it('delivers every Salesforce change and every Stripe webhook twice: the same end state, nothing posted twice', async () => {
    const ledger = async () => ({
      transactions: await env.netsuite.suiteql(
        'SELECT externalid, type, foreigntotal FROM transaction ORDER BY externalid',
      ),
      postings: await env.db.dataSource.query<unknown[]>(
        `SELECT "external_id", "posted_amount_minor" FROM "erp"."revenue_postings" ORDER BY "external_id"`,
      ),
    });
    const before = await ledger();
    const sagasBefore = await env.sagas(orderId);
    expect(before.transactions.length).toBeGreaterThan(20);

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
    expect(jobs.filter((j) => j === 'erp.post-revenue-journal').length).toBeGreaterThan(12);
  });
});
