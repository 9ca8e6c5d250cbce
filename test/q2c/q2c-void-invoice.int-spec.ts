import { Queues } from '@revline/messaging';
import { bearer, eventually } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BreakView } from '../reconciliation/recon-env';
import { reconciliation } from '../reconciliation/recon-env';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/** A subscription's latest invoice id (the SDK types it as an id or the expanded invoice). */
const latestInvoiceId = (latest: string | { id: string } | null): string =>
  typeof latest === 'string' ? latest : (latest?.id ?? '');

interface Balances {
  balances: Array<{
    currency: string;
    deferredMinor: string;
    recognisedMinor: string;
    receivableMinor: string;
    unbilledMinor: string;
  }>;
}

interface ErpCreditMemo {
  id: string;
  externalId: string;
  tranDate: string;
  createdFrom: { id: string };
  custbody_rl_contract: string;
  item: { items: Array<{ amount: number }> };
}

/**
 * Stripe's invoice.voided through the whole chain, every vendor driven through its own client: the stripe SDK voids
 * (or marks uncollectible) G1's invoice of 2026-01-01 on a test clock, system-billing queues billing.invoice-voided,
 * process-q2c sends erp.void-invoice, NetSuite's invoice is credited in full by a credit memo transformed from it
 * (the ledger's receivable back to zero) and Salesforce shows the invoice void. Reconciliation of 2026-01 then
 * expects nothing standing in the ERP; while the ERP step is held it reports `voided_in_billing_open_in_erp`, and
 * the break closes once the reversal posts. Its subject includes the per-contract journals of the legacy mode
 * (REVENUE_POSTING=at_booking): January's revenue posted at booking becomes an unbilled receivable when the invoice
 * is voided (a contract-asset journal), and the contract-revenue checkpoint compares them.
 */
