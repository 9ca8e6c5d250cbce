import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import { automaticTax } from './tax';
import type { Invoice, InvoiceItem, InvoiceLine, InvoicePayment, Price, Subscription } from '../state/types';

export interface NewLine {
  amount: number;
  description: string;
  price: Price;
  quantity: number;
  period: { start: number; end: number };
  proration: boolean;
  subscriptionItem: string | null;
  invoiceItem?: string;
}

const DECLINING_METHODS = new Set(['pm_card_chargeDeclined', 'pm_card_visa_chargeDeclined']);

/** Invoices: drafted from lines and pending items, finalised, paid, voided, each step an event. */
@Injectable()
export class Invoicing {
  constructor(private readonly store: StripeStore) {}

  addPendingItem(sub: Subscription, line: NewLine, at: number): InvoiceItem {
    const item: InvoiceItem = {
      id: stripeId('ii'),
      object: 'invoiceitem',
      created: at,
      livemode: false,
      customer: sub.customer,
      amount: line.amount,
      currency: sub.currency,
      description: line.description,
      invoice: null,
      period: line.period,
      proration: line.proration,
      quantity: line.quantity,
      subscription: sub.id,
      subscription_item: line.subscriptionItem,
      price: line.price.id,
      product: line.price.product,
      metadata: {},
      test_clock: sub.test_clock,
    };
    this.store.invoiceItems.set(item.id, item);
    this.store.emit('invoiceitem.created', item, at);
    return item;
  }

  /**
   * An invoice item added to a draft invoice (POST /v1/invoiceitems with `invoice`): one line of the price's unit
   * amount times the quantity, for the invoice's customer, dated now.
   */
  addItemToDraft(
    invoice: Invoice,
    item: { price: Price; quantity: number; description: string; metadata: Record<string, string> },
    at: number,
  ): InvoiceItem {
    if (invoice.status !== 'draft')
      throw StripeApiError.state(`You can only add invoice items to draft invoices.`, 'invoice');
    const amount = (item.price.unit_amount ?? 0) * item.quantity;
    const created: InvoiceItem = {
      id: stripeId('ii'),
      object: 'invoiceitem',
      created: at,
      livemode: false,
      customer: invoice.customer,
      amount,
      currency: invoice.currency,
      description: item.description,
      invoice: invoice.id,
      period: { start: at, end: at },
      proration: false,
      quantity: item.quantity,
      subscription: null,
      subscription_item: null,
      price: item.price.id,
      product: item.price.product,
      metadata: item.metadata,
      test_clock: invoice.test_clock,
    };
    this.store.invoiceItems.set(created.id, created);
    const line: NewLine = {
      amount,
      description: item.description,
      price: item.price,
      quantity: item.quantity,
      period: created.period,
      proration: false,
      subscriptionItem: null,
      invoiceItem: created.id,
    };
    invoice.lines.data.push(this.toLine(invoice, line, null));
    this.recompute(invoice);
    this.store.emit('invoiceitem.created', created, at);
    return created;
  }

  pendingItems(subscriptionId: string): NewLine[] {
    const lines: NewLine[] = [];
    for (const item of this.store.invoiceItems.values()) {
      if (item.subscription !== subscriptionId || item.invoice !== null) continue;
      const price = item.price ? this.store.prices.get(item.price) : undefined;
      if (!price) continue;
      lines.push({
        amount: item.amount,
        description: item.description,
        price,
        quantity: item.quantity,
        period: item.period,
        proration: item.proration,
        subscriptionItem: item.subscription_item,
        invoiceItem: item.id,
      });
    }
    return lines;
  }

  /** Drafts a subscription invoice; `pending` pulls the subscription's pending invoice items in too. */
  draftForSubscription(
    sub: Subscription,
    lines: NewLine[],
    billingReason: string,
    at: number,
    options: { pending: boolean; prorationDate?: number },
  ): Invoice {
    const all = options.pending ? [...this.pendingItems(sub.id), ...lines] : lines;
    const invoice = this.draft(sub.customer, sub.currency, all, billingReason, at, sub);
    if (options.prorationDate !== undefined && invoice.parent)
      invoice.parent.subscription_details.subscription_proration_date = options.prorationDate;
    for (const line of all) {
      if (!line.invoiceItem) continue;
      const item = this.store.invoiceItems.get(line.invoiceItem);
      if (item) item.invoice = invoice.id;
    }
    sub.latest_invoice = invoice.id;
    return invoice;
  }

