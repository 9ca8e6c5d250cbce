import { Body, Get, Param } from '@nestjs/common';
import type { CreditNoteLineInput } from '../billing/credit-notes';
import { CreditNotes } from '../billing/credit-notes';
import { Invoicing } from '../billing/invoicing';
import { automaticTax, automaticTaxParam, refuseUnspecifiedTaxBehavior } from '../billing/tax';
import type { InvoiceAnswer } from '../http/includable';
import { creditNoteAnswer, invoiceAnswer } from '../http/includable';
import { expand, expansions, paginate, parseRange } from '../http/list';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore } from '../state/store';
import type { CreditNote, Invoice, InvoiceItem, InvoicePayment } from '../state/types';

/** Invoices (draft → open → paid / void, their lines and payments) and credit notes. */
@StripeController()
export class InvoicesController {
  constructor(
    private readonly store: StripeStore,
    private readonly invoicing: Invoicing,
    private readonly creditNotes: CreditNotes,
  ) {}

  private find(id: string): Invoice {
    const invoice = this.store.invoices.get(id);
    if (!invoice) throw StripeApiError.noSuch('invoice', id);
    return invoice;
  }

  /** The answer: expanded where asked, and without the includable `payments` unless asked for. */
  private out(
    invoice: Invoice,
    body: unknown,
    query: unknown,
    paths = expansions(body, query),
  ): InvoiceAnswer {
    return invoiceAnswer(
      expand(
        invoice,
        paths.filter((path) => path !== 'payments'),
        (id) => this.store.customers.get(id) ?? this.store.subscriptions.get(id) ?? this.store.prices.get(id),
      ),
      paths,
    );
  }

  @StripePost('invoices')
  createInvoice(@Body() body: unknown): InvoiceAnswer {
    const p = new Params(body);
    const customer = p.requiredString('customer');
    if (!this.store.customers.has(customer)) throw StripeApiError.noSuch('customer', customer, 'customer');
    const subscriptionId = p.string('subscription');
    const behavior = p.oneOf('pending_invoice_items_behavior', ['include', 'exclude'] as const) ?? 'exclude';
    const autoAdvance = p.bool('auto_advance');
    const metadata = p.metadata() ?? {};
    const taxed = automaticTaxParam(p);
    p.has('collection_method');
    p.has('days_until_due');
    p.has('description');
    p.end();
    const at = this.store.nowFor(customer);
    const sub = subscriptionId ? this.store.subscriptions.get(subscriptionId) : undefined;
    if (subscriptionId && !sub) throw StripeApiError.noSuch('subscription', subscriptionId, 'subscription');
    // A subscription's invoice takes its pending items when asked; Stripe Tax needs each one's tax behaviour.
    if (taxed && sub && behavior === 'include')
      refuseUnspecifiedTaxBehavior(
        [...this.store.invoiceItems.values()]
          .filter((item) => item.subscription === sub.id && item.invoice === null)
          .flatMap((item) => {
            const price = item.price ? this.store.prices.get(item.price) : undefined;
            return price ? [price] : [];
          }),
      );
    const invoice = sub
      ? this.invoicing.draftForSubscription(sub, [], 'manual', at, { pending: behavior === 'include' })
      : this.invoicing.draft(customer, 'usd', [], 'manual', at);
    invoice.metadata = metadata;
    invoice.auto_advance = autoAdvance ?? false;
    if (taxed !== undefined) invoice.automatic_tax = automaticTax(taxed);
    return this.out(invoice, body, {});
  }

  @Get('invoices/:id')
  retrieveInvoice(@Param('id') id: string, @StripeQuery() query: unknown): InvoiceAnswer {
    return this.out(this.find(id), {}, query);
  }