describe('a voided invoice through the sandbox', () => {
  let env: Q2cEnv;
  let recon: Awaited<ReturnType<typeof reconciliation>>;
  const period = '2026-01';
  const describeBreaks = (breaks: BreakView[]) =>
    JSON.stringify(breaks.map((x) => [x.category, x.objectType, x.objectId, x.expected, x.actual]));

  const balances = async (contractId: string) =>
    (
      (
        await request(env.erp.url)
          .get(`/v1/contracts/${contractId}/balances`)
          .query({ asOf: period })
          .set(bearer(env.admin))
          .expect(200)
      ).body as Balances
    ).balances;
  const creditMemo = async (externalId: string): Promise<ErpCreditMemo | undefined> => {
    const res = await tbaClient(env.netsuite.url)(
      'GET',
      `/services/rest/record/v1/creditMemo/eid:${externalId}`,
    );
    return res.status === 200 ? (res.body as ErpCreditMemo) : undefined;
  };
  const sfInvoice = async (invoiceId: string) =>
    (
      await env.sales.query<{ Revline_Status__c: string; Revline_Order__c: string }>(
        `SELECT Revline_Status__c, Revline_Order__c FROM Revline_Billing_Invoice__c WHERE Revline_Invoice_Id__c = '${invoiceId}'`,
      )
    ).records.at(0);
  const billingErpBreaks = async () => {
    const run = await recon.run({ period, scope: 'billing-erp' });
    expect(run).toMatchObject({ status: 'completed', error: null });
    return { run, breaks: await recon.breaks(run.runId) };
  };
  const voidOf = async (invoiceId: string) =>
    (
      await env.db.dataSource.query<Array<{ status: string; reversal_external_id: string | null }>>(
        `SELECT "status", "reversal_external_id" FROM "q2c"."voided_invoices" WHERE "invoice_id" = $1`,
        [invoiceId],
      )
    ).at(0);

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'at_booking' });
    recon = await reconciliation(env);
    ({ customerId } = await env.customerOnTestClock('2026-01-01T00:00:00Z'));
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  let first: { orderId: string; saga: SagaRow };
  let customerId: string;

  it('reverses the NetSuite invoice with a credit memo of its lines, dated the invoice day; the receivable is back to zero', async () => {
    first = await env.bookG1();
    const invoice = first.saga.data.invoices.at(0);
    expect(invoice?.erpId).toBeTruthy();
    // January's revenue was recognised at booking: the invoice's 12,000.00 stands as receivable and deferred.
    const before = (await balances(first.orderId)).at(0);
    expect(before).toMatchObject({ currency: 'USD', receivableMinor: '1200000' });
    expect(BigInt(before?.deferredMinor ?? '0') + BigInt(before?.recognisedMinor ?? '0')).toBe(1_200_000n);
    const voided = await env.stripe.invoices.voidInvoice(invoice?.documentId ?? '');
    expect(voided.status).toBe('void');

    const reversalId = `VOID-${invoice?.erpExternalId ?? ''}`;
    const memo = await eventually(() => creditMemo(reversalId), 20_000);
    expect(memo).toMatchObject({
      externalId: reversalId,
      tranDate: '2026-01-01',
      createdFrom: { id: invoice?.erpId },
      custbody_rl_contract: first.orderId,
      item: { items: [{ amount: 12000 }] },
    });
    await env.settle();
    // The credit memo takes the receivable and the deferral back by the invoice's total; revenue stays, and January's,
    // recognised ahead of a billing that is no more, is an unbilled receivable (sent right after the reversal).
    const recognised = before?.recognisedMinor ?? '';
    expect(BigInt(recognised)).toBeGreaterThan(0n);
    expect(await balances(first.orderId)).toEqual([
      {
        currency: 'USD',
        receivableMinor: '0',
        deferredMinor: '0',
        unbilledMinor: recognised,
        recognisedMinor: recognised,
      },
    ]);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
    const movement = await env.db.dataSource.query<Array<{ key: string; period: string; amount: string }>>(
      `SELECT "idempotency_key" AS key, "payload"->>'period' AS period, "payload"->'amount'->>'amountMinor' AS amount
         FROM "q2c"."saga_commands" WHERE "job" = 'erp.post-revenue-journal' AND "saga_id" = $1
          AND "payload"->>'obligationId' LIKE 'contract-asset:void:%'`,
      [first.saga.saga_id],
    );
    expect(movement).toEqual([
      {
        key: `void:${invoice?.documentId ?? ''}:${first.orderId}:contract-asset:2026-01`,
        period: '2026-01',
        amount: recognised,
      },
    ]);

    // A replay dry run still finds what the booking posted: the void's commands answer the void, not the booking.
    const replay = await request(env.q2c.url)
      .post('/v1/replays')
      .set(bearer(env.admin))
      .send({ contractId: first.orderId, dryRun: true })
      .expect(200);
    expect(replay.body).toMatchObject({ dryRun: true, sagas: 1, differences: 0, resent: 0 });

    // The contract-revenue checkpoint agrees: no deferred or unbilled break for the voided, reversed invoice.
    const run = await recon.run({ period, scope: 'contract-revenue' });
    expect(run).toMatchObject({ status: 'completed', error: null });
    const breaks = (await recon.breaks(run.runId)).filter((b) => b.contractId === first.orderId);
    expect(breaks, describeBreaks(breaks)).toEqual([]);
  }, 90_000);

  it('shows the invoice void in Salesforce and every hop in the lineage', async () => {
    const invoiceId = first.saga.data.invoices.at(0)?.documentId ?? '';
    const row = await eventually(async () => {
      const found = await sfInvoice(invoiceId);
      return found?.Revline_Status__c === 'Void' ? found : undefined;
    }, 20_000);
    expect(row?.Revline_Order__c).toBe(first.orderId);
    const hops = await env.db.dataSource.query<
      Array<{ system: string; object_type: string; status: string }>
    >(
      `SELECT "system", "object_type", "status" FROM "q2c"."lineage" WHERE "correlation_id" = $1 ORDER BY "occurred_at"`,
      [first.saga.correlation_id],
    );
    const story = hops.map((h) => `${h.system} ${h.object_type} ${h.status}`);
    expect(story).toEqual(
      expect.arrayContaining([
        'billing Invoice void',
        'erp erp.void-invoice sent',
        'erp creditMemo posted',
        'salesforce crm.write-back sent',
      ]),
    );
    expect(story.indexOf('billing Invoice void')).toBeLessThan(story.indexOf('erp creditMemo posted'));
  });

  it('reconciles 2026-01 with no break for the voided invoice nor for its reversal', async () => {
    const { run, breaks } = await billingErpBreaks();
    expect(breaks, describeBreaks(breaks)).toEqual([]);
    // The invoice on the billing side, the invoice and its credit memo on the ERP's.
    expect(run.checkpoints.map((c) => c.compared)).toEqual([3]);
  }, 60_000);

  it('keeps a voided invoice no saga took in: nothing is asked of the ERP, and it is no longer missing there', async () => {
    // An invoice raised in Stripe by hand, outside any Salesforce order: no saga takes it in, the ERP never has it.
    const product = await env.stripe.products.create({ name: 'Consulting' });
    const price = await env.stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 50_000,
      recurring: { interval: 'year' },
    });
    const subscription = await env.stripe.subscriptions.create({
      customer: customerId,
      items: [{ price: price.id, quantity: 1 }],
      collection_method: 'send_invoice',
    });
    const invoiceId = latestInvoiceId(subscription.latest_invoice);
    // Issued by hand: Stripe would leave it a draft for an hour.
    await env.stripe.invoices.finalizeInvoice(invoiceId);
    await env.settle();
    const missing = await billingErpBreaks();
    expect(missing.breaks.map((b) => [b.category, b.objectId, b.status])).toEqual([
      ['missing_in_erp', invoiceId, 'open'],
    ]);

    await env.stripe.invoices.voidInvoice(invoiceId);
    await eventually(async () => (await voidOf(invoiceId))?.status === 'void', 20_000);
    await env.settle();
    expect(await voidOf(invoiceId)).toEqual({ status: 'void', reversal_external_id: null });
    const asked = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."saga_commands" WHERE "job" = 'erp.void-invoice' AND "payload"->>'invoiceExternalId' = $1`,
      [`INV-${invoiceId}`],
    );
    expect(asked).toEqual([]);
    const after = await billingErpBreaks();
    expect(after.breaks.map((b) => [b.category, b.objectId, b.status])).toEqual([
      ['missing_in_erp', invoiceId, 'closed'],
    ]);
  }, 60_000);

  it('with the ERP step held, reports the voided invoice still open in the ERP; the break closes once the reversal posts', async () => {
    const second = await env.bookG1();
    await env.settle();
    const invoice = second.saga.data.invoices.at(0);
    const invoiceId = invoice?.documentId ?? '';
    const erpQueue = await env.erp.app.get(Queues, { strict: false }).get('erp.commands');
    await erpQueue.pause();
    try {
      const marked = await env.stripe.invoices.markUncollectible(invoiceId);
      expect(marked.status).toBe('uncollectible');
      await eventually(async () => (await voidOf(invoiceId))?.status === 'uncollectible', 20_000);
      expect(await creditMemo(`VOID-${invoice?.erpExternalId ?? ''}`)).toBeUndefined();

      const held = await billingErpBreaks();
      expect(held.breaks.map((b) => [b.category, b.objectType, b.objectId, b.expected, b.actual])).toEqual([
        ['voided_in_billing_open_in_erp', 'Invoice', invoiceId, '0', '1200000'],
      ]);
      expect(held.breaks[0]).toMatchObject({
        contractId: second.orderId,
        correlationId: second.saga.correlation_id,
        status: 'open',
      });

      // Voided after being marked uncollectible: Salesforce follows, the ERP is asked to reverse it once only.
      await env.stripe.invoices.voidInvoice(invoiceId);
      await eventually(async () => (await voidOf(invoiceId))?.status === 'void', 20_000);
    } finally {
      await erpQueue.resume();
    }
    await env.settle();
    const reversal = await creditMemo(`VOID-${invoice?.erpExternalId ?? ''}`);
    expect(reversal?.createdFrom.id).toBe(invoice?.erpId);
    const sent = await env.db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."saga_commands" WHERE "job" = 'erp.void-invoice' AND "saga_id" = $1`,
      [second.saga.saga_id],
    );
    expect(sent.at(0)?.n).toBe(1);
    expect((await sfInvoice(invoiceId))?.Revline_Status__c).toBe('Void');
    expect((await balances(second.orderId)).map((b) => b.receivableMinor)).toEqual(['0']);

    const after = await billingErpBreaks();
    expect(after.run.checkpoints.map((c) => [c.opened, c.stillOpen, c.closed])).toEqual([[0, 0, 1]]);
    expect(after.breaks.map((b) => [b.category, b.objectId, b.status, b.closedByRunId])).toEqual([
      ['voided_in_billing_open_in_erp', invoiceId, 'closed', after.run.runId],
    ]);
  }, 120_000);

  it('refuses what Stripe refuses: voiding a void invoice, marking a paid one uncollectible', async () => {
    const invoiceId = first.saga.data.invoices.at(0)?.documentId ?? '';
    await expect(env.stripe.invoices.voidInvoice(invoiceId)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
    await expect(env.stripe.invoices.markUncollectible(invoiceId)).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      statusCode: 400,
    });
  });
});

