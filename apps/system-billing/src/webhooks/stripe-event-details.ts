import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { StripeGateway } from '../stripe/stripe-gateway';
import { stripePages } from '../stripe/stripe-paging';

/** How each object type an event can carry is read again through the API (at the SDK's pinned version). */
const RETRIEVE: Partial<Record<string, (s: Stripe, id: string) => Promise<{ id: string }>>> = {
  invoice: (s, id) => s.invoices.retrieve(id),
  credit_note: (s, id) => s.creditNotes.retrieve(id),
  subscription: (s, id) => s.subscriptions.retrieve(id),
  subscription_schedule: (s, id) => s.subscriptionSchedules.retrieve(id),
  customer: (s, id) => s.customers.retrieve(id),
  invoice_payment: (s, id) => s.invoicePayments.retrieve(id),
  invoiceitem: (s, id) => s.invoiceItems.retrieve(id),
  price: (s, id) => s.prices.retrieve(id),
  product: (s, id) => s.products.retrieve(id),
};

/**
 * What an event leaves out and Revline needs, read from Stripe: an invoice's payments (`payments` is an
 * includable field, in no event and in no answer unless `expand[]=payments` asks for it), the lines past the
 * first handful that an invoice or a credit note shows inline, and the object itself when the event is rendered
 * in another API version.
 */
@Injectable()
export class StripeEventDetails {
  constructor(private readonly gateway: StripeGateway) {}

  /** The newest paid invoice payment; null when nothing was paid (a zero invoice); an error while unknown. */
  async paymentOf(invoiceId: string): Promise<string | null> {
    const invoice = await this.gateway.call('invoices.retrieve', (s) =>
      s.invoices.retrieve(invoiceId, { expand: ['payments'] }),
    );
    const paid = (invoice.payments?.data ?? [])
      .filter((payment) => payment.status === 'paid')
      .sort((a, b) => b.created - a.created)
      .at(0);
    if (paid) return paid.id;
    if (invoice.amount_paid === 0) return null;
    throw new Error(`Invoice ${invoiceId} is paid (${invoice.amount_paid}) but lists no paid payment yet`);
  }

  /**
   * The object as the API answers it now, at the SDK's pinned version: null when Revline has no way to read that
   * type again. A state newer than the event's is fine: events are ordered by their `created`, and the newest kept.
   */
  async reread(objectType: string, id: string): Promise<Record<string, unknown> | null> {
    const retrieve = RETRIEVE[objectType];
    if (!retrieve) return null;
    // The SDK's `lastResponse` is not enumerable: the object is stored as the JSON the API answered.
    return await this.gateway.call(`${objectType}.retrieve`, (s) => retrieve(s, id));
  }

  /** The lines of a credit note after the one given (the last it showed inline), page by page. */
  async creditNoteLinesAfter(creditNoteId: string, after?: string): Promise<Stripe.CreditNoteLineItem[]> {
    const lines: Stripe.CreditNoteLineItem[] = [];
    for await (const page of stripePages(
      this.gateway,
      'creditNotes.listLineItems',
      (s, cursor) => s.creditNotes.listLineItems(creditNoteId, cursor),
      after,
    ))
      lines.push(...page);
    return lines;
  }

  /** Every line of an invoice, page by page. */
  async linesOf(invoiceId: string): Promise<Stripe.InvoiceLineItem[]> {
    const lines: Stripe.InvoiceLineItem[] = [];
    for (;;) {
      const after = lines.at(-1)?.id;
      const page = await this.gateway.call('invoices.listLineItems', (s) =>
        s.invoices.listLineItems(invoiceId, { limit: 100, ...(after ? { starting_after: after } : {}) }),
      );
      lines.push(...page.data);
      if (!page.has_more || page.data.length === 0) return lines;
    }
  }
}
