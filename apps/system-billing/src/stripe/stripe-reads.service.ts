import { Injectable } from '@nestjs/common';
import type { InvoiceView, SubscriptionView } from '@revline/billing-port';
import type Stripe from 'stripe';
import { CONTRACT_KEY, LINE_KEY } from './contract-change.plans';
import { StripeGateway } from './stripe-gateway';
import { idOf, isoDay, money, startOfDay } from './stripe-keys';
import { stripeList } from './stripe-paging';

/** Reads of one customer's subscriptions and of a period's invoices. */
@Injectable()
export class StripeReads {
  constructor(private readonly gateway: StripeGateway) {}

  async customerSubscriptions(customerId: string): Promise<SubscriptionView[]> {
    const views: SubscriptionView[] = [];
    for await (const sub of stripeList(this.gateway, 'subscriptions.list', (s, page) =>
      s.subscriptions.list({ customer: customerId, status: 'all', ...page }),
    ))
      views.push(toSubscriptionView(sub));
    return views;
  }

  async invoicesOfPeriod(query: { from: string; to: string; customerId?: string }): Promise<InvoiceView[]> {
    const created = { gte: startOfDay(query.from), lt: startOfDay(query.to) + 86_400 };
    const customer = query.customerId ? { customer: query.customerId } : {};
    const views: InvoiceView[] = [];
    for await (const invoice of stripeList(this.gateway, 'invoices.list', (s, page) =>
      s.invoices.list({ created, ...customer, ...page }),
    ))
      if (invoice.status !== 'draft') views.push(toInvoiceView(invoice));
    return views;
  }
}

function toSubscriptionView(sub: Stripe.Subscription): SubscriptionView {
  const first = sub.items.data.at(0);
  return {
    subscriptionId: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    contractId: sub.metadata[CONTRACT_KEY] ?? null,
    currentPeriodStart: isoDay(first ? first.current_period_start : sub.start_date),
    currentPeriodEnd: isoDay(first ? first.current_period_end : sub.start_date),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    items: sub.items.data.map((item) => ({
      itemId: item.id,
      lineId: item.metadata[LINE_KEY] ?? null,
      priceId: item.price.id,
      quantity: item.quantity ?? 1,
    })),
  };
}

function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription);
}

function toInvoiceView(invoice: Stripe.Invoice): InvoiceView {
  const finalized = invoice.status_transitions.finalized_at;
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    customerId: idOf(invoice.customer) ?? '',
    subscriptionId: subscriptionOfInvoice(invoice),
    status: invoice.status ?? 'draft',
    issuedOn: finalized ? isoDay(finalized) : null,
    total: money(invoice.total, invoice.currency),
    amountDue: money(invoice.amount_due, invoice.currency),
    amountPaid: money(invoice.amount_paid, invoice.currency),
  };
}
