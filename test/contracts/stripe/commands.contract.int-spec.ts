import type { Envelope, JobName } from '@revline/messaging';
import { createEnvelope } from '@revline/messaging';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { BillingCommandsHandler } from '../../../apps/system-billing/src/commands/billing-commands.handler';
import { StripeRequestEntity } from '../../../apps/system-billing/src/persistence/entities';
import { meterEventParams } from '../../../apps/system-billing/src/stripe/stripe-usage-credits.service';
import type { BillingEnv } from '../../support/billing-env';
import { startBillingEnv } from '../../support/billing-env';
import type { ParamsInterface } from './support/sdk-types';
import { absent, READS } from './support/reads';
import { undocumented } from './support/sdk-types';

const at = (iso: string) => Date.parse(iso) / 1000;
type Change = Envelope<'billing.apply-contract-change'>['payload'];
type Line = [lineId: string, priceId: string, quantity: number, unitAmount?: string];

/** The SDK parameters interface of each Stripe call the billing commands plan through the request ledger. */
const PARAMS_OF: Record<string, ParamsInterface> = {
  'customers.create': 'CustomerCreateParams',
  'prices.create': 'PriceCreateParams',
  'subscriptions.create': 'SubscriptionCreateParams',
  'subscriptions.update': 'SubscriptionUpdateParams',
  'subscriptions.cancel': 'SubscriptionCancelParams',
  'subscriptionSchedules.create': 'SubscriptionScheduleCreateParams',
  'subscriptionSchedules.update': 'SubscriptionScheduleUpdateParams',
  'subscriptionSchedules.cancel': 'SubscriptionScheduleCancelParams',
  'creditNotes.create': 'CreditNoteCreateParams',
};

