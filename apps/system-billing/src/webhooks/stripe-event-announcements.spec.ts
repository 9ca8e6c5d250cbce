import { describe, expect, it } from 'vitest';
import type { StripeEventLike } from './stripe-event-announcements';
import { announcementsOf } from './stripe-event-announcements';

const invoice = (extra: Record<string, unknown> = {}) => ({
  id: 'in_1',
  object: 'invoice',
  customer: 'cus_1',
  currency: 'usd',
  total: 480_000,
  amount_paid: 480_000,
  status_transitions: { finalized_at: 1_773_532_800, paid_at: 1_773_619_200 },
  parent: { subscription_details: { subscription: 'sub_1' } },
  lines: {
    data: [
      {
        id: 'il_1',
        description: 'Unused time',
        amount: -960_000,
        parent: { subscription_item_details: { proration: true } },
        period: { start: 1_773_532_800, end: 1_798_761_600 },
      },
    ],
  },
  ...extra,
});
const event = (type: string, object: Record<string, unknown>): StripeEventLike => ({
  id: 'evt_1',
  type,
  created: 1_773_619_200,
  data: { object },
});

describe('announcementsOf', () => {
  it('announces a paid invoice under the payment id it was given, and nothing for a zero invoice', () => {
    const [paid] = announcementsOf(event('invoice.paid', invoice()), { paymentId: 'inpay_1' });
    expect(paid.envelope).toMatchObject({
      job: 'billing.payment-received',
      idempotencyKey: 'stripe:payment-received:in_1',
      payload: {
        paymentId: 'inpay_1',
        invoiceId: 'in_1',
        amount: { amountMinor: '480000', currency: 'USD' },
        receivedOn: '2026-03-16',
      },
    });
    expect(announcementsOf(event('invoice.paid', invoice({ amount_paid: 0 })))).toEqual([]);
  });

  it('announces a voided and an uncollectible invoice as billing.invoice-voided, each under its own key', () => {
    const [voided] = announcementsOf(
      event(
        'invoice.voided',
        invoice({ status_transitions: { finalized_at: 1_773_532_800, voided_at: 1_773_619_200 } }),
      ),
    );
    expect(voided.envelope).toMatchObject({
      job: 'billing.invoice-voided',
      idempotencyKey: 'stripe:invoice-void:in_1',
      payload: {
        invoiceId: 'in_1',
        customerId: 'cus_1',
        subscriptionId: 'sub_1',
        status: 'void',
        total: { amountMinor: '480000', currency: 'USD' },
        voidedOn: '2026-03-16',
      },
    });
    const [written] = announcementsOf(
      event(
        'invoice.marked_uncollectible',
        invoice({
          status_transitions: { finalized_at: 1_773_532_800, marked_uncollectible_at: 1_773_705_600 },
        }),
      ),
    );
    expect(written.envelope).toMatchObject({
      job: 'billing.invoice-voided',
      idempotencyKey: 'stripe:invoice-uncollectible:in_1',
      payload: { status: 'uncollectible', voidedOn: '2026-03-17' },
    });
  });

  it('announces an issued invoice with its lines, prorations flagged', () => {
    const [issued] = announcementsOf(event('invoice.finalized', invoice()));
    expect(issued.onlyIfNewest).toBe(false);
    expect(issued.envelope.payload).toMatchObject({
      documentId: 'in_1',
      subscriptionId: 'sub_1',
      issuedOn: '2026-03-15',
      lines: [
        { lineId: 'il_1', amount: { amountMinor: '-960000' }, proration: true, periodEnd: '2027-01-01' },
      ],
    });
  });

  it("announces an invoice's tax as Stripe totals it (total_taxes), and none when it has none", () => {
    const taxed = invoice({
      total: 518_400,
      total_taxes: [
        { amount: 24_000, tax_behavior: 'exclusive' },
        { amount: 14_400, tax_behavior: 'exclusive' },
      ],
    });
    const [issued] = announcementsOf(event('invoice.finalized', taxed));
    expect(issued.envelope.payload).toMatchObject({
      total: { amountMinor: '518400', currency: 'USD' },
      tax: { amountMinor: '38400', currency: 'USD' },
    });
    const [untaxed] = announcementsOf(event('invoice.finalized', invoice({ total_taxes: [] })));
    expect(untaxed.envelope.payload).toMatchObject({ tax: { amountMinor: '0', currency: 'USD' } });
    const [older] = announcementsOf(event('invoice.finalized', invoice()));
    expect(older.envelope.payload).toMatchObject({ tax: { amountMinor: '0', currency: 'USD' } });
  });

  it('announces no subscription event: the state is kept, the saga reads the answer to its own command', () => {
    const sub = {
      id: 'sub_1',
      object: 'subscription',
      customer: 'cus_1',
      status: 'active',
      items: { data: [] },
      metadata: { revline_contract_id: 'C-1' },
    };
    for (const type of [
      'customer.subscription.created',
      'customer.subscription.updated',
      'customer.subscription.deleted',
    ])
      expect(announcementsOf(event(type, sub))).toEqual([]);
    // An invoice of the same subscription is still announced.
    expect(announcementsOf(event('invoice.finalized', invoice())).map((a) => a.envelope.job)).toEqual([
      'billing.invoice-issued',
    ]);
  });
});