  @StripePost('invoices/:id')
  updateInvoice(@Param('id') id: string, @Body() body: unknown): InvoiceAnswer {
    const invoice = this.find(id);
    const p = new Params(body);
    invoice.metadata = mergeMetadata(invoice.metadata, p.metadata());
    const autoAdvance = p.bool('auto_advance');
    p.end();
    if (autoAdvance !== undefined) invoice.auto_advance = autoAdvance;
    this.store.emit('invoice.updated', invoice, this.store.nowFor(invoice.customer));
    return this.out(invoice, body, {});
  }

  @Get('invoices')
  listInvoices(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const customer = q.string('customer');
    const subscription = q.string('subscription');
    const status = q.string('status');
    const created = parseRange(q, 'created');
    const all = this.store.invoiceList
      .within(created)
      .filter(
        (i) =>
          (!customer || i.customer === customer) &&
          (!subscription || i.parent?.subscription_details.subscription === subscription) &&
          (!status || i.status === status) &&
          created.test(i.created),
      );
    const page = paginate(all, q, '/v1/invoices');
    const paths = expansions({}, query)
      .filter((path) => path.startsWith('data.'))
      .map((path) => path.slice(5));
    return { ...page, data: page.data.map((invoice) => this.out(invoice, {}, {}, paths)) };
  }

  @Get('invoices/:id/lines')
  listInvoiceLines(@Param('id') id: string, @StripeQuery() query: unknown) {
    const invoice = this.find(id);
    return paginate([...invoice.lines.data].reverse(), new Params(query), `/v1/invoices/${id}/lines`);
  }

  /**
   * An invoice item on a draft invoice, priced by a price (`pricing[price]`, as API versions from 2025-03-31.basil
   * name it). The sandbox asks for `invoice`: an item left pending for a customer's next invoice is not modelled.
   */
  @StripePost('invoiceitems')
  createInvoiceItem(@Body() body: unknown): InvoiceItem {
    const p = new Params(body);
    const customer = p.requiredString('customer');
    const invoice = this.find(p.requiredString('invoice'));
    if (invoice.customer !== customer)
      throw StripeApiError.invalid('invoice', `The invoice ${invoice.id} does not belong to ${customer}.`);
    const priceId = p.object('pricing')?.requiredString('price');
    if (priceId === undefined) throw StripeApiError.missing('pricing[price]');
    const price = this.store.prices.get(priceId);
    if (!price) throw StripeApiError.noSuch('price', priceId, 'pricing[price]');
    const quantity = p.int('quantity') ?? 1;
    const description = p.string('description') ?? this.store.products.get(price.product)?.name ?? '';
    const metadata = p.metadata() ?? {};
    p.end();
    const at = this.store.nowFor(customer);
    return this.invoicing.addItemToDraft(invoice, { price, quantity, description, metadata }, at);
  }

  @StripePost('invoices/:id/finalize')
  finalizeInvoice(@Param('id') id: string, @Body() body: unknown): InvoiceAnswer {
    const invoice = this.find(id);
    const p = new Params(body);
    p.has('auto_advance');
    p.end();
    return this.out(this.invoicing.finalize(invoice, this.store.nowFor(invoice.customer)), body, {});
  }

  @StripePost('invoices/:id/pay')
  payInvoice(@Param('id') id: string, @Body() body: unknown): InvoiceAnswer {
    const invoice = this.find(id);
    const p = new Params(body);
    const options = {
      outOfBand: p.bool('paid_out_of_band') ?? false,
      paymentMethod: p.string('payment_method'),
    };
    p.has('off_session');
    p.end();
    if (!options.outOfBand && !options.paymentMethod) {
      options.paymentMethod =
        this.store.customers.get(invoice.customer)?.invoice_settings.default_payment_method ?? undefined;
      if (!options.paymentMethod)
        throw StripeApiError.state(
          'This customer has no attached payment source or default payment method.',
          'payment_method',
        );
    }
    return this.out(this.invoicing.pay(invoice, this.store.nowFor(invoice.customer), options), body, {});
  }

