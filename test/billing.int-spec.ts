import { OutboxMessageEntity } from '@revline/messaging';
import type { Envelope } from '@revline/messaging';
import { createEnvelope, Inbox, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, eventually, seedApiKey, waitForQueuesIdle } from '@revline/testing';
import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BillingCommandsHandler } from '../apps/system-billing/src/commands/billing-commands.handler';
import { StripeEventEntity, StripeObjectEntity } from '../apps/system-billing/src/persistence/entities';
import type { StripeEventLike } from '../apps/system-billing/src/webhooks/stripe-events';
import { StripeEventIngest } from '../apps/system-billing/src/webhooks/stripe-events';
import { StripeEventsPoller } from '../apps/system-billing/src/webhooks/stripe-events.poller';
import { StripeWebhookEndpoints } from '../apps/system-billing/src/webhooks/stripe-webhook-endpoints';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';
import { STRIPE_API_VERSION } from '../apps/system-billing/src/webhooks/stripe-api-version';

const at = (iso: string) => Date.parse(iso) / 1000;
const SECRET = 'whsec_revline_sandbox';

describe('system-billing against the Stripe sandbox', () => {
  let env: BillingEnv;
  let db: TestDatabase;
  let sandbox: TestApp;
  let billing: TestApp;
  let stripe: Stripe;
  let handler: BillingCommandsHandler;
  let viewer: string;

  beforeAll(async () => {
    env = await startBillingEnv({
      STRIPE_TIMEOUT_MS: '1000',
      STRIPE_ATTEMPTS: '2',
      STRIPE_RETRY_BASE_MS: '50',
      STRIPE_WEBHOOK_SECRETS: `whsec_old_rotated,${SECRET}`,
    });
    ({ db, sandbox, billing, stripe } = env);
    // Registered as system-billing registers it: at the stripe SDK's pinned API version.
    await billing.app.get(StripeWebhookEndpoints).ensure(`${billing.url}/v1/webhooks/stripe`, ['*']);
    handler = billing.app.get(BillingCommandsHandler);
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });

  afterAll(async () => {
    await env.close();
  });

  async function seats(start: string) {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at(start) });
    const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 120_000,
      recurring: { interval: 'year' },
    });
    return { clock, customer, price };
  }

  function command(
    contractId: string,
    customerId: string,
    kind: 'create' | 'amend' | 'cancel',
    effectiveDate: string,
    items: Array<[string, string, number]>,
    key: string,
  ): Envelope<'billing.apply-contract-change'> {
    return createEnvelope(
      'billing.apply-contract-change',
      {
        contractId,
        changeKind: kind,
        customer: { billingCustomerId: customerId, name: 'Acme', crmAccountId: '001A' },
        currency: 'USD',
        effectiveDate,
        items: items.map(([lineId, priceId, quantity]) => ({ lineId, priceId, quantity: String(quantity) })),
        prorationBehavior: 'always_invoice',
      },
      { idempotencyKey: key },
    );
  }

  const outbox = (job: string) => db.dataSource.getRepository(OutboxMessageEntity).findBy({ job });

  it('applies G2 through the adapter: -9,600.00 / +14,400.00 and a 4,800.00 invoice', async () => {
    const { clock, customer, price } = await seats('2026-01-01T00:00:00Z');
    const created = (await handler.applyContractChange(
      command('C-G2', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]], 'cmd-g2-create'),
    )) as { subscriptionId: string };
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-15T00:00:00Z') });
    const result = (await handler.applyContractChange(
      command('C-G2', customer.id, 'amend', '2026-03-15', [['L1', price.id, 15]], 'cmd-g2-amend'),
    )) as { invoiceId: string; subscriptionId: string };
    expect(result.subscriptionId).toBe(created.subscriptionId);
    const invoice = await stripe.invoices.retrieve(result.invoiceId);
    expect(invoice.lines.data.map((l) => l.amount)).toEqual([-960_000, 1_440_000]);
    expect(invoice.total).toBe(480_000);
    const announced = (await outbox('billing.subscription-changed')).map(
      (r) => r.envelope as Envelope<'billing.subscription-changed'>,
    );
    expect(announced.find((e) => e.payload.commandIdempotencyKey === 'cmd-g2-amend')?.payload).toMatchObject({
      contractId: 'C-G2',
      invoiceId: invoice.id,
      itemIds: { L1: expect.stringMatching(/^si_/) },
    });
    const issued = await eventually(async () =>
      (await outbox('billing.invoice-issued')).find(
        (r) => (r.envelope as Envelope<'billing.invoice-issued'>).payload.documentId === invoice.id,
      ),
    );
    expect((issued?.envelope as Envelope<'billing.invoice-issued'> | undefined)?.payload.total).toEqual({
      amountMinor: '480000',
      currency: 'USD',
    });
    const reads = await request(billing.url)
      .get(`/v1/customers/${customer.id}/subscriptions`)
      .set(bearer(viewer))
      .expect(200);
    expect(reads.body[0]).toMatchObject({ contractId: 'C-G2', items: [{ lineId: 'L1', quantity: 15 }] });
  });

  it('applies the same command twice concurrently and again after a timeout: one change, one invoice', async () => {
    const { clock, customer, price } = await seats('2026-01-01T00:00:00Z');
    await handler.applyContractChange(
      command('C-IDEM', customer.id, 'create', '2026-01-01', [['L1', price.id, 10]], 'cmd-idem-create'),
    );
    await stripe.testHelpers.testClocks.advance(clock.id, { frozen_time: at('2026-03-15T00:00:00Z') });
    const amend = command(
      'C-IDEM',
      customer.id,
      'amend',
      '2026-03-15',
      [['L1', price.id, 15]],
      'cmd-idem-amend',
    );
    await Promise.all([
      handler.applyContractChange(amend),
      handler.applyContractChange({ ...amend, messageId: crypto.randomUUID() }),
    ]);
    const later = command(
      'C-IDEM',
      customer.id,
      'amend',
      '2026-03-15',
      [['L1', price.id, 20]],
      'cmd-idem-amend-2',
    );
    await request(sandbox.url).post('/sandbox/faults').send({ latencyMs: 1500 }).expect(200);
    await expect(handler.applyContractChange(later)).rejects.toThrow(/still failing|timed out|timeout/i);
    await request(sandbox.url).delete('/sandbox/faults').expect(200);
    await handler.applyContractChange(later);
    const invoices = await stripe.invoices.list({ customer: customer.id, limit: 100 });
    const updates = invoices.data.filter((i) => i.billing_reason === 'subscription_update');
    expect(updates.map((i) => i.total).sort()).toEqual([480_000, 480_000]);
    const sub = (await stripe.subscriptions.list({ customer: customer.id })).data[0];
    expect(sub.items.data[0].quantity).toBe(20);
  });

  function signed(body: string, secret = SECRET, t = Math.floor(Date.now() / 1000)) {
    const v1 = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    return `t=${t},v1=${v1}`;
  }

  it('refuses a bad signature or a stale timestamp with 400 and queues nothing', async () => {
    const body = JSON.stringify({
      id: 'evt_forged',
      object: 'event',
      api_version: STRIPE_API_VERSION,
      type: 'invoice.finalized',
      created: 1,
      data: { object: { id: 'in_forged', object: 'invoice' } },
    });
    await request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signed(body, 'whsec_wrong'))
      .send(body)
      .expect(400);
    const stale = Math.floor(Date.now() / 1000) - 301;
    await request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signed(body, SECRET, stale))
      .send(body)
      .expect(400);
    expect(
      await db.dataSource.getRepository(StripeEventEntity).findOneBy({ eventId: 'evt_forged' }),
    ).toBeNull();
    expect(
      (await outbox('billing.invoice-issued')).some((r) => JSON.stringify(r.envelope).includes('in_forged')),
    ).toBe(false);
    const rotated = await request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signed(body, 'whsec_old_rotated'))
      .send(body)
      .expect(200);
    expect(rotated.body.outcome).toBe('accepted');
  });

  it('acknowledges an event of a type Revline does not read without keeping it', async () => {
    const body = JSON.stringify({
      id: 'evt_unread',
      object: 'event',
      api_version: STRIPE_API_VERSION,
      type: 'customer.created',
      created: 1,
      data: { object: { id: 'cus_unread', object: 'customer' } },
    });
    const answer = await request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signed(body))
      .send(body)
      .expect(200);
    expect(answer.body).toEqual({ received: true, outcome: 'ignored' });
    expect(
      await db.dataSource.getRepository(StripeEventEntity).findOneBy({ eventId: 'evt_unread' }),
    ).toBeNull();
    // The signature is still checked first.
    await request(billing.url)
      .post('/v1/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', signed(body, 'whsec_wrong'))
      .send(body)
      .expect(400);
  });

  it('takes duplicates once and keeps the newest state when events arrive out of order', async () => {
    const sub = (t: number, quantity: number) => ({
      id: 'sub_order',
      object: 'subscription',
      customer: 'cus_x',
      status: 'active',
      metadata: { revline_contract_id: 'C-ORDER' },
      items: { data: [{ id: 'si_1', quantity, metadata: { revline_line_id: 'L1' } }] },
      t,
    });
    const newer = JSON.stringify({
      id: 'evt_new',
      object: 'event',
      api_version: STRIPE_API_VERSION,
      type: 'customer.subscription.updated',
      created: 2000,
      data: { object: sub(2000, 15) },
    });
    const older = JSON.stringify({
      id: 'evt_old',
      object: 'event',
      api_version: STRIPE_API_VERSION,
      type: 'customer.subscription.updated',
      created: 1000,
      data: { object: sub(1000, 10) },
    });
    for (const body of [newer, newer, older, older]) {
      await request(billing.url)
        .post('/v1/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', signed(body))
        .send(body)
        .expect(200);
    }
    const events = await db.dataSource.getRepository(StripeEventEntity).findBy({ objectId: 'sub_order' });
    expect(events.map((e) => [e.eventId, e.stale]).sort()).toEqual([
      ['evt_new', false],
      ['evt_old', true],
    ]);
    const state = await db.dataSource
      .getRepository(StripeObjectEntity)
      .findOneByOrFail({ objectId: 'sub_order' });
    expect(state.eventId).toBe('evt_new');
    const changed = (await outbox('billing.subscription-changed')).filter(
      (r) => (r.envelope as Envelope<'billing.subscription-changed'>).payload.subscriptionId === 'sub_order',
    );
    // The platform's own notices of a subscription are kept, not announced: process-q2c reads its commands' answers.
    expect(changed).toHaveLength(0);
  });

  it('delivers duplicated sandbox webhooks once, and the poller finds a dropped one', async () => {
    const { customer, price } = await seats('2026-01-01T00:00:00Z');
    await request(sandbox.url).post('/sandbox/faults').send({ webhookDuplicateRate: 1 }).expect(200);
    const r = (await handler.applyContractChange(
      command('C-DUP', customer.id, 'create', '2026-01-01', [['L1', price.id, 1]], 'cmd-dup'),
    )) as { invoiceId: string };
    await eventually(
      async () =>
        // invoice.finalized, delivered twice, taken in once (invoice.created is not a type Revline reads).
        (await db.dataSource
          .getRepository(StripeEventEntity)
          .countBy({ objectId: r.invoiceId, type: 'invoice.finalized' })) === 1,
    );
    await request(sandbox.url)
      .post('/sandbox/faults')
      .send({ webhookDuplicateRate: 0, webhookDropRate: 1 })
      .expect(200);
    await stripe.invoices.pay(r.invoiceId, { paid_out_of_band: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const paymentKey = (rows: OutboxMessageEntity[]) =>
      rows.filter((row) => row.idempotencyKey === `stripe:payment-received:${r.invoiceId}`);
    expect(paymentKey(await outbox('billing.payment-received'))).toHaveLength(0);
    await request(sandbox.url).delete('/sandbox/faults').expect(200);
    expect(await billing.app.get(StripeEventsPoller).pollOnce()).toBeGreaterThan(0);
    expect(paymentKey(await outbox('billing.payment-received'))).toHaveLength(1);
    // The booking's invoice went with the change's answer; Stripe's notice of it announces it again only if it
    // was taken in before that answer committed (delivered twice or not, once at most).
    expect(
      (await outbox('billing.invoice-issued')).filter(
        (row) => row.idempotencyKey === `stripe:invoice-issued:${r.invoiceId}`,
      ).length,
    ).toBeLessThanOrEqual(1);
  });

  it("announces the invoice a booking issued with the change's answer; Stripe's notice of it, taken in after, announces nothing", async () => {
    const { customer, price } = await seats('2026-01-01T00:00:00Z');
    // Stripe's notices are held back until the change is answered: the poller takes them in afterwards.
    await request(sandbox.url).post('/sandbox/faults').send({ webhookDropRate: 1 }).expect(200);
    let r: { invoiceId: string };
    try {
      r = (await handler.applyContractChange(
        command(
          'C-WITH-INVOICE',
          customer.id,
          'create',
          '2026-01-01',
          [['L1', price.id, 2]],
          'cmd-with-invoice',
        ),
      )) as { invoiceId: string };
    } finally {
      await request(sandbox.url).delete('/sandbox/faults').expect(200);
    }
    const answer = (await outbox('billing.subscription-changed'))
      .map((row) => row.envelope as Envelope<'billing.subscription-changed'>)
      .find((e) => e.payload.commandIdempotencyKey === 'cmd-with-invoice');
    const invoice = await stripe.invoices.retrieve(r.invoiceId);
    // Finalised by system-billing (Stripe leaves a send_invoice subscription's first invoice a draft for an hour).
    expect(invoice.status).toBe('open');
    expect(answer?.payload.invoice).toMatchObject({
      documentId: r.invoiceId,
      customerId: customer.id,
      total: { amountMinor: String(invoice.total), currency: 'USD' },
      lines: [
        expect.objectContaining({ amount: { amountMinor: '240000', currency: 'USD' }, proration: false }),
      ],
    });
    // Stripe's notice, as the webhook or the poller takes it in: stored, and no announcement.
    const finalized = (await stripe.events.list({ type: 'invoice.finalized', limit: 100 })).data.find(
      (e) => (e.data.object as { id?: string }).id === r.invoiceId,
    );
    if (!finalized) throw new Error('Stripe has no invoice.finalized for the booking');
    expect(
      await billing.app.get(StripeEventIngest).ingest(finalized as unknown as StripeEventLike, 'poller'),
    ).toBe('accepted');
    expect(
      (await outbox('billing.invoice-issued')).filter(
        (row) => row.idempotencyKey === `stripe:invoice-issued:${r.invoiceId}`,
      ),
    ).toHaveLength(0);
  });

  it("holds Stripe's notice of a booking's invoice while the change's transaction is open: one announcement", async () => {
    const { customer, price } = await seats('2026-01-01T00:00:00Z');
    // The change's transaction starts a second late, so Stripe's webhook (sent as the invoice is finalised)
    // arrives while the change is still under way.
    const inbox = billing.app.get(Inbox);
    const runOnce = inbox.runOnce.bind(inbox);
    const spy = vi.spyOn(inbox, 'runOnce').mockImplementation(async (...args) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return runOnce(...args);
    });
    let r: { invoiceId: string };
    try {
      r = (await handler.applyContractChange(
        command('C-HELD', customer.id, 'create', '2026-01-01', [['L1', price.id, 3]], 'cmd-held'),
      )) as { invoiceId: string };
    } finally {
      spy.mockRestore();
    }
    const answer = (await outbox('billing.subscription-changed'))
      .map((row) => row.envelope as Envelope<'billing.subscription-changed'>)
      .find((e) => e.payload.commandIdempotencyKey === 'cmd-held');
    expect(answer?.payload.invoice?.documentId).toBe(r.invoiceId);
    await eventually(
      async () =>
        (await db.dataSource
          .getRepository(StripeEventEntity)
          .countBy({ objectId: r.invoiceId, type: 'invoice.finalized' })) === 1,
    );
    expect(
      (await outbox('billing.invoice-issued')).filter(
        (row) => row.idempotencyKey === `stripe:invoice-issued:${r.invoiceId}`,
      ),
    ).toHaveLength(0);
  });

  it('runs a command from the queue and exports invoice lines as NDJSON', async () => {
    const { customer, price } = await seats('2026-01-01T00:00:00Z');
    const queues = billing.app.get(Queues);
    await queues.publish([
      command('C-Q', customer.id, 'create', '2026-01-01', [['L1', price.id, 3]], 'cmd-queue'),
    ]);
    await waitForQueuesIdle([await queues.get('billing.commands')]);
    expect(
      (await outbox('billing.subscription-changed')).some(
        (r) => r.idempotencyKey === 'subscription-changed:cmd-queue',
      ),
    ).toBe(true);
    // The invoices are dated on the seats' test clock, in 2026.
    const res = await request(billing.url)
      .get('/v1/invoice-lines/export?from=2020-01-01&to=2026-12-31&pageSize=2')
      .set(bearer(viewer))
      .expect(200);
    const lines = res.text
      .trim()
      .split('\n')
      .map(
        (l) => JSON.parse(l) as { invoiceId: string; amount: { amountMinor: string }; proration: boolean },
      );
    expect(lines.some((l) => l.amount.amountMinor === '-960000' && l.proration)).toBe(true);
    await request(billing.url)
      .get('/v1/invoice-lines/export?from=2026-02-01&to=2026-01-01')
      .set(bearer(viewer))
      .expect(400);
    // Only the columns asked for, in the order asked.
    const narrow = await request(billing.url)
      .get(
        '/v1/invoice-lines/export?from=2020-01-01&to=2026-12-31&format=csv&columns=amountMinor,invoiceId,proration',
      )
      .set(bearer(viewer))
      .expect(200);
    const [header, ...rows] = narrow.text.trim().split('\r\n');
    expect(header).toBe('amountMinor,invoiceId,proration');
    expect(rows).toHaveLength(lines.length);
    expect(rows).toContain(
      `-960000,${lines.find((l) => l.amount.amountMinor === '-960000')?.invoiceId ?? ''},true`,
    );
    for (const bad of [
      'format=csv&columns=invoiceId,nope',
      'format=csv&columns=invoiceId,invoiceId',
      'columns=invoiceId',
    ])
      await request(billing.url)
        .get(`/v1/invoice-lines/export?from=2020-01-01&to=2026-12-31&${bad}`)
        .set(bearer(viewer))
        .expect(400);
  });
});