/**
 * ERP_INVOICE_VOID_AS=credit: the reversing credit memo is dated the day billing voided the invoice, in the next
 * month; the invoice's month still reconciles (the reversal is found in February), and February's credit memo is
 * not unknown to billing. Per-contract journals (REVENUE_POSTING=at_booking), as above: each month's revenue is
 * unbilled after the reversal, never a negative deferral.
 */
describe('a voided invoice credited in a later month', () => {
  let env: Q2cEnv;
  let recon: Awaited<ReturnType<typeof reconciliation>>;

  beforeAll(async () => {
    // Queues of their own: the first suite's jobs (the same sandbox ids, so the same job ids) are still in Redis.
    env = await startQ2cEnv({
      REVENUE_POSTING: 'at_booking',
      ERP_INVOICE_VOID_AS: 'credit',
      QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    });
    recon = await reconciliation(env);
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('dates the credit memo on the void day, and both months reconcile', async () => {
    const { clockId } = await env.customerOnTestClock('2026-01-01T00:00:00Z');
    const { saga, orderId } = await env.bookG1();
    const invoice = saga.data.invoices.at(0);
    await env.advanceClock(clockId, '2026-02-10T00:00:00Z');
    await env.stripe.invoices.voidInvoice(invoice?.documentId ?? '');
    const reversalId = `VOID-${invoice?.erpExternalId ?? ''}`;
    const memo = await eventually(async () => {
      const res = await tbaClient(env.netsuite.url)(
        'GET',
        `/services/rest/record/v1/creditMemo/eid:${reversalId}`,
      );
      return res.status === 200 ? (res.body as ErpCreditMemo) : undefined;
    }, 20_000);
    expect(memo).toMatchObject({ tranDate: '2026-02-10', createdFrom: { id: invoice?.erpId } });
    await env.settle();
    for (const period of ['2026-01', '2026-02']) {
      const run = await recon.run({ period, scope: 'billing-erp' });
      expect(run).toMatchObject({ status: 'completed', error: null });
      const breaks = await recon.breaks(run.runId);
      expect(breaks.map((b) => [period, b.category, b.objectType, b.objectId])).toEqual([]);
      // January billed ahead; February's reversal leaves January and February's revenue unbilled, not negative deferral.
      const revenue = await recon.run({ period, scope: 'contract-revenue' });
      expect(revenue).toMatchObject({ status: 'completed', error: null });
      const contractBreaks = (await recon.breaks(revenue.runId)).filter((b) => b.contractId === orderId);
      expect(contractBreaks.map((b) => [period, b.category, b.objectId, b.expected, b.actual])).toEqual([]);
    }
  }, 90_000);
});
