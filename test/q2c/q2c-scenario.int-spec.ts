import type { RevenueRunListDto, StartRevenueRunResultDto } from '@revline/finance-api';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, seedCatalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';
import { G1_MONTHS } from '../support/golden';

/**
 * The booking scenario from start to end, in the billing platform's own time: the customer lives on a Stripe test clock
 * frozen at 2026-01-01 and the clock is advanced to each change's date, so Stripe invoices, prorates and renews
 * when the contract says, whatever the wall clock reads.
 *
 * G1 booking (10 seats × 1,200.00 a year, 2026) → G2 expansion to 15 seats with the premium analytics module on
 * 2026-03-15 → G5 removal of 5 seats on 2026-10-01 → renewal for 2027 at a 5 % uplift (10 seats × 1,260.00 a year,
 * i.e. 105 USD a month), activated in October and invoiced when the clock reaches 2027-01-01. Revenue is posted at
 * period close (the default): the sagas store each obligation's revenue plan, and a month's revenue run posts it.
 */
describe('the booking scenario on a Stripe test clock, booking to renewal', () => {
  let env: Q2cEnv;
  let clockId: string;
  let customerId: string;
  let modulePriceId: string;
  let seatPriceId: string;
  let orderId: string;
  let sfContractId: string;
  let seatLineId: string;
  let booking: SagaRow;
  let subscriptionId: string;
  const orders: Record<string, string> = {};

  const amend = async (body: Record<string, unknown>): Promise<string> => {
    const amended = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/amendments')
      .send({ contractId: sfContractId, ...body })
      .expect(201);
    const amendmentOrderId = (amended.body as { orderId: string }).orderId;
    await activateOrders(env.sales, [amendmentOrderId]);
    return amendmentOrderId;
  };

  const stripeInvoices = async () =>
    (await env.stripe.invoices.list({ subscription: subscriptionId, limit: 100 })).data.sort(
      (a, b) => a.created - b.created,
    );

  /** The contract's stored revenue plans (each obligation's latest version), by obligation. */
  const plans = async (): Promise<Map<string, Array<[string, string]>>> => {
    const rows = await env.db.dataSource.query<
      Array<{ obligation_id: string; periods: Array<{ period: string; amountMinor: string }> }>
    >(
      `SELECT "obligation_id", "periods" FROM "q2c"."revenue_schedules" WHERE "contract_id" = $1 ORDER BY "obligation_id"`,
      [orderId],
    );
    return new Map(
      rows.map((r) => [r.obligation_id, r.periods.map((m): [string, string] => [m.period, m.amountMinor])]),
    );
  };
  /** Runs the period's revenue close as finance.operator and waits until the ERP has posted its journals. */
  const close = async (period: string): Promise<bigint> => {
    const started = await request(env.q2c.url)
      .post(`/v1/close/${period}/revenue-runs`)
      .set(bearer(operator))
      .send({})
      .expect(200);
    const run = started.body as StartRevenueRunResultDto;
    await env.settle();
    const listed = await request(env.q2c.url)
      .get(`/v1/close/${period}/revenue-runs`)
      .set(bearer(operator))
      .expect(200);
    const done = (listed.body as RevenueRunListDto).items.find((r) => r.runId === run.runId);
    expect(done?.state).toBe('posted');
    return (done?.journals ?? []).reduce((s, j) => s + BigInt(j.debitMinor), 0n);
  };
  let operator: string;

  const salesforceOrder = (id: string) =>
    eventually(async () => {
      const o = (await env.sales.sobject('Order').retrieve(id)) as Record<string, unknown>;
      return o.Revline_Integration_Status__c === 'Synced' ? o : undefined;
    }, 20_000);

  const day = (seconds: number | null | undefined): string =>
    new Date((seconds ?? 0) * 1000).toISOString().slice(0, 10);

  beforeAll(async () => {
    env = await startQ2cEnv();
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    modulePriceId = await env.mapPremiumModule();
    ({ clockId, customerId } = await env.customerOnTestClock('2026-01-01T00:00:00Z'));
    ({ orderId, saga: booking, sfContractId, seatLineId } = await env.bookAndContractG1());
    subscriptionId = booking.data.subscriptionId ?? '';
    orders.booking = orderId;
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('G1: books 10 seats on the customer of the test clock; Stripe invoices 12,000.00 on 2026-01-01', async () => {
    expect(booking).toMatchObject({ kind: 'booking', status: 'completed', last_error: null });
    expect(booking.data.billingCustomerId).toBe(customerId);
    const subscription = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.customer).toBe(customerId);
    expect(subscription.test_clock).toBe(clockId);
    seatPriceId = subscription.items.data[0]?.price.id ?? '';
    expect(subscription.items.data.map((i) => [i.price.unit_amount, i.quantity])).toEqual([[120_000, 10]]);
    const g1 = (await stripeInvoices()).at(0);
    expect(g1).toMatchObject({ total: 1_200_000, status: 'open' });
    expect(day(g1?.status_transitions.finalized_at)).toBe('2026-01-01');
  });

  it('G2: on 2026-03-15 adds 5 seats and the premium module; Stripe prorates −9,600.00 + 14,400.00 and 2,400.00', async () => {
    await env.advanceClock(clockId, '2026-03-15T00:00:00Z');
    orders.expansion = await amend({
      effectiveDate: '2026-03-15',
      changes: [{ orderItemId: seatLineId, quantity: 15 }],
      additions: [{ pricebookEntryId: env.catalogue.analyticsEntryId, quantity: 1, unitPrice: 3000 }],
    });
    const expansion = (await env.completed(orderId, 2)).at(1);
    expect(expansion).toMatchObject({ kind: 'expansion', last_error: null });
    expect(expansion?.data).toMatchObject({
      treatment: 'separate_contract',
      expectedProrationMinor: '720000',
      billedProrationMinor: '720000',
    });
    const invoices = await stripeInvoices();
    expect(invoices.map((i) => i.total)).toEqual([1_200_000, 720_000]);
    const proration = invoices.at(1);
    expect(day(proration?.status_transitions.finalized_at)).toBe('2026-03-15');
    const seatLines = proration?.lines.data.filter((l) => l.pricing?.price_details?.price === seatPriceId);
    expect(seatLines?.map((l) => l.amount).sort((a, b) => a - b)).toEqual([-960_000, 1_440_000]);
    const moduleLines = proration?.lines.data.filter(
      (l) => l.pricing?.price_details?.price === modulePriceId,
    );
    expect(moduleLines?.map((l) => l.amount)).toEqual([240_000]);
    const subscription = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity]).sort()).toEqual(
      [
        [seatPriceId, 15],
        [modulePriceId, 1],
      ].sort(),
    );
  }, 90_000);

  it('G5: on 2026-10-01 removes 5 seats; Stripe credits 1,512.33', async () => {
    await env.advanceClock(clockId, '2026-10-01T00:00:00Z');
    orders.reduction = await amend({
      effectiveDate: '2026-10-01',
      changes: [{ orderItemId: seatLineId, quantity: 10 }],
    });
    const reduction = (await env.completed(orderId, 3)).at(2);
    expect(reduction).toMatchObject({ kind: 'reduction', last_error: null });
    const notes = await env.stripe.creditNotes.list({ customer: customerId });
    expect(notes.data.map((n) => n.total)).toEqual([151_233]);
    expect(day(notes.data[0]?.created)).toBe('2026-10-01');
    const subscription = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity]).sort()).toEqual(
      [
        [seatPriceId, 10],
        [modulePriceId, 1],
      ].sort(),
    );
  }, 90_000);

  it('renewal: activated in October for 2027 at +5 %, it waits for its date without timing out, then Stripe invoices 12,600.00', async () => {
    const renewed = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/renewals')
      .send({ contractId: sfContractId })
      .expect(201);
    orders.renewal = (renewed.body as { orderId: string }).orderId;
    const items = await env.sales.query<{ Id: string; Quantity: number; Product2: { ProductCode: string } }>(
      `SELECT Id, Quantity, Product2.ProductCode FROM OrderItem WHERE OrderId = '${orders.renewal}'`,
    );
    const seats = items.records.find((i) => i.Product2.ProductCode === 'SEAT');
    const module = items.records.find((i) => i.Product2.ProductCode === 'ANALYTICS');
    expect(seats?.Quantity).toBe(10);
    // The customer renews the seats at 1,200.00 × 1.05 and lets the module lapse.
    await env.sales.sobject('OrderItem').update({ Id: seats?.Id ?? '', UnitPrice: 1260 });
    if (module) await env.sales.sobject('OrderItem').destroy(module.Id);
    await activateOrders(env.sales, [orders.renewal]);

    // The renewal saga sends the change and waits for the renewal invoice, its deadline counted from 2027-01-01.
    const waiting = await eventually(async () => {
      const rows = await env.sagas(orderId);
      const row = rows.at(3);
      const confirmed = (row?.data as { pending?: string[] } | undefined)?.pending?.length === 0;
      return row?.step === 'await_invoice' && row.status === 'waiting' && confirmed ? row : undefined;
    }, 40_000);
    expect(waiting).toMatchObject({ kind: 'renewal', last_error: null });
    expect(waiting?.data).toMatchObject({
      expectedProrationMinor: '1260000',
      awaitingRenewalFrom: '2027-01-01',
    });
    const deadlines = await env.db.dataSource.query<Array<{ sla_deadline: Date }>>(
      `SELECT "sla_deadline" FROM "q2c"."sagas" WHERE "saga_id" = $1`,
      [waiting?.saga_id],
    );
    expect(deadlines.at(0)?.sla_deadline.getTime()).toBeGreaterThan(Date.parse('2027-01-01T00:00:00Z'));
    // Nothing is invoiced before the date: the subscription carries a schedule with the renewal phase.
    expect(await stripeInvoices()).toHaveLength(2);
    const scheduled = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(scheduled.schedule).toEqual(expect.any(String));

    // The clock reaches 2027-01-01 (the renewal invoice finalises an hour into the new period).
    await env.advanceClock(clockId, '2027-01-01T00:00:00Z');
    await env.advanceClock(clockId, '2027-01-01T01:00:00Z');
    const renewal = (await env.completed(orderId, 4)).at(3);
    expect(renewal).toMatchObject({ kind: 'renewal', last_error: null });
    expect(renewal?.data).toMatchObject({
      treatment: 'separate_contract',
      expectedProrationMinor: '1260000',
      billedProrationMinor: '1260000',
    });

    const invoices = await stripeInvoices();
    expect(invoices.map((i) => i.total)).toEqual([1_200_000, 720_000, 1_260_000]);
    const renewalInvoice = invoices.at(2);
    expect(renewalInvoice?.billing_reason).toBe('subscription_cycle');
    expect(day(renewalInvoice?.status_transitions.finalized_at)).toBe('2027-01-01');
    const line = renewalInvoice?.lines.data.at(0);
    expect(line).toMatchObject({ amount: 1_260_000, quantity: 10 });
    expect([day(line?.period.start), day(line?.period.end)]).toEqual(['2027-01-01', '2028-01-01']);

    // The uplifted price: the seats' product and interval, 1,260.00 a year, found by its lookup key.
    const renewalPriceId = line?.pricing?.price_details?.price as string;
    expect(renewalPriceId).not.toBe(seatPriceId);
    const renewalPrice = await env.stripe.prices.retrieve(renewalPriceId);
    const seatPrice = await env.stripe.prices.retrieve(seatPriceId);
    expect(renewalPrice).toMatchObject({
      product: seatPrice.product,
      currency: 'usd',
      unit_amount: 126_000,
      lookup_key: `${seatPriceId}:1260`,
      recurring: expect.objectContaining({ interval: 'year', interval_count: 1 }) as unknown,
    });
    const byKey = await env.stripe.prices.list({ lookup_keys: [`${seatPriceId}:1260`] });
    expect(byKey.data.map((p) => p.id)).toEqual([renewalPriceId]);

    // The subscription from 2027: 10 seats on the uplifted price, the module gone.
    const subscription = await env.stripe.subscriptions.retrieve(subscriptionId);
    expect(subscription.status).toBe('active');
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[renewalPriceId, 10]]);
    expect(
      subscription.items.data.map((i) => [day(i.current_period_start), day(i.current_period_end)]),
    ).toEqual([['2027-01-01', '2028-01-01']]);
  }, 120_000);

  it('NetSuite holds the invoices, the credit memo and every revenue plan of the story; a month’s close posts it', async () => {
    const invoices = await stripeInvoices();
    const note = (await env.stripe.creditNotes.list({ customer: customerId })).data.at(0);
    const transactions = await env.netsuite.suiteql(
      "SELECT externalid, type, foreigntotal, trandate FROM transaction WHERE type IN ('CustInvc', 'CustCred') ORDER BY trandate, externalid",
    );
    expect(transactions.map((t) => [t.externalid, t.type, t.foreigntotal])).toEqual([
      [`INV-${invoices.at(0)?.id ?? ''}`, 'CustInvc', '12000.00'],
      [`INV-${invoices.at(1)?.id ?? ''}`, 'CustInvc', '7200.00'],
      [`CM-${note?.id ?? ''}`, 'CustCred', '1512.33'],
      [`INV-${invoices.at(2)?.id ?? ''}`, 'CustInvc', '12600.00'],
    ]);

    const sagas = await env.sagas(orderId);
    const version = (i: number): number => sagas[i]?.data.scheduleVersion ?? 0;
    expect(sagas.map((s) => s.kind)).toEqual(['booking', 'expansion', 'reduction', 'renewal']);
    expect([1, 2, 3].map(version)).toEqual([...new Set([1, 2, 3].map(version))]);

    // No revenue journal from the sagas: each obligation's plan is stored for the period close.
    const journals = () => env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`);
    expect(await journals()).toEqual([]);
    const stored = await plans();
    const months = (from: number, to: number): string[] =>
      Array.from({ length: to - from + 1 }, (_, i) => `2026-${String(from + i).padStart(2, '0')}`);
    const total = (plan: Array<[string, string]> | undefined): bigint =>
      (plan ?? []).reduce((s, [, amount]) => s + BigInt(amount), 0n);
    // G1: the booking's months, as booked up to G5 (from October, G5's reallocation below moves cents).
    expect(stored.get('POB-SEATS')?.slice(0, 9)).toEqual(months(1, 9).map((m, i) => [m, G1_MONTHS[i]]));
    // G2: the seats' separate contract (279.45 … to September; G5 removed its October..December, 1,512.33, the
    // credit note) and the module's own plan (2,400.00). The reduction is prospective, so what remains of the seats
    // and the module is reallocated by remaining standalone selling price: cents move between them, netting to zero.
    const g2SeatsObligation =
      [...stored.keys()].find((o) => !['POB-SEATS', 'POB-ANALYTICS'].includes(o) && !o.includes('2027')) ??
      '';
    const g2Seats = stored.get(g2SeatsObligation) ?? [];
    expect(g2Seats.filter(([period]) => period < '2026-10')).toEqual([
      ['2026-03', '27945'],
      ['2026-04', '49315'],
      ['2026-05', '50959'],
      ['2026-06', '49315'],
      ['2026-07', '50959'],
      ['2026-08', '50959'],
      ['2026-09', '49315'],
    ]);
    expect(total(stored.get('POB-SEATS')) + total(g2Seats) + total(stored.get('POB-ANALYTICS'))).toBe(
      1_200_000n + 480_000n - 151_233n + 240_000n,
    );
    // The renewal: a plan of its own over 2027, ratable by day, 12,600.00 in all.
    const renewal = [...stored.values()].find((plan) => plan[0]?.[0] === '2027-01');
    expect(renewal).toEqual([
      ['2027-01', '107014'],
      ['2027-02', '96657'],
      ['2027-03', '107014'],
      ['2027-04', '103562'],
      ['2027-05', '107013'],
      ['2027-06', '103562'],
      ['2027-07', '107014'],
      ['2027-08', '107013'],
      ['2027-09', '103562'],
      ['2027-10', '107014'],
      ['2027-11', '103561'],
      ['2027-12', '107014'],
    ]);
    // March's and October's revenue runs post the revenue to each month's end, the plans' to the cent: by March's,
    // G1's January..March, G2's seats' 279.45 and the module's March; by October's, every month to October.
    const toDate = (period: string): bigint =>
      [...stored.values()].reduce(
        (s, plan) => s + plan.filter(([m]) => m <= period).reduce((t, [, amount]) => t + BigInt(amount), 0n),
        0n,
      );
    const analytics = (period: string): bigint =>
      BigInt(stored.get('POB-ANALYTICS')?.find(([m]) => m === period)?.[1] ?? '0');
    expect(analytics('2026-03')).toBeGreaterThan(0n);
    expect(toDate('2026-03')).toBe(101_918n + 92_055n + 101_917n + 27_945n + analytics('2026-03'));
    const revenue = async (): Promise<bigint> => {
      const row = (
        await env.netsuite.suiteql(
          `SELECT SUM(amount) AS b FROM transactionaccountingline WHERE account = '5'`,
        )
      ).at(0);
      return -BigInt((row?.b ?? '0.00').replace('.', ''));
    };
    await close('2026-03');
    expect(await revenue()).toBe(toDate('2026-03'));
    await close('2026-10');
    expect(await revenue()).toBe(toDate('2026-10'));
    expect(await journals()).toHaveLength(2);
    // The revenue plans: those of a saga that invoiced ride on its invoice's lines (the booking's, the expansion's,
    // the renewal's); the reduction, which bills nothing (a credit note), posts its version as schedule records.
    const records = await env.netsuite.suiteql(
      'SELECT custrecord_rl_obligation, custrecord_rl_version, custrecord_rl_total FROM customrecord_rl_revenue_schedule',
    );
    const recorded = new Set(records.map((r) => r.custrecord_rl_version));
    expect(recorded.has(String(version(2)))).toBe(true);
    expect(recorded.has('1') || recorded.has(String(version(3)))).toBe(false);
    const carried = await env.netsuite.suiteql(
      'SELECT t.externalid, tl.custcol_rl_obligation, tl.custcol_rl_schedule_version, tl.custcol_rl_schedule_total ' +
        'FROM transactionline tl JOIN transaction t ON t.id = tl.transaction ' +
        "WHERE t.type = 'CustInvc' AND tl.custcol_rl_schedule_version IS NOT NULL",
    );
    const carriedBy = (i: number) =>
      carried
        .filter((l) => l.externalid === `INV-${invoices.at(i)?.id ?? ''}`)
        .map((l) => l.custcol_rl_schedule_version);
    expect(new Set(carriedBy(0))).toEqual(new Set(['1']));
    expect(carriedBy(1).length).toBeGreaterThan(0);
    expect(new Set(carriedBy(1))).toEqual(new Set([String(version(1))]));
    expect(new Set(carriedBy(2))).toEqual(new Set([String(version(3))]));
    expect(
      carried
        .filter((l) => l.custcol_rl_schedule_version === String(version(3)))
        .map((l) => l.custcol_rl_schedule_total),
    ).toEqual(['12600.00']);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  });

  it('Salesforce shows each order synced with its subscription and its invoices', async () => {
    const sagas = await env.sagas(orderId);
    const invoices = await stripeInvoices();
    for (const [i, key] of ['booking', 'expansion', 'reduction', 'renewal'].entries()) {
      const order = await salesforceOrder(orders[key] ?? '');
      expect(order, key).toMatchObject({
        Revline_Integration_Status__c: 'Synced',
        Revline_Billing_Id__c: subscriptionId,
        Revline_Correlation_Id__c: sagas[i]?.correlation_id,
        Revline_ERP_Id__c: expect.any(String) as unknown,
      });
    }
    const renewalInvoice = await env.sales.query<{
      Revline_Invoice_Id__c: string;
      Revline_Amount__c: number;
    }>(
      `SELECT Revline_Invoice_Id__c, Revline_Amount__c FROM Revline_Billing_Invoice__c WHERE Revline_Order__c = '${orders.renewal}'`,
    );
    expect(renewalInvoice.records.map((r) => [r.Revline_Invoice_Id__c, r.Revline_Amount__c])).toEqual([
      [invoices.at(2)?.id, 12_600],
    ]);
  });

  it('the lineage tells the whole story, one change per correlation id, every saga completed', async () => {
    const res = await request(env.q2c.url)
      .get(`/v1/contracts/${orderId}/lineage`)
      .set(bearer(env.admin))
      .expect(200);
    const lineage = res.body as {
      changes: Array<{
        correlationId: string;
        hops: Array<{ system: string; objectType: string; status: string }>;
      }>;
    };
    const sagas = await env.sagas(orderId);
    expect(sagas.every((s) => s.status === 'completed')).toBe(true);
    const ids = sagas.map((s) => s.correlation_id);
    expect(new Set(ids).size).toBe(4);
    for (const [i, saga] of sagas.entries()) {
      const change = lineage.changes.find((c) => c.correlationId === saga.correlation_id);
      const story = (change?.hops ?? []).map((h) => `${h.system}:${h.objectType}:${h.status}`);
      const expected = [
        'salesforce:Order:captured',
        i === 0 ? 'revline:ContractBooked:normalised' : 'revline:ContractAmended:normalised',
        'billing:billing.apply-contract-change:sent',
        saga.kind === 'reduction' ? 'billing:CreditNote:issued' : 'billing:Invoice:issued',
        saga.kind === 'reduction' ? 'erp:creditMemo:posted' : 'erp:invoice:posted',
        'revline:RevenueScheduleUpdated:computed',
        'salesforce:crm.write-back:sent',
        'revline:Saga:completed',
      ];
      for (const hop of expected) expect(story, `${saga.kind}: ${story.join(', ')}`).toContain(hop);
      expect(story).not.toContain('erp:revenueJournal:posted');
      expect(story.indexOf('revline:Saga:completed')).toBeGreaterThan(
        story.indexOf(saga.kind === 'reduction' ? 'erp:creditMemo:posted' : 'erp:invoice:posted'),
      );
    }
  });

  it('a replay dry run of the whole story finds every ERP command of the four sagas as it was posted', async () => {
    const res = await request(env.q2c.url)
      .post('/v1/replays')
      .set(bearer(env.admin))
      .send({ contractId: orderId })
      .expect(200);
    const result = res.body as { sagas: number; differences: number; commands: Array<{ job: string }> };
    expect(result).toMatchObject({ sagas: 4, differences: 0 });
    const jobs = result.commands.map((c) => c.job);
    expect(jobs.filter((j) => j === 'erp.post-invoice')).toHaveLength(3);
    expect(jobs.filter((j) => j === 'erp.post-credit-memo')).toHaveLength(1);
  });

  // The renewal's check is not a formality: when Stripe invoices the renewal term at another amount than the engine's
  // (someone released the subscription's schedule in Stripe, so it renewed at the old price), the saga parks with a
  // proration_mismatch exception and nothing reaches the ERP. Another account, on a clock of its own.
  it('a renewal Stripe invoices at another amount parks as a proration_mismatch exception, with no ERP invoice', async () => {
    const beta = await seedCatalogue(env.sales, 'Beta Corp');
    const { clockId: betaClock } = await env.customerOnTestClock('2026-01-01T00:00:00Z', beta.accountId);
    const {
      orderId: betaOrder,
      saga: betaBooking,
      sfContractId: betaContract,
    } = await env.bookAndContractG1(beta);
    const renewed = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/renewals')
      .send({ contractId: betaContract })
      .expect(201);
    const renewalOrderId = (renewed.body as { orderId: string }).orderId;
    const items = await env.sales.query<{ Id: string }>(
      `SELECT Id FROM OrderItem WHERE OrderId = '${renewalOrderId}'`,
    );
    await env.sales.sobject('OrderItem').update({ Id: items.records[0]?.Id ?? '', UnitPrice: 1260 });
    await activateOrders(env.sales, [renewalOrderId]);
    await eventually(async () => {
      const row = (await env.sagas(betaOrder)).at(1);
      const confirmed = (row?.data as { pending?: string[] } | undefined)?.pending?.length === 0;
      return confirmed && row?.step === 'await_invoice' ? row : undefined;
    }, 40_000);

    const subscription = await env.stripe.subscriptions.retrieve(betaBooking.data.subscriptionId ?? '');
    const scheduleId =
      typeof subscription.schedule === 'string' ? subscription.schedule : subscription.schedule?.id;
    await env.stripe.subscriptionSchedules.release(scheduleId ?? '');
    await env.advanceClock(betaClock, '2027-01-01T01:00:00Z');

    const parked = await eventually(async () => {
      const row = (await env.sagas(betaOrder)).at(1);
      return row?.status === 'parked' ? row : undefined;
    }, 40_000);
    expect(parked).toMatchObject({ kind: 'renewal', step: 'await_invoice' });
    expect(parked?.last_error).toMatch(
      /^proration_mismatch: The billing platform invoiced the renewal term of renewal .* at 1200000 USD minor units \(in_\w+\); the engine expected 1260000/,
    );
    const exceptions = await env.db.dataSource.query<Array<{ category: string }>>(
      `SELECT "category" FROM "q2c"."exceptions" WHERE "status" <> 'resolved'`,
    );
    expect(exceptions.map((e) => e.category)).toEqual(['proration_mismatch']);
    const invoices = await env.netsuite.suiteql(
      `SELECT foreigntotal FROM transaction WHERE type = 'CustInvc' AND custbody_rl_contract = '${betaOrder}'`,
    );
    expect(invoices.map((i) => i.foreigntotal)).toEqual(['12000.00']);
  }, 120_000);

  // A renewal activated after its date: Stripe has already renewed the subscription at the old price (12,000.00);
  // the change then prorates the uplift over the whole new period (+600.00), and the two invoices together bill the
  // renewal term the engine expects.
  it('a renewal activated after its date is billed by the period invoice and the uplift proration together', async () => {
    const gamma = await seedCatalogue(env.sales, 'Gamma Corp');
    const { clockId: gammaClock } = await env.customerOnTestClock('2026-01-01T00:00:00Z', gamma.accountId);
    const { orderId: gammaOrder, sfContractId: gammaContract } = await env.bookAndContractG1(gamma);
    await env.advanceClock(gammaClock, '2027-01-05T00:00:00Z');
    const renewed = await request(env.sfSandbox.url)
      .post('/sandbox/cpq/renewals')
      .send({ contractId: gammaContract })
      .expect(201);
    const renewalOrderId = (renewed.body as { orderId: string }).orderId;
    const items = await env.sales.query<{ Id: string }>(
      `SELECT Id FROM OrderItem WHERE OrderId = '${renewalOrderId}'`,
    );
    await env.sales.sobject('OrderItem').update({ Id: items.records[0]?.Id ?? '', UnitPrice: 1260 });
    await activateOrders(env.sales, [renewalOrderId]);
    const renewal = (await env.completed(gammaOrder, 2)).at(1);
    expect(renewal).toMatchObject({ kind: 'renewal', last_error: null });
    expect(renewal?.data).toMatchObject({
      expectedProrationMinor: '1260000',
      billedProrationMinor: '1260000',
    });
    const invoices = await env.netsuite.suiteql(
      `SELECT foreigntotal, trandate FROM transaction WHERE type = 'CustInvc' AND custbody_rl_contract = '${gammaOrder}'`,
    );
    expect(invoices.map((i) => [i.trandate, i.foreigntotal]).sort()).toEqual([
      ['2026-01-01', '12000.00'],
      ['2027-01-01', '12000.00'],
      ['2027-01-05', '600.00'],
    ]);
    expect(renewal?.data.invoices).toHaveLength(2);
  }, 120_000);
});