  draft(
    customer: string,
    currency: string,
    lines: NewLine[],
    billingReason: string,
    at: number,
    sub?: Subscription,
  ): Invoice {
    const id = stripeId('in');
    const periods = lines.map((l) => l.period);
    const invoice: Invoice = {
      id,
      object: 'invoice',
      created: at,
      livemode: false,
      customer,
      currency,
      status: 'draft',
      number: null,
      billing_reason: billingReason,
      automatic_tax: automaticTax(sub?.automatic_tax.enabled ?? false),
      collection_method: sub?.collection_method ?? 'send_invoice',
      auto_advance: true,
      automatically_finalizes_at: at + 3600,
      due_date: null,
      lines: { object: 'list', data: [], has_more: false, url: `/v1/invoices/${id}/lines`, total_count: 0 },
      subtotal: 0,
      subtotal_excluding_tax: 0,
      total: 0,
      total_excluding_tax: 0,
      amount_due: 0,
      amount_paid: 0,
      amount_remaining: 0,
      amount_overpaid: 0,
      starting_balance: 0,
      ending_balance: null,
      pre_payment_credit_notes_amount: 0,
      post_payment_credit_notes_amount: 0,
      period_start: periods.length ? Math.min(...periods.map((p) => p.start)) : at,
      period_end: periods.length ? Math.max(...periods.map((p) => p.end)) : at,
      effective_at: null,
      attempted: false,
      attempt_count: 0,
      metadata: {},
      parent: sub
        ? {
            type: 'subscription_details',
            subscription_details: { subscription: sub.id, metadata: sub.metadata },
          }
        : null,
      status_transitions: {
        finalized_at: null,
        paid_at: null,
        voided_at: null,
        marked_uncollectible_at: null,
      },
      payments: { object: 'list', data: [], has_more: false, url: `/v1/invoice_payments?invoice=${id}` },
      test_clock: this.store.clockOfCustomer(customer),
      total_taxes: [],
      discounts: [],
    };
    invoice.lines.data = lines.map((line) => this.toLine(invoice, line, sub?.id ?? null));
    this.recompute(invoice);
    this.store.invoices.set(id, invoice);
    this.store.emit('invoice.created', invoice, at);
    return invoice;
  }

  private toLine(invoice: Invoice, line: NewLine, subscription: string | null): InvoiceLine {
    const fromItem = line.invoiceItem !== undefined;
    return {
      id: stripeId('il'),
      object: 'line_item',
      invoice: invoice.id,
      amount: line.amount,
      currency: invoice.currency,
      description: line.description,
      livemode: false,
      metadata: {},
      period: line.period,
      quantity: line.quantity,
      subscription,
      parent: fromItem
        ? {
            type: 'invoice_item_details',
            subscription_item_details: null,
            invoice_item_details: {
              invoice_item: line.invoiceItem ?? '',
              proration: line.proration,
              proration_details: { credited_items: null },
              subscription,
            },
          }
        : {
            type: 'subscription_item_details',
            subscription_item_details: {
              invoice_item: null,
              proration: line.proration,
              proration_details: { credited_items: null },
              subscription,
              subscription_item: line.subscriptionItem ?? '',
            },
            invoice_item_details: null,
          },
      pricing: {
        type: 'price_details',
        price_details: { price: line.price.id, product: line.price.product },
        unit_amount_decimal: line.price.unit_amount_decimal,
      },
      discountable: !line.proration,
      discounts: [],
      discount_amounts: [],
      taxes: [],
    };
  }

  recompute(invoice: Invoice): void {
    const subtotal = invoice.lines.data.reduce((sum, line) => sum + line.amount, 0);
    invoice.lines.total_count = invoice.lines.data.length;
    invoice.subtotal = subtotal;
    invoice.subtotal_excluding_tax = subtotal;
    invoice.total = subtotal;
    invoice.total_excluding_tax = subtotal;
    const due = Math.max(0, subtotal + invoice.starting_balance - invoice.pre_payment_credit_notes_amount);
    invoice.amount_due = due;
    invoice.amount_remaining = Math.max(0, due - invoice.amount_paid);
  }