describe('the billing commands against the stripe SDK of the pinned API version', () => {
  let env: BillingEnv;
  let stripe: Stripe;
  let handler: BillingCommandsHandler;

  beforeAll(async () => {
    env = await startBillingEnv({ STRIPE_ATTEMPTS: '2', STRIPE_RETRY_BASE_MS: '50' });
    stripe = env.stripe;
    handler = env.billing.app.get(BillingCommandsHandler);
    // Reading the SDK's declarations once up front keeps the tests below within their time.
    undocumented('CustomerCreateParams', {});
  });

  afterAll(async () => {
    await env.close();
  });

  const job = <J extends JobName>(name: J, payload: Envelope<J>['payload'], key: string) =>
    createEnvelope(name, payload, { idempotencyKey: key });

  function change(
    contractId: string,
    customerId: string,
    kind: Change['changeKind'],
    effectiveDate: string,
    items: Line[],
    extra: Partial<Change> = {},
  ): Change {
    return {
      contractId,
      changeKind: kind,
      customer: { billingCustomerId: customerId, name: 'Acme', crmAccountId: '001A' },
      currency: 'USD',
      effectiveDate,
      items: items.map(([lineId, priceId, quantity, unitAmount]) => ({
        lineId,
        priceId,
        quantity: String(quantity),
        ...(unitAmount ? { unitAmount } : {}),
      })),
      prorationBehavior: 'always_invoice',
      ...extra,
    };
  }

  const apply = async (payload: Change, key: string) =>
    (await handler.applyContractChange(job('billing.apply-contract-change', payload, key))) as {
      subscriptionId: string;
      invoiceId?: string;
      scheduleId?: string;
    };

  async function account(taxBehavior: Stripe.PriceCreateParams.TaxBehavior = 'exclusive') {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 120_000,
      recurring: { interval: 'year' },
      tax_behavior: taxBehavior,
    });
    return { clock, customer, price };
  }

  it('sends only parameters the SDK documents, on every path of the contract commands', async () => {
    const { clock, customer, price } = await account();
    // A booking, an uplift on a contract price, a future-dated change, and a cancellation through its schedule.
    const booked = await apply(
      change('K-1', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]]),
      'k1',
    );
    await apply(change('K-1', customer.id, 'amend', '2026-01-01', [['L1', price.id, 12, '1260']]), 'k1-up');
    await apply(change('K-1', customer.id, 'amend', '2026-06-01', [['L1', price.id, 15, '1260']]), 'k1-fut');
    await apply(change('K-1', customer.id, 'cancel', '2026-09-01', []), 'k1-cxl');
    // A ramp (a schedule from the start) cancelled now; a plain contract cancelled later, another now, one renewed.
    await apply(
      change('K-2', customer.id, 'create', '2026-01-01', [['L1', price.id, 5]], {
        rampSteps: [{ startDate: '2026-07-01', items: [{ lineId: 'L1', priceId: price.id, quantity: '8' }] }],
      }),
      'k2',
    );
    await apply(change('K-3', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]), 'k3');
    await apply(change('K-4', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]), 'k4');
    await apply(change('K-5', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]]), 'k5');
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-01T00:00:00Z') });
    await apply(change('K-2', customer.id, 'cancel', '2026-03-01', []), 'k2-cxl');
    await apply(change('K-3', customer.id, 'cancel', '2026-09-01', []), 'k3-cxl');
    await apply(change('K-4', customer.id, 'cancel', '2026-03-01', []), 'k4-cxl');
    await apply(change('K-5', customer.id, 'cancel', '2027-01-01', []), 'k5-cxl');
    await apply(change('K-5', customer.id, 'renew', '2026-03-01', [['L1', price.id, 1]]), 'k5-renew');
    // A booking for an account with no Stripe customer yet: the adapter creates it, with the account's address.
    const newCustomer = change('K-6', '', 'create', '2026-03-01', [['L1', price.id, 1]], {
      customer: {
        name: 'Globex',
        crmAccountId: '001NEW',
        address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postalCode: '62701', country: 'US' },
      },
    });
    await apply(newCustomer, 'k6');
    const invoice = await stripe.invoices.retrieve(booked.invoiceId ?? '');
    // Stripe leaves a send_invoice subscription's first invoice a draft for an hour: the adapter finalised it.
    expect(invoice).toMatchObject({ status: 'open', billing_reason: 'subscription_create' });
    await handler.issueCredit(
      job(
        'billing.issue-credit',
        {
          invoiceId: invoice.id,
          reason: 'order_change',
          lines: [
            {
              invoiceLineId: invoice.lines.data[0]?.id ?? '',
              amount: { amountMinor: '1000', currency: 'USD' },
            },
          ],
        },
        'k1-credit',
      ),
    );

    const sent = await env.db.dataSource.getRepository(StripeRequestEntity).find();
    const problems = sent.flatMap((row) => {
      const name = PARAMS_OF[row.operation];
      return name ? undocumented(name, row.params) : [`${row.operation} has no SDK interface named here`];
    });
    expect(problems).toEqual([]);
    expect(new Set(sent.map((row) => row.operation))).toEqual(
      new Set([
        'customers.create',
        'prices.create',
        'subscriptions.create',
        'subscriptions.update',
        'subscriptions.cancel',
        'subscriptionSchedules.create',
        'subscriptionSchedules.update',
        'subscriptionSchedules.cancel',
        'creditNotes.create',
      ]),
    );
    // The schedule of a ramp is created with `expand` in its parameters (the SDK sends none from request options).
    const rampSchedule = sent.find(
      (row) => row.operation === 'subscriptionSchedules.create' && 'phases' in row.params,
    );
    expect(rampSchedule?.params).toMatchObject({ expand: ['subscription.latest_invoice'] });
    expect(sent.find((row) => row.operation === 'customers.create')?.params).toEqual({
      name: 'Globex',
      address: { line1: '1 Main St', city: 'Springfield', state: 'IL', postal_code: '62701', country: 'US' },
      metadata: { revline_crm_account_id: '001NEW' },
    });
    // The contract price copies the catalogue price's tax behaviour.
    const contractPrice = sent.find((row) => row.operation === 'prices.create');
    expect(contractPrice?.params).toMatchObject({ tax_behavior: 'exclusive' });
  });

  it('sends meter events as v1 documents them', () => {
    const params = meterEventParams('api_calls', {
      identifier: 'u1',
      customerId: 'cus_1',
      value: '25',
      timestamp: '2026-01-10T00:00:00Z',
    });
    expectTypeOf(params).toEqualTypeOf<Stripe.Billing.MeterEventCreateParams>();
    expect(undocumented('MeterEventCreateParams', params)).toEqual([]);
    expect(params.timestamp).toBe(at('2026-01-10T00:00:00Z'));
  });

  it('finds an undocumented parameter where the SDK has none: the check can fail', () => {
    expectTypeOf<Stripe.RequestOptions>().not.toHaveProperty('expand');
    expectTypeOf<Stripe.SubscriptionScheduleCreateParams>().toHaveProperty('expand');
    expect(
      undocumented('SubscriptionScheduleCreateParams', {
        customer: 'cus_1',
        phases: [{ items: [{ price: 'price_1', quantity: 1 }], proration: 'none' }],
      }),
    ).toEqual(['SubscriptionScheduleCreateParams.phases[0].proration is not documented']);
    expect(undocumented('SubscriptionUpdateParams', { proration_behavior: 'sometimes' })).toEqual([
      "SubscriptionUpdateParams.proration_behavior: 'sometimes' is not a documented value",
    ]);
  });

  it('reads back fields the SDK declares, and the sandbox answers with each of them', async () => {
    const { customer, price } = await account();
    const created = await apply(
      change('K-READ', customer.id, 'create', '2026-01-01', [['L1', price.id, 2]], {
        rampSteps: [{ startDate: '2026-07-01', items: [{ lineId: 'L1', priceId: price.id, quantity: '3' }] }],
      }),
      'k-read',
    );
    const sub = await stripe.subscriptions.retrieve(created.subscriptionId);
    const schedule = await stripe.subscriptionSchedules.retrieve(created.scheduleId ?? '');
    // What the billing adapter reads from Stripe's answers (support/reads.ts): the sandbox answers all of it.
    const has = (object: object, fields: readonly string[]) =>
      absent(object, fields).map((field) => `${String(Object(object).object)}.${field}`);
    const missing = [
      ...has(sub, READS.subscription),
      ...sub.items.data.flatMap((item) => has(item, READS.subscription_item)),
      ...has(await stripe.prices.retrieve(price.id), READS.price),
      ...has(schedule, READS.subscription_schedule),
    ];
    expect(missing).toEqual([]);
  });

  describe('the sandbox refuses what Stripe refuses', () => {
    it('cancel fields on a subscription a schedule manages', async () => {
      const { customer, price } = await account();
      const created = await apply(
        change('K-SCHED', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]], {
          rampSteps: [
            { startDate: '2026-07-01', items: [{ lineId: 'L1', priceId: price.id, quantity: '2' }] },
          ],
        }),
        'k-sched',
      );
      const refusal = {
        statusCode: 400,
        rawType: 'invalid_request_error',
        message: `The subscription is managed by the subscription schedule \`${created.scheduleId ?? ''}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
      };
      await expect(
        stripe.subscriptions.update(created.subscriptionId, { cancel_at_period_end: true }),
      ).rejects.toMatchObject(refusal);
      await expect(
        stripe.subscriptions.update(created.subscriptionId, { cancel_at: at('2026-09-01T00:00:00Z') }),
      ).rejects.toMatchObject(refusal);
      // Other changes to the subscription stay allowed.
      await expect(
        stripe.subscriptions.update(created.subscriptionId, { metadata: { note: 'x' } }),
      ).resolves.toMatchObject({ metadata: { note: 'x' } });
    });

    it('a price of unspecified tax behaviour on an automatic-tax subscription or invoice', async () => {
      const { customer, price: unspecified } = await account('unspecified');
      const exclusive = await stripe.prices.create({
        product: typeof unspecified.product === 'string' ? unspecified.product : unspecified.product.id,
        currency: 'usd',
        unit_amount: 1_000,
        recurring: { interval: 'year' },
        tax_behavior: 'exclusive',
      });
      const refusal = (priceId: string) => ({
        statusCode: 400,
        rawType: 'invalid_request_error',
        message: expect.stringContaining(
          `The price \`${priceId}\` does not have a \`tax_behavior\` set which is required for automatic tax computation.`,
        ),
      });
      await expect(
        stripe.subscriptions.create({
          customer: customer.id,
          items: [{ price: unspecified.id }],
          automatic_tax: { enabled: true },
        }),
      ).rejects.toMatchObject(refusal(unspecified.id));
      const taxed = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: exclusive.id }],
        automatic_tax: { enabled: true },
      });
      expect(taxed.automatic_tax.enabled).toBe(true);
      await expect(
        stripe.subscriptions.update(taxed.id, { items: [{ price: unspecified.id }] }),
      ).rejects.toMatchObject(refusal(unspecified.id));
      // Without automatic tax the same price is billed as before.
      const untaxed = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: unspecified.id }],
      });
      expect(untaxed.automatic_tax.enabled).toBe(false);
      // Its pending proration (a quantity change) cannot go on an automatic-tax invoice either.
      await stripe.subscriptions.update(untaxed.id, {
        items: [{ id: untaxed.items.data[0]?.id ?? '', quantity: 2 }],
        proration_behavior: 'create_prorations',
      });
      await expect(
        stripe.invoices.create({
          customer: customer.id,
          subscription: untaxed.id,
          pending_invoice_items_behavior: 'include',
          automatic_tax: { enabled: true },
        }),
      ).rejects.toMatchObject(refusal(unspecified.id));
      // A tax behaviour is set once; then it cannot change.
      await stripe.prices.update(unspecified.id, { tax_behavior: 'inclusive' });
      await expect(stripe.prices.update(unspecified.id, { tax_behavior: 'exclusive' })).rejects.toMatchObject(
        {
          statusCode: 400,
          param: 'tax_behavior',
        },
      );
    });

    it("a meter event identifier seen within Stripe's window, with v1's refusal (no error code)", async () => {
      const { clock, customer } = await account();
      const eventName = `calls_${String(Date.now())}`;
      await stripe.billing.meters.create({
        display_name: 'Calls',
        event_name: eventName,
        default_aggregation: { formula: 'sum' },
      });
      const send = () =>
        stripe.billing.meterEvents.create({
          event_name: eventName,
          identifier: 'dup-1',
          payload: { stripe_customer_id: customer.id, value: '1' },
        });
      await send();
      const refused = await send().catch((error: unknown) => error);
      expect(refused).toMatchObject({
        statusCode: 400,
        rawType: 'invalid_request_error',
        message: 'An event already exists with identifier dup-1.',
      });
      expect((refused as { code?: string }).code).toBeUndefined();
      // Past 24 hours the identifier is taken again.
      await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-01-02T00:00:01Z') });
      await expect(send()).resolves.toMatchObject({ identifier: 'dup-1' });
    });
  });
});
