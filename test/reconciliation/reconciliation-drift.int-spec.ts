import { loadConfig } from '@revline/config';
import { createEnvelope, Queues } from '@revline/messaging';
import { bearer, eventually } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { ErpDocument } from '@revline/erp-port';
import { documentBody, revenueJournalBody } from '../../apps/system-erp/src/netsuite/netsuite-records';
import { NetSuiteConfig } from '../../apps/system-erp/src/netsuite/netsuite.config';
import { ReconciliationConfig } from '../../apps/process-q2c/src/reconciliation/reconciliation.config';
import {
  RECONCILIATION_SCHEDULER_KEY,
  ReconciliationSchedule,
} from '../../apps/process-q2c/src/reconciliation/reconciliation-schedule';
import type { Q2cEnv, SagaRow } from '../q2c/q2c-env';
import { startQ2cEnv } from '../q2c/q2c-env';
import type { BreakView, RunView } from './recon-env';
import { reconciliation } from './recon-env';

interface Readiness {
  period: string;
  ready: boolean;
  reasons: string[];
  openExceptions: number;
  openBreaks: number;
  sagasInFlight: number;
  revenue: Array<{ expectedMinor: string; postedMinor: string; currency: string }>;
  breaks: Array<{
    checkpoint: string;
    category: string;
    count: number;
    contractIds: string[];
    runIds: string[];
  }>;
}

/**
 * A seeded month through the sandbox, with deliberate drift in each system: an invoice deleted in NetSuite, a
 * quantity changed in Stripe by hand, a revenue journal posted twice by hand in NetSuite and an amendment whose
 * billing never happened (its billing command held in a paused queue). The next run finds each with its category
 * and values (and, at the period end, the contracts' recognised-to-date and deferred revenue off by as much); close readiness says no; after the fixes the run after closes every one and readiness says yes.
 * Its drift is in the per-contract journals of the legacy mode, so revenue is posted at booking
 * (REVENUE_POSTING=at_booking); period close's reconciliation is in the period-close spec.
 */