  /** Draft → open: numbered, the customer's credit balance applied; an invoice with nothing due is paid at once. */
  finalize(invoice: Invoice, at: number): Invoice {
    if (invoice.status !== 'draft')
      throw StripeApiError.state(
        `This invoice is already finalized, you can't re-finalize a non-draft invoice.`,
      );
    const customer = this.store.customers.get(invoice.customer);
    if (customer) {
      if (invoice.total < 0) {
        customer.balance += invoice.total;
        invoice.starting_balance = 0;
      } else if (customer.balance < 0) {
        const applied = Math.min(-customer.balance, invoice.total);
        invoice.starting_balance = -applied;
        customer.balance += applied;
      }
      invoice.ending_balance = customer.balance;
    }
    invoice.status = 'open';
    invoice.number = this.store.nextInvoiceNumber();
    invoice.effective_at = at;
    invoice.automatically_finalizes_at = null;
    invoice.status_transitions.finalized_at = at;
    if (invoice.collection_method === 'send_invoice') invoice.due_date = at + 30 * 86_400;
    this.recompute(invoice);
    this.store.emit('invoice.finalized', invoice, at);
    if (invoice.amount_due === 0) this.markPaid(invoice, at, null);
    return invoice;
  }

  pay(invoice: Invoice, at: number, options: { outOfBand: boolean; paymentMethod?: string }): Invoice {
    if (invoice.status === 'draft') this.finalize(invoice, at);
    if (invoice.status === 'paid') throw StripeApiError.state('Invoice is already paid.');
    // An uncollectible invoice can still be paid, as Stripe allows.
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
      throw StripeApiError.state(`You cannot pay an invoice that is ${invoice.status}.`);
    invoice.attempted = true;
    invoice.attempt_count += 1;
    if (!options.outOfBand && options.paymentMethod && DECLINING_METHODS.has(options.paymentMethod)) {
      this.store.emit('invoice.payment_failed', invoice, at);
      throw new StripeApiError(402, {
        type: 'card_error',
        code: 'card_declined',
        decline_code: 'generic_decline',
        param: 'payment_method',
        message: 'Your card was declined.',
      });
    }
    this.markPaid(invoice, at, options.outOfBand ? null : stripeId('ch'));
    return invoice;
  }

  private markPaid(invoice: Invoice, at: number, charge: string | null): void {
    const payment: InvoicePayment = {
      id: stripeId('inpay'),
      object: 'invoice_payment',
      created: at,
      livemode: false,
      invoice: invoice.id,
      amount_paid: invoice.amount_remaining,
      amount_requested: invoice.amount_remaining,
      currency: invoice.currency,
      is_default: true,
      status: 'paid',
      payment: charge ? { type: 'charge', charge } : { type: 'out_of_band_payment' },
      status_transitions: { paid_at: at, canceled_at: null },
    };
    this.store.invoicePayments.set(payment.id, payment);
    invoice.payments.data.push(payment);
    invoice.amount_paid += invoice.amount_remaining;
    invoice.amount_remaining = 0;
    invoice.status = 'paid';
    invoice.status_transitions.paid_at = at;
    this.store.emit('invoice_payment.paid', payment, at);
    this.store.emit('invoice.paid', invoice, at);
  }

  void(invoice: Invoice, at: number): Invoice {
    if (invoice.status !== 'open' && invoice.status !== 'uncollectible')
      throw StripeApiError.state(
        `You can only void an open or uncollectible invoice; this one is ${invoice.status}.`,
      );
    invoice.status = 'void';
    invoice.status_transitions.voided_at = at;
    invoice.amount_remaining = 0;
    this.store.emit('invoice.voided', invoice, at);
    this.store.emit('invoice.updated', invoice, at);
    return invoice;
  }

  /** Only an open invoice can be marked uncollectible; it stays payable, and can still be voided. */
  markUncollectible(invoice: Invoice, at: number): Invoice {
    if (invoice.status !== 'open')
      throw StripeApiError.state(
        `You can only mark an open invoice as uncollectible; this one is ${invoice.status}.`,
      );
    invoice.status = 'uncollectible';
    invoice.status_transitions.marked_uncollectible_at = at;
    this.store.emit('invoice.marked_uncollectible', invoice, at);
    this.store.emit('invoice.updated', invoice, at);
    return invoice;
  }

  /** Stripe finalises an auto-advancing draft an hour after it was created. */
  autoFinalizeDue(at: number, testClock: string | null): void {
    for (const invoice of this.store.invoices.values()) {
      if (invoice.status !== 'draft' || !invoice.auto_advance || invoice.test_clock !== testClock) continue;
      if (invoice.automatically_finalizes_at !== null && invoice.automatically_finalizes_at <= at)
        this.finalize(invoice, invoice.automatically_finalizes_at);
    }
  }
}
