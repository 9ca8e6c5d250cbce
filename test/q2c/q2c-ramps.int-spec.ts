import type { ContractAmended } from '@revline/canonical';
import type { BillingDocumentPayload, Envelope } from '@revline/messaging';
import { createEnvelope, jobIdFor, Queues } from '@revline/messaging';
import { eventually } from '@revline/testing';
import type { Queue } from 'bullmq';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import { rampStepKey } from '../../apps/process-q2c/src/sagas/ramp-step-schedule';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

const at = (iso: string): number => Math.floor(Date.parse(iso) / 1000);

/**
 * A two-year ramp deal: 10 seats in 2026, 15 seats in 2027, at 1,200.00 a seat a year, booked in Salesforce as two
 * CPQ segments of one line. The billing platform gets both steps as schedule phases at booking; nothing announces
 * the step on 2027-01-01, so Revline's own due job starts the ramp step's saga, which books the period's invoice
 * (15 × 1,200.00 = 18,000.00) in NetSuite and writes back. The revenue of both years was scheduled at booking
 * (the engine's default for ramps: 30,000.00 straight-line by day over the 730 days, 1,273.97 in January of each
 * year), so the step posts no new schedule version. Revenue is posted at period close (the default): the booking
 * stores the plan, and no saga posts a journal.
 */
