import type { Envelope } from '@revline/messaging';
import { createEnvelope, OutboxMessageEntity } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingCommandsHandler } from '../apps/system-billing/src/commands/billing-commands.handler';
import { StripeEventEntity, StripeObjectEntity } from '../apps/system-billing/src/persistence/entities';
import { StripeGateway } from '../apps/system-billing/src/stripe/stripe-gateway';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';
import { STRIPE_API_VERSION } from '../apps/system-billing/src/webhooks/stripe-api-version';

const SECRET = 'whsec_revline_sandbox';
const RESET_MS = 400;

/** system-billing on a bad day: Stripe failing, and webhooks arriving all at once. */
describe('system-billing under sandbox faults and webhook bursts', () => {
  let env: BillingEnv;
  let db: TestDatabase;
  let sandbox: TestApp;
  let billing: TestApp;
  let stripe: Stripe;

  beforeAll(async () => {
    env = await startBillingEnv({
      STRIPE_ATTEMPTS: '1',
      STRIPE_BREAKER_VOLUME_THRESHOLD: '4',
      STRIPE_BREAKER_RESET_MS: String(RESET_MS),
    });
    ({ db, sandbox, billing, stripe } = env);
  });

  afterAll(async () => {
    await env.close();
  });

  it('opens the circuit after repeated 5xx, refuses calls without reaching Stripe, and closes once Stripe recovers', async () => {
    // A customer on a test clock, so the subscription starts on a pinned day whatever day the suite runs.
    const today = '2026-11-02';
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: Date.parse(today) / 1000 });
    const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 10_000,
      recurring: { interval: 'month' },
    });
    const handler = billing.app.get(BillingCommandsHandler);
    const gateway = billing.app.get(StripeGateway);
    const create = (key: string) =>
      handler.applyContractChange(
        createEnvelope(
          'billing.apply-contract-change',
          {
            contractId: 'C-BREAKER',
            changeKind: 'create',
            customer: { billingCustomerId: customer.id, name: 'Acme', crmAccountId: '001A' },
            currency: 'USD',
            effectiveDate: today,
            items: [{ lineId: 'L1', priceId: price.id, quantity: '2' }],
            prorationBehavior: 'create_prorations',
          },
          { idempotencyKey: key },
        ),
      );
    const remaining = async () =>
      (
        (await request(sandbox.url).get('/sandbox/faults').expect(200)).body as {
          failNext: { count: number };
        }
      ).failNext.count;

    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ failNext: { count: 100, status: 500 } })
      .expect(200);
    for (let i = 0; i < 4; i += 1) await expect(create('cmd-breaker')).rejects.toThrow(/still failing/);
    expect(gateway.circuitOpen).toBe(true);
    expect(await remaining()).toBe(96);
    // Open: the command fails fast as a transient error (the job retries later) and Stripe is not asked.
    await expect(create('cmd-breaker')).rejects.toThrow(/circuit is open/);
    expect(await remaining()).toBe(96);

    await request(sandbox.url).delete('/sandbox/faults').expect(200);
    await sleep(RESET_MS + 100);
    const result = (await create('cmd-breaker')) as { subscriptionId: string };
    expect(result.subscriptionId).toMatch(/^sub_/);
    expect(gateway.circuitOpen).toBe(false);
    const subs = await stripe.subscriptions.list({ customer: customer.id });
    expect(subs.data.map((s) => s.id)).toEqual([result.subscriptionId]);
  });

  function post(event: object) {
    const body = JSON.stringify(event);
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex');
    return request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', `t=${t},v1=${v1}`)
      .send(body);
  }

  const subscriptionEvent = (id: string, created: number, quantity: number) => ({
    id,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    type: 'customer.subscription.updated',
    created,
    data: {
      object: {
        id: 'sub_burst',
        object: 'subscription',
        customer: 'cus_burst',
        status: 'active',
        metadata: { revline_contract_id: 'C-BURST' },
        items: { data: [{ id: 'si_burst', quantity, metadata: { revline_line_id: 'L1' } }] },
      },
    },
  });

  const invoiceEvent = (n: number, extra: Record<string, unknown> = {}) => ({
    id: `evt_burst_in_${n}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    type: 'invoice.finalized',
    created: 1_800_000_000,
    data: {
      object: {
        id: `in_burst_${n}`,
        object: 'invoice',
        customer: 'cus_burst',
        currency: 'usd',
        total: 100 * n,
        status_transitions: { finalized_at: 1_800_000_000 },
        lines: { data: [] },
        ...extra,
      },
    },
  });

  it('takes a burst of concurrent webhooks in: each event once, the newest state kept, a bad event failing alone', async () => {
    const invoices = Array.from({ length: 20 }, (_, n) => invoiceEvent(n));
    const states = [3, 1, 5, 2, 4].map((v) => subscriptionEvent(`evt_burst_sub_${v}`, 1_800_000_000 + v, v));
    // jsonb refuses a NUL character: this one event cannot be stored.
    const poison = invoiceEvent(99, { description: 'bad \u0000 byte' });
    const deliveries = [...invoices, ...invoices, ...states, ...states, poison];
    const answers = await Promise.all(deliveries.map((event) => post(event)));

    const statuses = answers.map((a) => a.status);
    expect(statuses.at(-1)).toBe(500);
    expect(statuses.slice(0, -1).every((s) => s === 200)).toBe(true);
    const outcomes = answers.slice(0, -1).map((a) => (a.body as { outcome: string }).outcome);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(25);
    const events = await db.dataSource.getRepository(StripeEventEntity).findBy({ source: 'webhook' });
    expect(events.filter((e) => e.eventId.startsWith('evt_burst_'))).toHaveLength(25);
    expect(events.some((e) => e.eventId === 'evt_burst_in_99')).toBe(false);
    const state = await db.dataSource
      .getRepository(StripeObjectEntity)
      .findOneByOrFail({ objectId: 'sub_burst' });
    expect(state.eventId).toBe('evt_burst_sub_5');

    const outbox = db.dataSource.getRepository(OutboxMessageEntity);
    const issued = await outbox.findBy({ job: 'billing.invoice-issued' });
    expect(
      issued
        .map((r) => (r.envelope as Envelope<'billing.invoice-issued'>).payload.documentId)
        .filter((id) => id.startsWith('in_burst_'))
        .sort(),
    ).toEqual(invoices.map((e) => e.data.object.id).sort());
    // The subscription states are kept, not announced (process-q2c reads its own commands' answers).
    const changed = (await outbox.findBy({ job: 'billing.subscription-changed' })).filter(
      (r) => (r.envelope as Envelope<'billing.subscription-changed'>).payload.subscriptionId === 'sub_burst',
    );
    expect(changed).toHaveLength(0);
  });
});
