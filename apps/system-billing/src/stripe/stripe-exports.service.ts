import { Injectable } from '@nestjs/common';
import type { BillingDocumentRow, SubscriptionItemRow } from '@revline/billing-port';
import type Stripe from 'stripe';
import { CONTRACT_KEY, LINE_KEY } from './contract-change.plans';
import { createdSlices, EXPORT_CONCURRENCY, EXPORT_SLICES, mergeConcurrently } from './export-slices';
import { StripeGateway } from './stripe-gateway';
import { idOf, isoDay, startOfDay } from './stripe-keys';
import { stripePages } from './stripe-paging';

/** How far back a subscription export looks at most: longer than any account has existed. */
const OLDEST_SUBSCRIPTION_SECONDS = 64 * 365 * 86_400;

/** The subscription-item and document exports for reconciliation. */
@Injectable()
export class StripeExports {
  constructor(private readonly gateway: StripeGateway) {}

  /**
   * Every item of every subscription, the account cut into EXPORT_SLICES created-time slices paged side by side
   * (EXPORT_CONCURRENCY at a time; pages are yielded as they arrive). The slices span from the newest subscription
   * back to the oldest, found by looking back in doubling steps (is there one created before newest − 1, 2, 4 …
   * days?), so a large account is not one long chain of pages.
   */
  async *exportSubscriptionItems(query: { pageSize: number }): AsyncIterable<SubscriptionItemRow[]> {
    const first = (created?: Stripe.RangeQueryParam) =>
      this.gateway.call('subscriptions.list', (s) =>
        s.subscriptions.list({ status: 'all', limit: 1, ...(created ? { created } : {}) }),
      );
    const newest = (await first()).data.at(0);
    if (!newest) return;
    const lt = newest.created + 1;
    let span = 86_400;
    while (span < OLDEST_SUBSCRIPTION_SECONDS && (await first({ lt: lt - span })).data.length > 0) span *= 2;
    const walk = async function* (this: StripeExports, created: { gte: number; lt: number }) {
      let buffer: SubscriptionItemRow[] = [];
      for await (const page of stripePages(this.gateway, 'subscriptions.list', (s, cursor) =>
        s.subscriptions.list({ status: 'all', created, ...cursor }),
      )) {
        for (const sub of page) buffer.push(...toItemRows(sub));
        if (buffer.length >= query.pageSize) {
          yield buffer;
          buffer = [];
        }
      }
      if (buffer.length > 0) yield buffer;
    }.bind(this);
    yield* mergeConcurrently(
      createdSlices(Math.max(0, lt - span), lt, EXPORT_SLICES).map(
        ([gte, to]) =>
          () =>
            walk({ gte, lt: to }),
      ),
      EXPORT_CONCURRENCY,
    );
  }

  /**
   * Credit notes (not void), then paid invoice payments, created in the period, page by page (`created` filters the
   * list server-side; the row carries the day the document took effect).
   */
  async *exportDocuments(query: {
    from: string;
    to: string;
    pageSize: number;
  }): AsyncIterable<BillingDocumentRow[]> {
    const created = { gte: startOfDay(query.from), lt: startOfDay(query.to) + 86_400 };
    let buffer: BillingDocumentRow[] = [];
    for await (const page of stripePages(this.gateway, 'creditNotes.list', (s, cursor) =>
      s.creditNotes.list({ created, ...cursor }),
    )) {
      for (const note of page) if (note.status !== 'void') buffer.push(creditNoteRow(note));
      if (buffer.length >= query.pageSize) {
        yield buffer;
        buffer = [];
      }
    }
    for await (const page of stripePages(this.gateway, 'invoicePayments.list', (s, cursor) =>
      s.invoicePayments.list({ status: 'paid', created, ...cursor }),
    )) {
      for (const payment of page) if (payment.status === 'paid') buffer.push(paymentRow(payment));
      if (buffer.length >= query.pageSize) {
        yield buffer;
        buffer = [];
      }
    }
    if (buffer.length > 0) yield buffer;
  }
}

function creditNoteRow(note: Stripe.CreditNote): BillingDocumentRow {
  const taxes = note.total_taxes ?? null;
  return {
    kind: 'credit_note',
    documentId: note.id,
    invoiceId: idOf(note.invoice),
    customerId: idOf(note.customer),
    totalMinor: String(note.total),
    taxMinor: taxes ? String(taxes.reduce((sum, t) => sum + t.amount, 0)) : null,
    currency: note.currency.toUpperCase(),
    date: isoDay(note.effective_at ?? note.created),
  };
}

function paymentRow(payment: Stripe.InvoicePayment): BillingDocumentRow {
  return {
    kind: 'payment',
    documentId: payment.id,
    invoiceId: idOf(payment.invoice),
    customerId: null,
    totalMinor: String(payment.amount_paid ?? 0),
    taxMinor: null,
    currency: payment.currency.toUpperCase(),
    date: isoDay(payment.status_transitions.paid_at ?? payment.created),
  };
}

function toItemRows(sub: Stripe.Subscription): SubscriptionItemRow[] {
  return sub.items.data.map((item) => ({
    subscriptionId: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    contractId: sub.metadata[CONTRACT_KEY] ?? null,
    itemId: item.id,
    lineId: item.metadata[LINE_KEY] ?? null,
    priceId: item.price.id,
    quantity: item.quantity ?? 1,
    unitAmountMinor: item.price.unit_amount === null ? null : String(item.price.unit_amount),
    currency: item.price.currency.toUpperCase(),
    interval: item.price.recurring?.interval ?? null,
    currentPeriodStart: isoDay(item.current_period_start),
    currentPeriodEnd: isoDay(item.current_period_end),
    startDate: isoDay(sub.start_date),
  }));
}