describe('ramp steps through the sandbox (Stripe test clock, delayed due job)', () => {
  let env: Q2cEnv;
  let scheduled: Queue;
  let orderId: string;
  let clockId: string;
  let customerId: string;

  /** The contract's stored revenue plan, by period: the amount summed over obligations, and the versions. */
  const plan = (contractId: string) =>
    env.db.dataSource.query<Array<{ period: string; posted: string }>>(
      `SELECT m->>'period' AS period, sum((m->>'amountMinor')::bigint)::text AS posted
         FROM "q2c"."revenue_schedules" s, jsonb_array_elements(s."periods") m
        WHERE s."contract_id" = $1 GROUP BY 1 ORDER BY 1`,
      [contractId],
    );
  const planned = async (contractId: string) =>
    (
      await env.db.dataSource.query<Array<{ n: number; total: string; versions: number }>>(
        `SELECT count(DISTINCT m->>'period')::int AS n, sum((m->>'amountMinor')::bigint)::text AS total,
                count(DISTINCT s."schedule_version")::int AS versions
           FROM "q2c"."revenue_schedules" s, jsonb_array_elements(s."periods") m WHERE s."contract_id" = $1`,
        [contractId],
      )
    ).at(0);
  const journals = () => env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`);

  const rampOrder = async (
    accountId: string,
    term: { start: string; end: string },
    segments: ReadonlyArray<{ ServiceDate: string; EndDate: string; Quantity: number; UnitPrice?: number }>,
  ): Promise<string> => {
    const order = await env.sales.sobject('Order').create({
      AccountId: accountId,
      Pricebook2Id: env.catalogue.pricebookId,
      EffectiveDate: term.start,
      EndDate: term.end,
      Status: 'Draft',
    });
    if (!order.success) throw new Error('order not created');
    for (const segment of segments) {
      const item = await env.sales.sobject('OrderItem').create({
        OrderId: order.id,
        PricebookEntryId: env.catalogue.seatsEntryId,
        UnitPrice: 1200,
        SBQQ__SegmentKey__c: `SEATS-RAMP-${order.id}`,
        // A segment's own price (a price ramp) wins over the list price.
        ...segment,
      });
      if (!item.success) throw new Error('order item not created');
    }
    return order.id;
  };

  /**
   * The contract's booking saga, once completed. A step already due on the wall clock (these specs book 2026 on a
   * test clock) starts its saga a few milliseconds after the booking completes, so "exactly one saga, completed"
   * (`env.completed(id, 1)`) holds only that long and a poll slowed by load misses it: wait for the booking itself.
   */
  const bookingCompleted = (contractId: string): Promise<SagaRow | undefined> =>
    eventually(async () => {
      const first = (await env.sagas(contractId)).at(0);
      return first?.kind === 'booking' && first.status === 'completed' ? first : undefined;
    }, 40_000);

  beforeAll(async () => {
    env = await startQ2cEnv();
    scheduled = await env.q2c.app.get(Queues, { strict: false }).get('q2c.scheduled');
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    clockId = clock.id;
    customerId = (await env.stripe.customers.create({ name: 'Acme Corp', test_clock: clock.id })).id;
    await env.sales
      .sobject('Account')
      .update({ Id: env.catalogue.accountId, Revline_Billing_Id__c: customerId });
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('books the ramp with both steps as schedule phases, and schedules the step due on 2027-01-01', async () => {
    orderId = await rampOrder(env.catalogue.accountId, { start: '2026-01-01', end: '2027-12-31' }, [
      { ServiceDate: '2026-01-01', EndDate: '2026-12-31', Quantity: 10 },
      { ServiceDate: '2027-01-01', EndDate: '2027-12-31', Quantity: 15 },
    ]);
    await activateOrders(env.sales, [orderId]);
    const booking = (await env.completed(orderId, 1)).at(0);
    expect(booking).toMatchObject({ kind: 'booking', status: 'completed' });

    // Stripe: the subscription on the test clock customer, 10 seats now and 15 from 2027-01-01; 12,000.00 invoiced.
    const subscription = await env.stripe.subscriptions.retrieve(booking?.data.subscriptionId ?? '');
    expect(subscription.customer).toBe(customerId);
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([10]);
    const schedule = await env.stripe.subscriptionSchedules.retrieve(
      typeof subscription.schedule === 'string' ? subscription.schedule : (subscription.schedule?.id ?? ''),
    );
    expect(schedule.phases.map((p) => [p.start_date, p.items.map((i) => i.quantity)])).toEqual([
      [at('2026-01-01T00:00:00Z'), [10]],
      [at('2027-01-01T00:00:00Z'), [15]],
    ]);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total)).toEqual([1_200_000]);

    // Revenue of both years planned at booking, straight-line by day over the term: 24 months, 30,000.00;
    // January 2026: 30,000 × 31/730 = 1,273.97; January 2027: round(30,000 × 396/730) − 15,000.00 = 1,273.97.
    // Nothing of it posted yet: the period close posts it.
    const postings = await plan(orderId);
    expect(await journals()).toEqual([]);
    expect(postings).toHaveLength(24);
    expect(postings.reduce((s, p) => s + BigInt(p.posted), 0n)).toBe(3_000_000n);
    expect(postings.find((p) => p.period === '2026-01')?.posted).toBe('127397');
    expect(postings.find((p) => p.period === '2027-01')?.posted).toBe('127397');
    expect(
      postings.filter((p) => p.period.startsWith('2026')).reduce((s, p) => s + BigInt(p.posted), 0n),
    ).toBe(1_500_000n);

    // The due job waits in q2c.scheduled until 2027-01-01, keyed by contract and date.
    const job = await scheduled.getJob(jobIdFor('q2c.ramp-step-due', rampStepKey(orderId, '2027-01-01')));
    expect(await job?.getState()).toBe('delayed');
    const due = (job?.timestamp ?? 0) + (job?.delay ?? 0);
    expect(Math.abs(due - Date.parse('2027-01-01T00:00:00Z'))).toBeLessThan(1000);
    expect((job?.data as Envelope<'q2c.ramp-step-due'>).payload).toMatchObject({
      contractId: orderId,
      dueOn: '2027-01-01',
    });
    const hops = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."lineage" WHERE "correlation_id" = $1 AND "object_type" = 'RampStep' AND "status" = 'scheduled'`,
      [booking?.correlation_id],
    );
    expect(hops).toHaveLength(1);
  }, 90_000);

  it('on the ramp date: records a ramp_step amendment, books the phase invoice in NetSuite and writes back', async () => {
    const job = await scheduled.getJob(jobIdFor('q2c.ramp-step-due', rampStepKey(orderId, '2027-01-01')));
    if (!job) throw new Error('no due job');
    const envelope = job.data as Envelope<'q2c.ramp-step-due'>;
    await job.promote();

    // The saga waits for the billing platform's invoice of the new phase…
    const waiting = await eventually(async () => {
      const rows: SagaRow[] = await env.sagas(orderId);
      return rows[1]?.step === 'await_phase_invoice' ? rows[1] : undefined;
    }, 20_000);
    expect(waiting).toMatchObject({
      kind: 'ramp_step',
      status: 'waiting',
      correlation_id: envelope.correlationId,
    });
    // It may wait a day from the step's date (RAMP_INVOICE_WAIT_MS) before the wait becomes an exception.
    const deadline = (waiting as (SagaRow & { sla_deadline: Date | null }) | undefined)?.sla_deadline;
    expect(deadline?.toISOString()).toBe('2027-01-02T00:00:00.000Z');

    // A usage invoice of the subscription dated the step's day (a metered line's month ends then too; at nothing, for
    // a month without usage: kept, no exception) is no phase invoice: the saga keeps waiting for the one that bills
    // the new phase.
    const booked = (
      await env.db.dataSource.query<Array<{ payload: BillingDocumentPayload }>>(
        `SELECT "payload" FROM "q2c"."billing_documents" WHERE "kind" = 'invoice' AND "subscription_id" = $1`,
        [waiting?.data.subscriptionId],
      )
    ).at(0)?.payload;
    if (!booked) throw new Error('no booking invoice');
    const usageOnly: BillingDocumentPayload = {
      ...booked,
      documentId: 'in_usage_only_2027_01',
      issuedOn: '2027-01-01',
      total: { amountMinor: '0', currency: booked.total.currency },
      lines: [
        {
          ...booked.lines[0],
          lineId: 'il_usage_only_2027_01',
          priceId: 'price_api_calls_overage',
          amount: { amountMinor: '0', currency: booked.total.currency },
          periodStart: '2026-12-01',
          periodEnd: '2027-01-01',
        },
      ],
    };
    const usageEnvelope = createEnvelope('billing.invoice-issued', usageOnly, {
      idempotencyKey: 'usage-only:in_usage_only_2027_01',
    });
    const events = await env.q2c.app.get(Queues, { strict: false }).get('billing.events');
    await events.add(usageEnvelope.job, usageEnvelope, {
      jobId: jobIdFor(usageEnvelope.job, usageEnvelope.idempotencyKey),
    });
    await eventually(async () => {
      const rows = await env.db.dataSource.query<Array<{ n: number }>>(
        `SELECT count(*)::int AS n FROM "q2c"."billing_documents" WHERE "document_id" = 'in_usage_only_2027_01'`,
      );
      return rows[0]?.n === 1 ? true : undefined;
    }, 20_000);
    await env.settle();
    expect((await env.sagas(orderId))[1]).toMatchObject({ step: 'await_phase_invoice', status: 'waiting' });
    const usageExceptions = await env.db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."exceptions" WHERE "reason" LIKE '%in_usage_only_2027_01%'`,
    );
    expect(usageExceptions[0]?.n).toBe(0);

    // …which Stripe raises when its clock reaches the phase (finalised an hour after the period starts).
    await env.stripe.testHelpers.testClocks.advance(clockId, { frozen_time: at('2027-01-01T02:00:00Z') });
    const ramp = (await env.completed(orderId, 2)).at(1);
    await env.settle();
    const subscription = await env.stripe.subscriptions.retrieve(ramp?.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([15]);
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    const phaseInvoice = invoices.data.find((i) => i.total === 1_800_000);
    expect(phaseInvoice).toBeDefined();
    expect(ramp?.data.invoices).toEqual([
      expect.objectContaining({ documentId: phaseInvoice?.id, erpId: expect.any(String) }),
    ]);

    // The canonical event, caused by the due job, under its correlation id.
    const stored = (
      await env.db.dataSource.query<Array<{ payload: ContractAmended }>>(
        `SELECT "payload" FROM "q2c"."canonical_events" WHERE "event_id" = $1`,
        [ramp?.event_id],
      )
    ).at(0);
    expect(stored?.payload).toMatchObject({
      eventType: 'ContractAmended',
      amendmentType: 'ramp_step',
      effectiveDate: '2027-01-01',
      amendsContractId: orderId,
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      lineDeltas: [],
    });

    // NetSuite: the invoice of 18,000.00 dated 2027-01-01; revenue as planned at booking, no new version, no journal.
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT externalid, foreigntotal, trandate FROM transaction WHERE externalid = 'INV-${phaseInvoice?.id ?? ''}'`,
    );
    expect(erpInvoice).toMatchObject({
      externalid: `INV-${phaseInvoice?.id ?? ''}`,
      foreigntotal: '18000.00',
    });
    expect(await planned(orderId)).toEqual({ n: 24, total: '3000000', versions: 1 });
    expect(await journals()).toEqual([]);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

    // Lineage: the step's whole story under its own correlation id.
    const hops = await env.db.dataSource.query<Array<{ hop: string }>>(
      `SELECT "system" || ':' || "object_type" || ':' || "status" AS hop FROM "q2c"."lineage"
        WHERE "correlation_id" = $1 ORDER BY "occurred_at"`,
      [envelope.correlationId],
    );
    expect(hops.map((h) => h.hop)).toEqual(
      expect.arrayContaining([
        'revline:ContractAmended:normalised',
        'revline:Saga:started',
        'billing:Invoice:issued',
        'erp:erp.post-invoice:sent',
        'erp:invoice:posted',
        'revline:RevenueScheduleUpdated:unchanged',
        'salesforce:crm.write-back:sent',
        'revline:Saga:completed',
      ]),
    );
    const order = await eventually(async () => {
      const o = (await env.sales.sobject('Order').retrieve(orderId)) as Record<string, unknown>;
      return o.Revline_Correlation_Id__c === envelope.correlationId ? o : undefined;
    }, 20_000);
    expect(order).toMatchObject({ Revline_Integration_Status__c: 'Synced' });
  }, 120_000);

  it('a due job for a step already applied is a no-op recorded in lineage', async () => {
    const again = createEnvelope(
      'q2c.ramp-step-due',
      { contractId: orderId, segmentId: 'any', dueOn: '2027-01-01' },
      { idempotencyKey: `test-rerun:${orderId}` },
    );
    const ramp = (await env.sagas(orderId)).at(1);
    const segmentId = (
      await env.db.dataSource.query<Array<{ segment: string }>>(
        `SELECT s->>'segmentId' AS segment FROM "q2c"."contracts" c, jsonb_array_elements(c."lines") l,
           jsonb_array_elements(l->'rampSegments') s WHERE c."contract_id" = $1 AND s->>'start' = '2027-01-01'`,
        [orderId],
      )
    ).at(0)?.segment;
    again.payload.segmentId = segmentId ?? '';
    await scheduled.add(again.job, again, { jobId: jobIdFor(again.job, again.idempotencyKey) });
    await env.settle();
    const sagas = await env.sagas(orderId);
    expect(sagas).toHaveLength(2);
    expect(sagas[1]?.saga_id).toBe(ramp?.saga_id);
    const skipped = (
      await env.db.dataSource.query<Array<{ detail: string }>>(
        `SELECT "detail" FROM "q2c"."lineage" WHERE "correlation_id" = $1 AND "object_type" = 'RampStep' AND "status" = 'skipped'`,
        [again.correlationId],
      )
    ).at(0);
    expect(skipped?.detail).toMatch(/already applied/);
  }, 60_000);

  it('a step in the middle of a billing period: Stripe prorates it at once, the saga books that invoice', async () => {
    // A one-year deal billed annually: 10 seats for January..June, 15 from July.
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    const customer = await env.stripe.customers.create({ name: 'Midyear Ltd', test_clock: clock.id });
    const account = await env.sales
      .sobject('Account')
      .create({ Name: 'Midyear Ltd', CurrencyIsoCode: 'USD', Revline_Billing_Id__c: customer.id });
    if (!account.success) throw new Error('account not created');
    const contractId = await rampOrder(account.id, { start: '2026-01-01', end: '2026-12-31' }, [
      { ServiceDate: '2026-01-01', EndDate: '2026-06-30', Quantity: 10 },
      { ServiceDate: '2026-07-01', EndDate: '2026-12-31', Quantity: 15 },
    ]);
    await activateOrders(env.sales, [contractId]);
    const booking = await bookingCompleted(contractId);
    const booked = await planned(contractId);

    // The step's date is already past on the wall clock, so its due job ran at once: the saga waits for Stripe.
    const waiting = await eventually(async () => {
      const rows: SagaRow[] = await env.sagas(contractId);
      return rows[1]?.step === 'await_phase_invoice' ? rows[1] : undefined;
    }, 20_000);
    expect(waiting).toMatchObject({ kind: 'ramp_step', status: 'waiting' });
    await env.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-07-01T00:00:00Z') });
    const ramp = (await env.completed(contractId, 2)).at(1);
    await env.settle();

    // Stripe prorates the 184 days left of the year line by line, as it itemises a change: −6,049.32 of unused time
    // on 10 seats (12,000 × 184/365) + 9,073.97 of remaining time on 15 (18,000 × 184/365) = 3,024.65, invoiced at once.
    const invoices = await env.stripe.invoices.list({ subscription: booking?.data.subscriptionId ?? '' });
    expect(invoices.data.map((i) => i.total).sort((a, b) => a - b)).toEqual([302_465, 1_200_000]);
    const proration = invoices.data.find((i) => i.total === 302_465);
    expect(proration?.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-604_932, 907_397]);
    expect(ramp).toMatchObject({ kind: 'ramp_step', step: 'done' });
    expect(ramp?.data.invoices).toEqual([
      expect.objectContaining({ documentId: proration?.id, erpId: expect.any(String) }),
    ]);
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT externalid, foreigntotal FROM transaction WHERE externalid = 'INV-${proration?.id ?? ''}'`,
    );
    expect(erpInvoice).toMatchObject({ foreigntotal: '3024.65' });
    // Revenue: as planned at booking, no new schedule version.
    const after = await planned(contractId);
    expect(after).toEqual(booked);
    expect(after).toMatchObject({ n: 12, versions: 1 });
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 120_000);

  it('a price ramp (960.00 then 1,200.00 a seat a year from July): the step bills the new price, prorated', async () => {
    const clock = await env.stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    const customer = await env.stripe.customers.create({ name: 'Pricestep Inc', test_clock: clock.id });
    const account = await env.sales
      .sobject('Account')
      .create({ Name: 'Pricestep Inc', CurrencyIsoCode: 'USD', Revline_Billing_Id__c: customer.id });
    if (!account.success) throw new Error('account not created');
    const contractId = await rampOrder(account.id, { start: '2026-01-01', end: '2026-12-31' }, [
      { ServiceDate: '2026-01-01', EndDate: '2026-06-30', Quantity: 10, UnitPrice: 960 },
      { ServiceDate: '2026-07-01', EndDate: '2026-12-31', Quantity: 10, UnitPrice: 1200 },
    ]);
    await activateOrders(env.sales, [contractId]);
    const booking = await bookingCompleted(contractId);

    // Stripe: the first phase on a price of 960.00 a year (the contract's, made once beside the catalogue price),
    // the second on the catalogue's 1,200.00; 10 × 960.00 = 9,600.00 invoiced at booking.
    const subscription = await env.stripe.subscriptions.retrieve(booking?.data.subscriptionId ?? '');
    const schedule = await env.stripe.subscriptionSchedules.retrieve(
      typeof subscription.schedule === 'string' ? subscription.schedule : (subscription.schedule?.id ?? ''),
    );
    const phasePrices = await Promise.all(
      schedule.phases.map(async (p) => {
        const item = p.items.at(0);
        const price = typeof item?.price === 'string' ? item.price : (item?.price.id ?? '');
        return (await env.stripe.prices.retrieve(price)).unit_amount;
      }),
    );
    expect(phasePrices).toEqual([96_000, 120_000]);

    const waiting = await eventually(async () => {
      const rows: SagaRow[] = await env.sagas(contractId);
      return rows[1]?.step === 'await_phase_invoice' ? rows[1] : undefined;
    }, 20_000);
    expect(waiting).toMatchObject({ kind: 'ramp_step', status: 'waiting' });
    await env.stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-07-01T00:00:00Z') });
    const ramp = (await env.completed(contractId, 2)).at(1);
    await env.settle();

    // The 184 days left of the year: −4,839.45 unused at 960.00 (9,600 × 184/365) + 6,049.32 remaining at 1,200.00
    // (12,000 × 184/365) = 1,209.87, invoiced at once and booked in NetSuite.
    const invoices = await env.stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total).sort((a, b) => a - b)).toEqual([120_987, 960_000]);
    const proration = invoices.data.find((i) => i.total === 120_987);
    expect(proration?.lines.data.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-483_945, 604_932]);
    expect(ramp?.data.invoices).toEqual([
      expect.objectContaining({ documentId: proration?.id, erpId: expect.any(String) }),
    ]);
    const [erpInvoice] = await env.netsuite.suiteql(
      `SELECT foreigntotal FROM transaction WHERE externalid = 'INV-${proration?.id ?? ''}'`,
    );
    expect(erpInvoice).toMatchObject({ foreigntotal: '1209.87' });
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 120_000);

  it('a due job for a contract cancelled since is a no-op recorded in lineage', async () => {
    // A contract of a customer billed in real time, cancelled through CPQ from 2026-10-01.
    await env.sales.sobject('Account').update({ Id: env.catalogue.accountId, Revline_Billing_Id__c: null });
    const { orderId: contractId, sfContractId, seatLineId } = await env.bookAndContractG1();
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({
        contractId: sfContractId,
        effectiveDate: '2026-10-01',
        changes: [{ orderItemId: seatLineId, quantity: 0 }],
      })
      .expect(201);
    await activateOrders(env.sales, [(amended.body as { orderId: string }).orderId]);
    await eventually(async () => {
      const rows = await env.db.dataSource.query<Array<{ status: string }>>(
        `SELECT "status" FROM "q2c"."contracts" WHERE "contract_id" = $1`,
        [contractId],
      );
      return rows.at(0)?.status === 'cancelled';
    }, 30_000);
    const before = await env.sagas(contractId);

    const due = createEnvelope(
      'q2c.ramp-step-due',
      { contractId, segmentId: seatLineId, dueOn: '2026-11-01' },
      { idempotencyKey: `test-cancelled:${contractId}` },
    );
    await scheduled.add(due.job, due, { jobId: jobIdFor(due.job, due.idempotencyKey) });
    const skipped = await eventually(async () => {
      const rows = await env.db.dataSource.query<Array<{ detail: string }>>(
        `SELECT "detail" FROM "q2c"."lineage" WHERE "correlation_id" = $1 AND "object_type" = 'RampStep' AND "status" = 'skipped'`,
        [due.correlationId],
      );
      return rows.at(0);
    }, 20_000);
    expect(skipped?.detail).toMatch(/cancelled since/);
    const events = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."canonical_events" WHERE "contract_id" = $1 AND "payload"->>'amendmentType' = 'ramp_step'`,
      [contractId],
    );
    expect(events).toEqual([]);
    expect((await env.sagas(contractId)).map((r) => r.saga_id)).toEqual(before.map((r) => r.saga_id));
  }, 120_000);
});
