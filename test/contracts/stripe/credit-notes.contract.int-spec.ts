import { OutboxMessageEntity } from '@revline/messaging';
import type { Envelope } from '@revline/messaging';
import { eventually } from '@revline/testing';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { StripeWebhookEndpoints } from '../../../apps/system-billing/src/webhooks/stripe-webhook-endpoints';
import type { BillingEnv } from '../../support/billing-env';
import { startBillingEnv } from '../../support/billing-env';
import { absent, READS } from './support/reads';

const at = (iso: string) => Date.parse(iso) / 1000;
const LINES = 12;

describe('credit note lines, a paged list as on Stripe', () => {
  let env: BillingEnv;
  let stripe: Stripe;

  beforeAll(async () => {
    env = await startBillingEnv({});
    ({ stripe } = env);
    await env.billing.app.get(StripeWebhookEndpoints).ensure(`${env.billing.url}/v1/webhooks/stripe`);
  });

  afterAll(async () => {
    await env.close();
  });

  it('types the lines as a list that pages (has_more, listLineItems)', () => {
    expectTypeOf<Stripe.CreditNote['lines']>().toEqualTypeOf<Stripe.ApiList<Stripe.CreditNoteLineItem>>();
    expectTypeOf<Stripe.CreditNoteResource['listLineItems']>().returns.toEqualTypeOf<
      Stripe.ApiListPromise<Stripe.CreditNoteLineItem>
    >();
  });

  it(`shows the first 10 of ${String(LINES)} lines inline with has_more, pages the rest, and announces every line`, async () => {
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-01-01T00:00:00Z') });
    const customer = await stripe.customers.create({ name: 'Acme', test_clock: clock.id });
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 12_000,
      recurring: { interval: 'month' },
    });
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id, quantity: 3 }],
      collection_method: 'send_invoice',
      days_until_due: 30,
    });
    // Stripe leaves a send_invoice subscription's first invoice a draft for an hour; system-billing finalises it.
    await stripe.invoices.finalizeInvoice(sub.latest_invoice as string);
    const note = await stripe.creditNotes.create({
      invoice: sub.latest_invoice as string,
      lines: Array.from({ length: LINES }, (_, i) => ({
        type: 'custom_line_item' as const,
        unit_amount: 100 + i,
        quantity: 1,
        description: `Credit ${String(i + 1)}`,
      })),
    });

    // What system-billing reads from a credit note and its lines (support/reads.ts): the sandbox answers all of it.
    expect(absent(note, READS.credit_note)).toEqual([]);
    for (const line of note.lines.data) expect(absent(line, READS.credit_note_line_item)).toEqual([]);
    expect(note.lines.data).toHaveLength(10);
    expect(note.lines.has_more).toBe(true);
    const retrieved = await stripe.creditNotes.retrieve(note.id);
    expect(retrieved.lines.data.map((l) => l.id)).toEqual(note.lines.data.map((l) => l.id));

    const first = await stripe.creditNotes.listLineItems(note.id);
    expect(first.data).toHaveLength(10);
    expect(first.has_more).toBe(true);
    const second = await stripe.creditNotes.listLineItems(note.id, { starting_after: first.data[9]?.id });
    expect(second.has_more).toBe(false);
    const all = [...first.data, ...second.data];
    expect(all.map((l) => l.description)).toEqual(
      Array.from({ length: LINES }, (_, i) => `Credit ${String(i + 1)}`),
    );

    // The credit_note.created webhook shows 10 lines: system-billing reads the other pages before announcing.
    const payload = await eventually(async () =>
      (
        await env.db.dataSource
          .getRepository(OutboxMessageEntity)
          .findBy({ job: 'billing.credit-note-issued' })
      )
        .map((row) => (row.envelope as Envelope<'billing.credit-note-issued'>).payload)
        .find((p) => p.documentId === note.id),
    );
    expect(payload?.lines.map((l) => l.lineId)).toEqual(all.map((l) => l.id));
    expect(payload?.lines.map((l) => l.amount.amountMinor)).toEqual(
      Array.from({ length: LINES }, (_, i) => String(100 + i)),
    );
    expect(payload?.total).toEqual({ amountMinor: String(note.total), currency: 'USD' });
  });
});