describe('three-way reconciliation through the sandbox', () => {
  let env: Q2cEnv;
  let recon: Awaited<ReturnType<typeof reconciliation>>;
  // A pinned period (a 30-day month of G1's term) and a Stripe test clock frozen in it: the invoices are dated in the
  // period whatever day the suite runs.
  const period = '2026-11';
  // Contract A: amended while its billing is held. Contract B: edited by hand in Stripe and NetSuite.
  let a: { orderId: string; saga: SagaRow; sfContractId: string; seatLineId: string };
  let b: { orderId: string; saga: SagaRow };
  const netsuite = () => tbaClient(env.netsuite.url);

  const readiness = async (): Promise<Readiness> =>
    (await request(env.q2c.url).get(`/v1/close/${period}/readiness`).set(bearer(recon.viewer)).expect(200))
      .body as Readiness;
  const open = (breaks: BreakView[]) => breaks.filter((x) => x.status === 'open');
  const describeBreaks = (breaks: BreakView[]) =>
    JSON.stringify(
      breaks.map((x) => [x.checkpoint, x.category, x.objectType, x.objectId, x.expected, x.actual]),
    );

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'at_booking' });
    await env.customerOnTestClock(`${period}-02T00:00:00Z`);
    a = await env.bookAndContractG1();
    b = await env.bookG1();
    await env.settle();
    recon = await reconciliation(env);
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  it('finds nothing in a month where the three systems agree, and the period may close', async () => {
    const run = await recon.run({ period });
    expect(run).toMatchObject({ status: 'completed', scope: 'all', period, error: null });
    expect(run.checkpoints.map((c) => c.checkpoint)).toEqual([
      'salesforce-billing',
      'billing-erp',
      'contract-revenue',
      'lineage',
    ]);
    // Two contracts' seat lines; two invoices on each side; two contracts' revenue for the month.
    expect(run.checkpoints.map((c) => c.compared)).toEqual([2, 4, 2, 0]);
    const breaks = await recon.breaks(run.runId);
    expect(breaks, describeBreaks(breaks)).toEqual([]);
    expect(await readiness()).toMatchObject({ ready: true, reasons: [], openBreaks: 0, sagasInFlight: 0 });
  }, 90_000);

  let drifted: RunView;
  let duplicateJournalId: string;
  let deletedInvoice: { documentId: string; erpId: string };

  it('finds each deliberate drift with its category, both values, the difference and the correlation id', async () => {
    // 1. An invoice deleted in NetSuite.
    const invoice = a.saga.data.invoices.at(0);
    deletedInvoice = { documentId: invoice?.documentId ?? '', erpId: invoice?.erpId ?? '' };
    const deleted = await netsuite()('DELETE', `/services/rest/record/v1/invoice/${deletedInvoice.erpId}`);
    expect(deleted.status).toBe(204);

    // 2. A quantity changed in Stripe by hand: 10 → 12 seats on contract B.
    const subscriptionB = await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '');
    const itemB = subscriptionB.items.data.at(0);
    await env.stripe.subscriptions.update(subscriptionB.id, {
      items: [{ id: itemB?.id ?? '', quantity: 12 }],
      proration_behavior: 'none',
    });

    // 3. A revenue journal posted twice by hand: contract B's journal for the month, again, with no external id.
    const postings = (
      await request(env.erp.url)
        .get('/v1/revenue-postings')
        .query({ period })
        .set(bearer(env.admin))
        .expect(200)
    ).body as {
      items: Array<{
        contractId: string;
        obligationId: string;
        productClass: string;
        subsidiary: string;
        amount: { amountMinor: string; currency: string };
      }>;
    };
    const posting = postings.items.find((p) => p.contractId === b.orderId);
    expect(posting?.amount).toEqual({ amountMinor: '98630', currency: 'USD' });
    const usd = (await env.netsuite.suiteql("SELECT id, symbol FROM currency WHERE symbol = 'USD'")).at(0);
    const config = new NetSuiteConfig();
    const body = revenueJournalBody(
      {
        externalId: 'by-hand',
        contractId: b.orderId,
        obligationId: posting?.obligationId ?? '',
        period,
        scheduleVersion: 1,
        amount: { amountMinor: '98630', currency: 'USD' },
        productClass: posting?.productClass ?? '',
        subsidiary: 'US',
      },
      { subsidiary: posting?.subsidiary ?? '1', currency: usd?.id ?? '' },
      {
        deferredRevenue: config.NETSUITE_DEFERRED_REVENUE_ACCOUNT_ID,
        revenue: config.NETSUITE_REVENUE_ACCOUNT_ID,
        unbilledReceivable: config.NETSUITE_UNBILLED_RECEIVABLE_ACCOUNT_ID,
      },
    );
    const posted = await netsuite()('POST', '/services/rest/record/v1/journalEntry', body);
    expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
    duplicateJournalId =
      (posted.headers.get('location') ?? '').split('/').pop() ||
      ((posted.body as { id?: string } | undefined)?.id ?? '');
    expect(duplicateJournalId).not.toBe('');

    // 4. An amendment whose billing never happened: contract A to 15 seats while billing.commands is held.
    const queues = env.q2c.app.get(Queues, { strict: false });
    await (await queues.get('billing.commands')).pause();
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: a.sfContractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: a.seatLineId, quantity: 15 }],
      })
      .expect(201);
    const amendmentOrderId = (amended.body as { orderId: string }).orderId;
    await activateOrders(env.sales, [amendmentOrderId]);
    await eventually(async () => (await env.sagas(a.orderId)).length === 2, 30_000);

    drifted = await recon.run({ period });
    expect(drifted.status).toBe('completed');
    const found = open(await recon.breaks(drifted.runId));
    const pick = (checkpoint: string, category: string) =>
      found.filter((x) => x.checkpoint === checkpoint && x.category === category);

    expect(pick('billing-erp', 'missing_in_erp'), describeBreaks(found)).toEqual([
      expect.objectContaining({
        contractId: a.orderId,
        objectType: 'Invoice',
        objectId: deletedInvoice.documentId,
        expected: '1200000',
        actual: null,
        difference: '-1200000',
        correlationId: a.saga.correlation_id,
        firstRunId: drifted.runId,
      }),
    ]);
    expect(pick('salesforce-billing', 'quantity_mismatch'), describeBreaks(found)).toEqual([
      expect.objectContaining({
        contractId: b.orderId,
        objectType: 'SubscriptionItem',
        objectId: itemB?.id,
        field: 'quantity',
        expected: '10',
        actual: '12',
        difference: '2',
        correlationId: b.saga.correlation_id,
        firstRunId: drifted.runId,
      }),
    ]);
    const amendmentSaga = (await env.sagas(a.orderId)).at(1);
    expect(pick('salesforce-billing', 'amendment_not_billed'), describeBreaks(found)).toEqual([
      expect.objectContaining({
        contractId: a.orderId,
        objectType: 'Order',
        objectId: amendmentOrderId,
        field: 'quantity',
        expected: '15',
        actual: '10',
        difference: '-5',
        correlationId: amendmentSaga?.correlation_id,
      }),
    ]);
    expect(pick('contract-revenue', 'revenue_mismatch'), describeBreaks(found)).toEqual([
      expect.objectContaining({
        contractId: b.orderId,
        objectType: 'RevenueSchedule',
        objectId: `${b.orderId}:${posting?.obligationId ?? ''}:${period}`,
        expected: '98630',
        actual: '197260',
        difference: '98630',
        correlationId: b.saga.correlation_id,
      }),
    ]);
    // The held amendment's new obligation (a separate contract, 4,800.00 from 2026-03-15) has posted nothing.
    expect(pick('contract-revenue', 'revenue_not_posted'), describeBreaks(found)).toEqual([
      expect.objectContaining({
        contractId: a.orderId,
        actual: null,
        correlationId: amendmentSaga?.correlation_id,
      }),
    ]);
    // At the period end, per contract: B's ledger shows the duplicate journal in recognised to date and in
    // deferred revenue; A's shows its unposted amendment revenue, and its deleted invoice in deferred revenue.
    const byContract = (category: string) =>
      new Map(pick('contract-revenue', category).map((x) => [x.objectId, x]));
    const recognised = byContract('recognised_to_date_mismatch');
    const deferred = byContract('deferred_mismatch');
    expect([...recognised.keys()].sort(), describeBreaks(found)).toEqual(
      [`${a.orderId}:USD`, `${b.orderId}:USD`].sort(),
    );
    expect(recognised.get(`${b.orderId}:USD`)).toMatchObject({
      contractId: b.orderId,
      objectType: 'Contract',
      field: 'recognisedToDate',
      difference: '98630',
      correlationId: b.saga.correlation_id,
    });
    const bRecognised = recognised.get(`${b.orderId}:USD`);
    expect(BigInt(bRecognised?.actual ?? '0') - BigInt(bRecognised?.expected ?? '0')).toBe(98_630n);
    const unpostedA = BigInt(recognised.get(`${a.orderId}:USD`)?.difference ?? '0');
    expect(unpostedA < 0n).toBe(true);
    expect(deferred.get(`${b.orderId}:USD`)).toMatchObject({
      contractId: b.orderId,
      field: 'deferredRevenue',
      difference: '-98630',
    });
    // A: Revline recognises the held amendment's revenue ahead of its billing, so it expects no deferred revenue and
    // that excess as an unbilled receivable (contract asset); NetSuite, its invoice deleted, shows the revenue it
    // posted as a debit in deferred revenue and nothing unbilled.
    const aRecognised = recognised.get(`${a.orderId}:USD`);
    expect(deferred.get(`${a.orderId}:USD`)).toMatchObject({
      contractId: a.orderId,
      field: 'deferredRevenue',
      expected: '0',
      actual: (-BigInt(aRecognised?.actual ?? '0')).toString(),
    });
    expect(byContract('unbilled_mismatch').get(`${a.orderId}:USD`)).toMatchObject({
      contractId: a.orderId,
      expected: (BigInt(aRecognised?.expected ?? '0') - 1_200_000n).toString(),
      actual: '0',
    });
    expect(found).toHaveLength(10);
    expect(drifted.checkpoints.reduce((s, c) => s + c.opened, 0)).toBe(10);

    const verdict = await readiness();
    expect(verdict.ready).toBe(false);
    expect(verdict.openBreaks).toBe(10);
    expect(verdict.sagasInFlight).toBe(1);
    expect(verdict.reasons.join('\n')).toMatch(/10 reconciliation break\(s\) open/);
    // Each group of breaks names its contracts and the run that saw them; money is formatted in its currency.
    expect(verdict.reasons.join('\n')).toContain(
      `billing-erp missing_in_erp 1 (contracts ${a.orderId}; run ${drifted.runId})`,
    );
    expect(verdict.reasons).toContainEqual(
      expect.stringMatching(
        /^revenue USD: [\d,]+\.\d{2} USD posted, [\d,]+\.\d{2} USD expected \(-?[\d,]+\.\d{2} USD difference\)$/,
      ),
    );
    expect(verdict.breaks).toContainEqual({
      checkpoint: 'salesforce-billing',
      category: 'quantity_mismatch',
      count: 1,
      contractIds: [b.orderId],
      runIds: [drifted.runId],
    });
    expect(verdict.reasons.join('\n')).toMatch(/1 saga\(s\) still in flight/);
  }, 120_000);

  it('keeps a break open, with its first run, while runs keep seeing it', async () => {
    const again = await recon.run({ period });
    const found = open(await recon.breaks(again.runId));
    expect(found).toHaveLength(10);
    expect(found.every((x) => x.firstRunId === drifted.runId && x.lastRunId === again.runId)).toBe(true);
    expect(again.checkpoints.reduce((s, c) => s + c.stillOpen, 0)).toBe(10);
    expect(again.checkpoints.reduce((s, c) => s + c.opened, 0)).toBe(0);
  }, 90_000);

  it("describes each break: its period, customer, both sides' record ids, the side that changed, money apart from quantities", async () => {
    const found = await recon.openNow();
    expect(found).toHaveLength(10);
    const one = (category: string) => found.filter((x) => x.category === category);
    const customerA = a.saga.data.billingCustomerId;
    const customerB = b.saga.data.billingCustomerId;
    expect(customerA).toBeTruthy();
    // An invoice Revline posted and NetSuite lost since: the ERP side changed; money in USD minor units, displayed.
    expect(one('missing_in_erp')).toEqual([
      expect.objectContaining({
        period,
        customerId: customerA,
        currency: 'USD',
        unit: 'money',
        sides: {
          expected: { system: 'billing', recordId: deletedInvoice.documentId },
          actual: { system: 'erp', recordId: deletedInvoice.erpId },
        },
        changedSide: 'actual',
        money: {
          expected: { amountMinor: '1200000', currency: 'USD', display: '12,000.00 USD' },
          actual: null,
          difference: { amountMinor: '-1200000', currency: 'USD', display: '-12,000.00 USD' },
        },
        quantity: null,
      }),
    ]);
    // Seats edited by hand in Stripe: a quantity, not money; billing changed.
    const itemB = (await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '')).items.data.at(
      0,
    );
    expect(one('quantity_mismatch')).toEqual([
      expect.objectContaining({
        period: null,
        customerId: customerB,
        currency: null,
        unit: 'quantity',
        sides: {
          expected: { system: 'salesforce', recordId: b.orderId },
          actual: { system: 'billing', recordId: itemB?.id },
        },
        changedSide: 'actual',
        money: null,
        quantity: { expected: '10', actual: '12', difference: '2' },
      }),
    ]);
    // The amendment activated in Salesforce that billing never followed: Salesforce changed.
    const amendment = one('amendment_not_billed').at(0);
    expect(amendment).toMatchObject({ unit: 'quantity', changedSide: 'expected', customerId: customerA });
    expect(amendment?.sides.expected).toEqual({ system: 'salesforce', recordId: amendment?.objectId });
    // Revenue never posted: the two sides never agreed.
    expect(one('revenue_not_posted')).toEqual([
      expect.objectContaining({ unit: 'money', currency: 'USD', changedSide: null, customerId: customerA }),
    ]);
    expect(one('revenue_mismatch').at(0)?.money?.difference?.display).toBe('986.30 USD');
  }, 60_000);

  it('lists the breaks open now by contract, customer, category and checkpoint, in cursor pages', async () => {
    const all = await recon.openNow();
    const ids = all.map((x) => x.breakId);
    expect(ids).toEqual([...ids].sort());
    // Pages of three hold the same breaks, in the same order.
    expect((await recon.openNow({}, 3)).map((x) => x.breakId)).toEqual(ids);
    const ofB = await recon.openNow({ contractId: b.orderId });
    expect(ofB.map((x) => x.breakId)).toEqual(
      all.filter((x) => x.contractId === b.orderId).map((x) => x.breakId),
    );
    expect(ofB.length).toBeGreaterThan(0);
    const customerB = b.saga.data.billingCustomerId ?? '';
    const ofCustomer = await recon.openNow({ customerId: customerB });
    expect(ofCustomer.length).toBeGreaterThan(0);
    expect(ofCustomer.map((x) => x.breakId)).toEqual(
      all.filter((x) => x.customerId === customerB).map((x) => x.breakId),
    );
    expect(await recon.openNow({ checkpoint: 'billing-erp', category: 'missing_in_erp' })).toEqual([
      expect.objectContaining({ objectId: deletedInvoice.documentId }),
    ]);
    expect(await recon.openNow({ checkpoint: 'lineage' })).toEqual([]);
    for (const bad of [
      { checkpoint: 'nope' },
      { category: 'Not A Category' },
      { cursor: 'x' },
      { limit: '0' },
    ])
      await request(env.q2c.url)
        .get('/v1/reconciliation-breaks')
        .query(bad)
        .set(bearer(recon.viewer))
        .expect(400);
  }, 60_000);

  it('runs for one contract: opens and closes only its breaks, and shows only them', async () => {
    const before = await recon.openNow();
    const scoped = await recon.run({ period, contractId: b.orderId });
    expect(scoped).toMatchObject({ status: 'completed', contractId: b.orderId, customerId: null });
    const seen = await recon.breaks(scoped.runId);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((x) => x.contractId === b.orderId)).toBe(true);
    // Contract A's breaks are neither closed nor touched by a run that did not compare it.
    const after = await recon.openNow();
    expect(after.map((x) => x.breakId)).toEqual(before.map((x) => x.breakId));
    const ofB = after.filter((x) => x.contractId === b.orderId);
    expect(ofB.map((x) => x.breakId).sort()).toEqual(
      seen
        .filter((x) => x.status === 'open')
        .map((x) => x.breakId)
        .sort(),
    );
    expect(ofB.every((x) => x.lastRunId === scoped.runId)).toBe(true);
    expect(after.filter((x) => x.contractId === a.orderId).every((x) => x.lastRunId !== scoped.runId)).toBe(
      true,
    );
    await request(env.q2c.url)
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ period, contractId: b.orderId, customerId: 'cus_x' })
      .expect(400);
  }, 90_000);

  it('closes every break by itself once the systems are fixed, and the period may close', async () => {
    // The held billing goes through; the hand edits are undone; the deleted invoice is posted again by a replay.
    const queues = env.q2c.app.get(Queues, { strict: false });
    await (await queues.get('billing.commands')).resume();
    await env.completed(a.orderId, 2, 60_000);
    const subscriptionB = await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '');
    await env.stripe.subscriptions.update(subscriptionB.id, {
      items: [{ id: subscriptionB.items.data[0]?.id ?? '', quantity: 10 }],
      proration_behavior: 'none',
    });
    const removed = await netsuite()('DELETE', `/services/rest/record/v1/journalEntry/${duplicateJournalId}`);
    expect(removed.status).toBe(204);
    await request(env.q2c.url)
      .post('/v1/replays')
      .set(bearer(env.admin))
      .send({ contractId: a.orderId, dryRun: false })
      .expect((res) => {
        if (res.status >= 300) throw new Error(`replay: ${String(res.status)} ${res.text}`);
      });
    await env.settle();
    await eventually(async () => {
      const rows = await env.netsuite.suiteql(
        `SELECT id FROM transaction WHERE externalid = 'INV-${deletedInvoice.documentId}'`,
      );
      return rows.length === 1;
    }, 30_000);

    const fixed = await recon.run({ period });
    expect(fixed.status).toBe('completed');
    const all = await recon.breaks(drifted.runId);
    expect(all, describeBreaks(all)).toHaveLength(10);
    for (const x of all) expect(x).toMatchObject({ status: 'closed', closedByRunId: fixed.runId });
    expect(open(await recon.breaks(fixed.runId))).toEqual([]);
    expect(fixed.checkpoints.reduce((s, c) => s + c.closed, 0)).toBe(10);
    const verdict = await readiness();
    expect(verdict, JSON.stringify(verdict)).toMatchObject({
      ready: true,
      reasons: [],
      openBreaks: 0,
      sagasInFlight: 0,
      openExceptions: 0,
    });
    expect(verdict.revenue).toEqual([
      expect.objectContaining({
        currency: 'USD',
        expectedMinor: verdict.revenue[0]?.postedMinor,
        postedMinor: expect.any(String),
      }),
    ]);
  }, 150_000);

  it('answers bad filters and periods with 4xx, lets a viewer read but not start runs, and serves CSV', async () => {
    const q2c = () => request(env.q2c.url);
    await q2c().post('/v1/reconciliation-runs').set(bearer(recon.viewer)).send({}).expect(403);
    await q2c()
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ period: '2026-13' })
      .expect(400);
    await q2c()
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ scope: 'everything' })
      .expect(400);
    await q2c().post('/v1/reconciliation-runs').set(bearer(recon.operator)).send({ extra: 1 }).expect(400);
    await q2c().get('/v1/reconciliation-runs/not-a-uuid').set(bearer(recon.viewer)).expect(400);
    await q2c()
      .get('/v1/reconciliation-runs/01a21ba1-a33a-7176-be18-eee03cf6a340')
      .set(bearer(recon.viewer))
      .expect(404);
    const path = `/v1/reconciliation-runs/${drifted.runId}/breaks`;
    await q2c().get(path).query({ status: 'maybe' }).set(bearer(recon.viewer)).expect(400);
    await q2c().get(path).query({ checkpoint: 'erp' }).set(bearer(recon.viewer)).expect(400);
    await q2c().get(path).query({ limit: '0' }).set(bearer(recon.viewer)).expect(400);
    await q2c().get(path).query({ cursor: 'x' }).set(bearer(recon.viewer)).expect(400);
    await q2c().get('/v1/close/2026-1/readiness').set(bearer(recon.viewer)).expect(400);
    await q2c()
      .get('/v1/reconciliation-breaks/summary')
      .query({ from: '2026-02-30x', to: '2026-03-01' })
      .set(bearer(recon.viewer))
      .expect(400);
    const unreal = await q2c()
      .get('/v1/reconciliation-breaks/summary')
      .query({ from: '2026-02-30', to: '2026-03-31' })
      .set(bearer(recon.viewer))
      .expect(400);
    expect(unreal.body.detail).toBe('from (2026-02-30) is not a date of the calendar');
    await q2c()
      .get('/v1/reconciliation-breaks/summary')
      .query({ from: '2026-03-02', to: '2026-03-01' })
      .set(bearer(recon.viewer))
      .expect(400);
    await q2c().get(path).expect(401);

    const list = await q2c()
      .get('/v1/reconciliation-runs')
      .query({ limit: '2' })
      .set(bearer(recon.viewer))
      .expect(200);
    const page = list.body as { items: RunView[]; nextCursor: string | null };
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toBe(page.items[1]?.runId);
    const next = await q2c()
      .get('/v1/reconciliation-runs')
      .query({ cursor: page.nextCursor })
      .set(bearer(recon.viewer))
      .expect(200);
    expect((next.body as { items: RunView[] }).items.length).toBeGreaterThanOrEqual(2);

    const filtered = await recon.breaks(drifted.runId, { checkpoint: 'salesforce-billing' });
    expect(filtered.map((x) => x.category).sort()).toEqual(['amendment_not_billed', 'quantity_mismatch']);
    expect(
      await recon.breaks(drifted.runId, { contractId: b.orderId, category: 'revenue_mismatch' }),
    ).toHaveLength(1);

    const csv = await q2c().get(path).set(bearer(recon.viewer)).set('accept', 'text/csv').expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'breakId,checkpoint,category,period,contractId,customerId,objectType,objectId,field,unit,currency,expected,actual,difference,expectedDisplay,actualDisplay,differenceDisplay,expectedSystem,expectedRecordId,actualSystem,actualRecordId,changedSide,correlationId,firstRunId,lastRunId,status,openedAt,closedAt,closedByRunId',
    );
    expect(lines).toHaveLength(11);
    expect(csv.text).toContain(
      `missing_in_erp,"=""${period}""",${a.orderId},${a.saga.data.billingCustomerId ?? ''},Invoice,${deletedInvoice.documentId},erpDocument,money,USD,1200000,,-1200000,"12,000.00 USD",,"'-12,000.00 USD",billing,${deletedInvoice.documentId},erp,${deletedInvoice.erpId},actual,`,
    );

    // The days the ten breaks opened and closed on, as the CSV says (not today's date: a run may straddle midnight).
    const days = lines
      .slice(1)
      .flatMap((line) => (line.match(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g) ?? []).map((at) => at.slice(0, 10)));
    const [from, to] = [days.reduce((x, y) => (x < y ? x : y)), days.reduce((x, y) => (x > y ? x : y))];
    const summary = await q2c()
      .get('/v1/reconciliation-breaks/summary')
      .query({ from, to })
      .set(bearer(recon.viewer))
      .expect(200);
    expect(summary.body).toMatchObject({ from, to, opened: 10, autoClosed: 10, open: 0 });
  }, 60_000);

  it('refuses a second run of a scope while one is running, runs another scope meanwhile, never all beside a checkpoint scope', async () => {
    const q2c = () => request(env.q2c.url);
    // Another instance's run of the lineage scope, still running.
    const running = '01a21ba1-0000-7000-8000-000000000001';
    await env.db.dataSource.query(
      `INSERT INTO "q2c"."reconciliation_runs" ("run_id", "scope", "period", "trigger", "status")
       VALUES ($1, 'lineage', $2, 'schedule', 'running')`,
      [running, period],
    );
    const refused = await q2c()
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ scope: 'lineage' });
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(JSON.stringify(refused.body)).toContain(running);
    const other = await recon.run({ scope: 'billing-erp', period });
    expect(other).toMatchObject({ status: 'completed', scope: 'billing-erp' });
    expect(other.checkpoints.map((c) => c.checkpoint)).toEqual(['billing-erp']);
    await env.db.dataSource.query(
      `UPDATE "q2c"."reconciliation_runs" SET "status" = 'completed' WHERE "run_id" = $1`,
      [running],
    );
    const after = await recon.run({ scope: 'lineage', period });
    expect(after.status).toBe('completed');

    // A run of scope all conflicts with every checkpoint scope, and the reverse.
    const all = '01a21ba1-0000-7000-8000-000000000002';
    await env.db.dataSource.query(
      `INSERT INTO "q2c"."reconciliation_runs" ("run_id", "scope", "period", "trigger", "status")
       VALUES ($1, 'all', $2, 'schedule', 'running')`,
      [all, period],
    );
    for (const scope of ['salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage']) {
      const res = await q2c()
        .post('/v1/reconciliation-runs')
        .set(bearer(recon.operator))
        .send({ scope, period });
      expect(res.status, scope).toBe(409);
      expect(JSON.stringify(res.body)).toContain(all);
    }
    await env.db.dataSource.query(
      `UPDATE "q2c"."reconciliation_runs" SET "status" = 'completed' WHERE "run_id" = $1`,
      [all],
    );
    const lineage = '01a21ba1-0000-7000-8000-000000000003';
    await env.db.dataSource.query(
      `INSERT INTO "q2c"."reconciliation_runs" ("run_id", "scope", "period", "trigger", "status")
       VALUES ($1, 'lineage', $2, 'schedule', 'running')`,
      [lineage, period],
    );
    const refusedAll = await q2c()
      .post('/v1/reconciliation-runs')
      .set(bearer(recon.operator))
      .send({ period });
    expect(refusedAll.status).toBe(409);
    expect(JSON.stringify(refusedAll.body)).toContain(lineage);
    await env.db.dataSource.query(
      `UPDATE "q2c"."reconciliation_runs" SET "status" = 'completed' WHERE "run_id" = $1`,
      [lineage],
    );
    expect((await recon.run({ period })).status).toBe('completed');
  }, 60_000);

  it('runs for other contracts or customers beside a running contract run; refuses only an overlapping one', async () => {
    const running = '01a21ba1-0000-7000-8000-000000000004';
    await env.db.dataSource.query(
      `INSERT INTO "q2c"."reconciliation_runs" ("run_id", "scope", "period", "contract_id", "trigger", "status")
       VALUES ($1, 'all', $2, $3, 'on_demand', 'running')`,
      [running, period, a.orderId],
    );
    const start = (body: Record<string, string>) =>
      request(env.q2c.url)
        .post('/v1/reconciliation-runs')
        .set(bearer(recon.operator))
        .send({ period, ...body });
    // The same contract, the whole book, and the contract's customer overlap it.
    const overlapping: Array<Record<string, string>> = [
      { contractId: a.orderId },
      { scope: 'lineage', contractId: a.orderId },
      {},
      { customerId: a.saga.data.billingCustomerId ?? '' },
    ];
    for (const body of overlapping) {
      const res = await start(body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(JSON.stringify(res.body)).toContain(running);
    }
    // Another contract, and another customer, run meanwhile.
    expect(await recon.run({ period, contractId: b.orderId })).toMatchObject({
      status: 'completed',
      contractId: b.orderId,
    });
    expect(await recon.run({ period, customerId: 'cus_NeverSeenByRevline' })).toMatchObject({
      status: 'completed',
      customerId: 'cus_NeverSeenByRevline',
    });
    await env.db.dataSource.query(
      `UPDATE "q2c"."reconciliation_runs" SET "status" = 'completed' WHERE "run_id" = $1`,
      [running],
    );
    expect((await recon.run({ period, contractId: a.orderId })).status).toBe('completed');
  }, 90_000);

  it('runs from a q2c.reconcile job on q2c.scheduled, as the nightly scheduler queues it', async () => {
    const queues = env.q2c.app.get(Queues, { strict: false });
    const envelope = createEnvelope(
      'q2c.reconcile',
      { scope: 'salesforce-billing', period },
      { idempotencyKey: `test-reconcile-${period}`, causationId: null },
    );
    await (await queues.get('q2c.scheduled')).add(envelope.job, envelope, queues.jobOptions(envelope));
    const run = await eventually(async () => {
      const row = (
        await env.db.dataSource.query<Array<{ run_id: string; status: string }>>(
          `SELECT "run_id", "status" FROM "q2c"."reconciliation_runs" WHERE "trigger" = 'schedule' AND "status" <> 'running'`,
        )
      ).at(0);
      return row;
    }, 30_000);
    expect(run?.status).toBe('completed');
  }, 60_000);

  it('registers the nightly run as one job scheduler under a stable key, from RECONCILIATION_CRON', async () => {
    const queues = env.q2c.app.get(Queues, { strict: false });
    const queue = await queues.get('q2c.scheduled');
    const config = Object.assign(new ReconciliationConfig(), { RECONCILIATION_CRON: '15 3 * * *' });
    const schedule = new ReconciliationSchedule(queues, config);
    await schedule.onApplicationBootstrap();
    await schedule.onApplicationBootstrap();
    const scheduler = await queue.getJobScheduler(RECONCILIATION_SCHEDULER_KEY);
    expect(scheduler).toMatchObject({
      key: RECONCILIATION_SCHEDULER_KEY,
      pattern: '15 3 * * *',
      name: 'q2c.reconcile',
    });
    expect(
      (await queue.getJobSchedulers()).filter((j) => j.key === RECONCILIATION_SCHEDULER_KEY),
    ).toHaveLength(1);
    config.RECONCILIATION_CRON = '0 2 * * *';
    await schedule.onApplicationBootstrap();
    expect(await queue.getJobScheduler(RECONCILIATION_SCHEDULER_KEY)).toMatchObject({ pattern: '0 2 * * *' });
    config.RECONCILIATION_CRON = 'off';
    await schedule.onApplicationBootstrap();
    expect(await queue.getJobScheduler(RECONCILIATION_SCHEDULER_KEY)).toBeUndefined();
    expect(() => loadConfig(ReconciliationConfig, { RECONCILIATION_CRON: 'nightly' })).toThrow(
      /RECONCILIATION_CRON/,
    );
    expect(() => loadConfig(ReconciliationConfig, { SYSTEM_ERP_URL: 'erp' })).toThrow(/SYSTEM_ERP_URL/);
  }, 30_000);

  it('reports an exception older than its SLA as a lineage break, in the metrics too, until it is resolved', async () => {
    const exception = (
      await env.db.dataSource.query<Array<{ id: string }>>(
        `INSERT INTO "q2c"."exceptions" ("category", "reason", "queue", "job", "idempotency_key", "correlation_id",
         "envelope", "details", "first_seen_at", "last_seen_at")
       VALUES ('unmapped_product', 'Product GADGET has no mapping', 'crm.changes', 'crm.record-changed', 'old-one',
         'corr-old-one', '{}', '{"contractId":"C-OLD"}', $1, $1)
       RETURNING "id"`,
        [`${period}-20T12:00:00Z`],
      )
    ).at(0);
    const seen = await recon.run({ scope: 'lineage', period });
    const found = open(await recon.breaks(seen.runId));
    expect(found).toEqual([
      expect.objectContaining({
        checkpoint: 'lineage',
        category: 'exception_overdue',
        objectType: 'Exception',
        objectId: exception?.id,
        contractId: 'C-OLD',
        expected: '1440',
        correlationId: 'corr-old-one',
      }),
    ]);
    expect(Number(found[0]?.actual)).toBeGreaterThanOrEqual(2880);
    const verdict = await readiness();
    expect(verdict).toMatchObject({ ready: false, openExceptions: 1, openBreaks: 1 });
    const metrics = await request(env.q2c.url).get('/metrics').set(bearer(env.admin)).expect(200);
    expect(metrics.text).toMatch(
      /revline_reconciliation_breaks_open\{checkpoint="lineage",category="exception_overdue"\} 1/,
    );
    expect(metrics.text).toMatch(
      /revline_reconciliation_breaks_opened_total\{checkpoint="billing-erp",category="missing_in_erp"\} 1/,
    );

    await request(env.q2c.url)
      .post(`/v1/exceptions/${exception?.id ?? ''}/resolve`)
      .set(bearer(recon.operator))
      .send({ reason: 'Mapped by hand' })
      .expect(200);
    const after = await recon.run({ scope: 'lineage', period });
    expect(after.checkpoints[0]).toMatchObject({ checkpoint: 'lineage', closed: 1, opened: 0 });
    expect(await readiness()).toMatchObject({ ready: true, openExceptions: 0, openBreaks: 0 });
  }, 60_000);

  it('compares credit notes and payments too: a credit memo deleted in NetSuite is found, and a replay closes it', async () => {
    // G5: contract A back to 10 seats from 2026-10-01: a credit note of 1,512.33 in Stripe, a credit memo in NetSuite.
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: a.sfContractId,
        effectiveDate: '2026-10-01',
        changes: [{ orderItemId: a.seatLineId, quantity: 10 }],
      })
      .expect(201);
    await activateOrders(env.sales, [(amended.body as { orderId: string }).orderId]);
    const reduction = (await env.completed(a.orderId, 3, 60_000)).at(2);
    const note = reduction?.data.creditNotes.at(0);
    expect(note).toMatchObject({ erpId: expect.any(String), erpExternalId: `CM-${note?.documentId ?? ''}` });
    await env.settle();
    const agreed = await recon.run({ scope: 'billing-erp', period });
    expect(open(await recon.breaks(agreed.runId)), describeBreaks(await recon.breaks(agreed.runId))).toEqual(
      [],
    );

    // A payment of contract B's invoice: posted in NetSuite as PAY-<invoice payment>, compared on both sides.
    const invoiceB = b.saga.data.invoices.at(0)?.documentId ?? '';
    await env.stripe.invoices.pay(invoiceB, { paid_out_of_band: true });
    const payment = (await env.stripe.invoicePayments.list({ invoice: invoiceB })).data.at(0);
    await eventually(async () => {
      const rows = await env.netsuite.suiteql(
        `SELECT id FROM transaction WHERE externalid = 'PAY-${payment?.id ?? ''}'`,
      );
      return rows.length === 1;
    }, 30_000);
    await env.settle();
    const paid = await recon.run({ scope: 'billing-erp', period });
    expect(open(await recon.breaks(paid.runId)), describeBreaks(await recon.breaks(paid.runId))).toEqual([]);
    expect(paid.checkpoints[0]?.compared).toBe((agreed.checkpoints[0]?.compared ?? 0) + 2);

    // The credit memo deleted in NetSuite: missing_in_erp for the credit note, with its amount.
    const deleted = await netsuite()('DELETE', `/services/rest/record/v1/creditMemo/${note?.erpId ?? ''}`);
    expect(deleted.status).toBe(204);
    const drift = await recon.run({ scope: 'billing-erp', period });
    const found = open(await recon.breaks(drift.runId));
    expect(found, describeBreaks(found)).toEqual([
      expect.objectContaining({
        checkpoint: 'billing-erp',
        category: 'missing_in_erp',
        contractId: a.orderId,
        objectType: 'CreditNote',
        objectId: note?.documentId,
        expected: '151233',
        actual: null,
        difference: '-151233',
        correlationId: reduction?.correlation_id,
        firstRunId: drift.runId,
      }),
    ]);

    // A replay of contract A posts it again; the next run closes the break.
    await request(env.q2c.url)
      .post('/v1/replays')
      .set(bearer(env.admin))
      .send({ contractId: a.orderId, dryRun: false })
      .expect((res) => {
        if (res.status >= 300) throw new Error(`replay: ${String(res.status)} ${res.text}`);
      });
    await env.settle();
    await eventually(async () => {
      const rows = await env.netsuite.suiteql(
        `SELECT id FROM transaction WHERE externalid = 'CM-${note?.documentId ?? ''}'`,
      );
      return rows.length === 1;
    }, 30_000);
    const fixed = await recon.run({ scope: 'billing-erp', period });
    expect(open(await recon.breaks(fixed.runId))).toEqual([]);
    expect((await recon.breaks(drift.runId)).at(0)).toMatchObject({
      status: 'closed',
      closedByRunId: fixed.runId,
    });
  }, 180_000);

  it('compares tax too: a tax line added by hand to an ERP invoice is a tax_mismatch, not an amount one', async () => {
    const clean = await recon.run({ scope: 'billing-erp', period });
    expect(open(await recon.breaks(clean.runId)), describeBreaks(await recon.breaks(clean.runId))).toEqual(
      [],
    );

    // Contract B's invoice in NetSuite (12,000.00, no tax, as Stripe billed it) edited by hand: 8% tax on its line,
    // so its total becomes 12,960.00 with 960.00 of tax, the amount before tax unchanged.
    const invoice = b.saga.data.invoices.at(0);
    const sent = (
      await env.db.dataSource.query<Array<{ payload: ErpDocument }>>(
        `SELECT "payload" FROM "q2c"."saga_commands" WHERE "job" = 'erp.post-invoice' AND "external_id" = $1`,
        [invoice?.erpExternalId],
      )
    ).at(0)?.payload;
    if (!sent) throw new Error('no ERP invoice command for contract B');
    expect(sent.lines.map((l) => l.taxMinor ?? '0')).toEqual(['0']);
    const usd = (await env.netsuite.suiteql("SELECT id FROM currency WHERE symbol = 'USD'")).at(0);
    const taxedLines = (taxMinor: string) => {
      const { item, taxDetailsOverride, taxDetails } = documentBody(
        { ...sent, subsidiary: 'US', lines: sent.lines.map((l) => ({ ...l, taxMinor })) },
        { subsidiary: '1', currency: usd?.id ?? '' },
        { mode: 'suitetax', taxTypeId: '1', taxCodeId: '1', taxItemExternalId: 'ITEM-SALES-TAX' },
      );
      // A PATCH keeps a sublist it does not name: no tax is an empty tax details sublist.
      return { item, taxDetailsOverride, taxDetails: taxDetails ?? { items: [] } };
    };
    const path = `/services/rest/record/v1/invoice/${invoice?.erpId ?? ''}`;
    const taxed = await netsuite()('PATCH', path, taxedLines('96000'));
    expect(taxed.status, JSON.stringify(taxed.body)).toBe(204);
    const [row] = await env.netsuite.suiteql(
      `SELECT foreigntotal, taxtotal FROM transaction WHERE externalid = '${invoice?.erpExternalId ?? ''}'`,
    );
    expect(row).toEqual({ foreigntotal: '12960.00', taxtotal: '960.00' });

    const drift = await recon.run({ scope: 'billing-erp', period });
    const found = open(await recon.breaks(drift.runId));
    expect(found, describeBreaks(found)).toEqual([
      expect.objectContaining({
        checkpoint: 'billing-erp',
        category: 'tax_mismatch',
        contractId: b.orderId,
        objectType: 'Invoice',
        objectId: invoice?.documentId,
        field: 'tax',
        expected: '0',
        actual: '96000',
        difference: '96000',
        correlationId: b.saga.correlation_id,
        firstRunId: drift.runId,
      }),
    ]);

    // The tax taken off again by hand: the next run closes it.
    const untaxed = await netsuite()('PATCH', path, taxedLines('0'));
    expect(untaxed.status, JSON.stringify(untaxed.body)).toBe(204);
    const fixed = await recon.run({ scope: 'billing-erp', period });
    expect(open(await recon.breaks(fixed.runId))).toEqual([]);
    expect((await recon.breaks(drift.runId)).at(0)).toMatchObject({
      status: 'closed',
      closedByRunId: fixed.runId,
    });
  }, 60_000);

  it('compares unit prices too: a price changed by hand in Stripe is found with both values, per interval', async () => {
    const clean = await recon.run({ scope: 'salesforce-billing', period });
    const before = open(await recon.breaks(clean.runId));
    expect(before, describeBreaks(before)).toEqual([]);

    // Contract B's seats moved by hand to a 1,300.00 a year price (Salesforce says 1,200.00 a seat a year).
    const subscriptionB = await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '');
    const itemB = subscriptionB.items.data.at(0);
    const dearer = await env.stripe.prices.create({
      product:
        typeof itemB?.price.product === 'string' ? itemB.price.product : (itemB?.price.product.id ?? ''),
      currency: 'usd',
      unit_amount: 130_000,
      recurring: { interval: 'year' },
    });
    await env.stripe.subscriptions.update(subscriptionB.id, {
      items: [{ id: itemB?.id ?? '', price: dearer.id }],
      proration_behavior: 'none',
    });
    const drift = await recon.run({ scope: 'salesforce-billing', period });
    const found = open(await recon.breaks(drift.runId));
    expect(found, describeBreaks(found)).toEqual([
      expect.objectContaining({
        checkpoint: 'salesforce-billing',
        category: 'price_mismatch',
        contractId: b.orderId,
        objectType: 'SubscriptionItem',
        objectId: itemB?.id,
        field: 'unitAmountMinor',
        expected: '120000',
        actual: '130000',
        difference: '10000',
        correlationId: b.saga.correlation_id,
      }),
    ]);

    // Put back: the next run closes it.
    await env.stripe.subscriptions.update(subscriptionB.id, {
      items: [{ id: itemB?.id ?? '', price: itemB?.price.id ?? '' }],
      proration_behavior: 'none',
    });
    const fixed = await recon.run({ scope: 'salesforce-billing', period });
    expect(open(await recon.breaks(fixed.runId))).toEqual([]);
    expect((await recon.breaks(drift.runId)).at(0)).toMatchObject({
      status: 'closed',
      closedByRunId: fixed.runId,
    });
  }, 60_000);

  it('compares start dates too: an activated order start date edited by hand in Salesforce is found, in days', async () => {
    const clean = await recon.run({ scope: 'salesforce-billing', period });
    expect(open(await recon.breaks(clean.runId)), describeBreaks(await recon.breaks(clean.runId))).toEqual(
      [],
    );
    const subscriptionB = await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '');
    const billedFrom = new Date(subscriptionB.start_date * 1000).toISOString().slice(0, 10);

    // Contract B's order start date moved a fortnight later by hand (an admin with Edit Activated Orders). The
    // edit is captured, but normalisation takes the order as the booking it already has: no new saga, no
    // subscription change, so Stripe's start date (which its API does not let anyone edit) stays.
    const order = (await env.sales.sobject('Order').retrieve(b.orderId)) as unknown as {
      EffectiveDate: string;
    };
    expect(order.EffectiveDate).toBe(billedFrom);
    const moved = new Date(Date.parse(`${order.EffectiveDate}T00:00:00Z`) + 14 * 86_400_000)
      .toISOString()
      .slice(0, 10);
    await env.sales.sobject('Order').update({ Id: b.orderId, EffectiveDate: moved });
    await env.settle();
    expect(await env.sagas(b.orderId)).toHaveLength(1);

    const drift = await recon.run({ scope: 'salesforce-billing', period });
    const found = open(await recon.breaks(drift.runId));
    expect(found, describeBreaks(found)).toEqual([
      expect.objectContaining({
        checkpoint: 'salesforce-billing',
        category: 'date_mismatch',
        contractId: b.orderId,
        objectType: 'Subscription',
        objectId: subscriptionB.id,
        field: 'startDate',
        expected: moved,
        actual: billedFrom,
        difference: '-14 days',
        correlationId: b.saga.correlation_id,
        firstRunId: drift.runId,
      }),
    ]);

    // Put back: the next run closes it.
    await env.sales.sobject('Order').update({ Id: b.orderId, EffectiveDate: order.EffectiveDate });
    await env.settle();
    const fixed = await recon.run({ scope: 'salesforce-billing', period });
    expect(open(await recon.breaks(fixed.runId))).toEqual([]);
    expect((await recon.breaks(drift.runId)).at(0)).toMatchObject({
      status: 'closed',
      closedByRunId: fixed.runId,
    });
  }, 60_000);

  it("counts only what touches the period: an exception first seen in a later period does not block this one's close", async () => {
    const [year, month] = period.split('-').map(Number);
    const next = new Date(Date.UTC(year, month, 1)).toISOString().slice(0, 7);
    const later = (
      await env.db.dataSource.query<Array<{ id: string }>>(
        `INSERT INTO "q2c"."exceptions" ("category", "reason", "queue", "job", "idempotency_key", "correlation_id",
         "envelope", "details", "first_seen_at", "last_seen_at")
       VALUES ('unmapped_product', 'Product GADGET has no mapping', 'crm.changes', 'crm.record-changed', 'later-one',
         'corr-later-one', '{}', $1, $2::date + interval '1 day', $2::date + interval '1 day')
       RETURNING "id"`,
        [JSON.stringify({ contractId: b.orderId }), `${next}-01`],
      )
    ).at(0);
    const now = await readiness();
    expect(now.openExceptions, JSON.stringify(now)).toBe(0);
    expect(now.reasons.join('\n')).not.toMatch(/exception/);
    // The next period's close counts it (contract B's term runs on), and names it.
    const then = (
      await request(env.q2c.url).get(`/v1/close/${next}/readiness`).set(bearer(recon.viewer)).expect(200)
    ).body as Readiness;
    expect(then.openExceptions).toBe(1);
    expect(then.reasons.join('\n')).toContain(
      `1 exception(s) open: ${later?.id ?? ''} unmapped_product (${b.orderId})`,
    );
    await env.db.dataSource.query(`DELETE FROM "q2c"."exceptions" WHERE "id" = $1`, [later?.id]);
  }, 30_000);

  it('reports a subscription billing a customer Revline never saw, until it is cancelled', async () => {
    const known = await env.stripe.subscriptions.retrieve(b.saga.data.subscriptionId ?? '');
    const price = known.items.data.at(0)?.price.id ?? '';
    const stranger = await env.stripe.customers.create({ name: 'Walk-in Ltd', email: 'ap@walk-in.example' });
    const bySomeone = await env.stripe.subscriptions.create({
      customer: stranger.id,
      items: [{ price, quantity: 3 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    const run = await recon.run({ scope: 'salesforce-billing', period });
    const found = open(await recon.breaks(run.runId, { category: 'unknown_customer_in_billing' }));
    expect(found).toEqual([
      expect.objectContaining({
        checkpoint: 'salesforce-billing',
        objectType: 'Subscription',
        objectId: bySomeone.id,
        field: 'customer',
        actual: stranger.id,
        customerId: stranger.id,
        unit: 'reference',
        changedSide: 'actual',
        sides: {
          expected: { system: 'salesforce', recordId: null },
          actual: { system: 'billing', recordId: bySomeone.id },
        },
      }),
    ]);
    expect(await recon.openNow({ customerId: stranger.id })).toEqual([
      expect.objectContaining({ breakId: found[0]?.breakId }),
    ]);
    await env.stripe.subscriptions.cancel(bySomeone.id);
    const after = await recon.run({ scope: 'salesforce-billing', period });
    expect(
      await recon.breaks(after.runId, { category: 'unknown_customer_in_billing', status: 'open' }),
    ).toEqual([]);
  }, 60_000);
});
