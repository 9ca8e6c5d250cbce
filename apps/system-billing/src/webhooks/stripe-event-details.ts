import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { StripeGateway } from '../stripe/stripe-gateway';

/**
 * What an event leaves out and Revline needs, read from Stripe: an invoice's payments (`payments` is an
 * includable field, in no event and in no answer unless `expand[]=payments` asks for it) and the lines past the
 * first handful that an invoice shows inline.
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