  @StripePost('invoices/:id/void')
  voidInvoice(@Param('id') id: string, @Body() body: unknown): InvoiceAnswer {
    const invoice = this.find(id);
    new Params(body).end();
    return this.out(this.invoicing.void(invoice, this.store.nowFor(invoice.customer)), body, {});
  }

  @StripePost('invoices/:id/mark_uncollectible')
  markInvoiceUncollectible(@Param('id') id: string, @Body() body: unknown): InvoiceAnswer {
    const invoice = this.find(id);
    new Params(body).end();
    return this.out(this.invoicing.markUncollectible(invoice, this.store.nowFor(invoice.customer)), body, {});
  }

  @Get('invoice_payments')
  listInvoicePayments(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const invoice = q.string('invoice');
    const status = q.string('status');
    const created = parseRange(q, 'created').test;
    return paginate(
      [...this.store.invoicePayments.values()].filter(
        (x) => (!invoice || x.invoice === invoice) && (!status || x.status === status) && created(x.created),
      ),
      q,
      '/v1/invoice_payments',
    );
  }

  @StripePost('credit_notes')
  createCreditNote(@Body() body: unknown): CreditNote {
    const p = new Params(body);
    const lines: CreditNoteLineInput[] = (p.array('lines') ?? []).map((line) => {
      const out: CreditNoteLineInput = {
        type: line.oneOf('type', ['invoice_line_item', 'custom_line_item'] as const) ?? 'invoice_line_item',
        invoiceLineItem: line.string('invoice_line_item'),
        amount: line.int('amount'),
        quantity: line.int('quantity'),
        unitAmount: line.int('unit_amount'),
        description: line.string('description'),
      };
      line.end();
      return out;
    });
    const input = {
      invoice: p.requiredString('invoice'),
      lines,
      amount: p.int('amount'),
      reason:
        p.oneOf('reason', ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory'] as const) ??
        null,
      memo: p.string('memo') ?? null,
      metadata: p.metadata() ?? {},
      refundAmount: p.int('refund_amount'),
      outOfBandAmount: p.int('out_of_band_amount'),
    };
    p.has('credit_amount');
    p.end();
    return creditNoteAnswer(this.creditNotes.create(input));
  }

  private findCreditNote(id: string): CreditNote {
    const note = this.store.creditNotes.get(id);
    if (!note) throw StripeApiError.noSuch('credit_note', id);
    return note;
  }

  @Get('credit_notes/:id')
  retrieveCreditNote(@Param('id') id: string): CreditNote {
    return creditNoteAnswer(this.findCreditNote(id));
  }

  /** A credit note's lines, in their order, 10 a page by default (as an invoice's lines). */
  @Get('credit_notes/:id/lines')
  listCreditNoteLines(@Param('id') id: string, @StripeQuery() query: unknown) {
    const note = this.findCreditNote(id);
    return paginate([...note.lines.data].reverse(), new Params(query), `/v1/credit_notes/${id}/lines`);
  }

  @Get('invoice_payments/:id')
  retrieveInvoicePayment(@Param('id') id: string): InvoicePayment {
    const payment = this.store.invoicePayments.get(id);
    if (!payment) throw StripeApiError.noSuch('invoice_payment', id);
    return payment;
  }

  @Get('credit_notes')
  listCreditNotes(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const invoice = q.string('invoice');
    const customer = q.string('customer');
    const created = parseRange(q, 'created').test;
    const all = [...this.store.creditNotes.values()].filter(
      (c) =>
        (!invoice || c.invoice === invoice) && (!customer || c.customer === customer) && created(c.created),
    );
    const page = paginate(all, q, '/v1/credit_notes');
    return { ...page, data: page.data.map(creditNoteAnswer) };
  }

  @StripePost('credit_notes/:id/void')
  voidCreditNote(@Param('id') id: string): CreditNote {
    return creditNoteAnswer(this.creditNotes.void(id));
  }
}
