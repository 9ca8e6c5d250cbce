import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { Metadata, Price, ProrationBehavior, Subscription, SubscriptionItem } from '../state/types';
import type { NewLine } from './invoicing';
import { Invoicing } from './invoicing';
import { amountFor } from './pricing';
import type { ItemState } from './proration';
import { prorationLines } from './proration';
import { addInterval, stripeDate } from './time';

export interface ItemChange {
  id?: string;
  price?: string;
  quantity?: number;
  deleted?: boolean;
  metadata?: Metadata;
}

export interface CreateSubscription {
  customer: string;
  items: ItemChange[];
  startDate?: number;
  billingCycleAnchor?: number;
  prorationBehavior: ProrationBehavior;
  collectionMethod: Subscription['collection_method'];
  daysUntilDue: number | null;
  metadata: Metadata;
  description: string | null;
  cancelAtPeriodEnd: boolean;
  schedule?: string;
}

export interface UpdateSubscription {
  items?: ItemChange[];
  prorationBehavior: ProrationBehavior;
  prorationDate?: number;
  resetAnchor: boolean;
  cancelAtPeriodEnd?: boolean;
  cancelAt?: number | null;
  metadata?: Metadata;
  description?: string;
}

/** Subscriptions: creation with the first invoice, item changes with Stripe's proration, cancellation, renewal. */
@Injectable()
export class Subscriptions {
  constructor(
    private readonly store: StripeStore,
    private readonly invoicing: Invoicing,
  ) {}

  get(id: string): Subscription {
    const sub = this.store.subscriptions.get(id);
    if (!sub) throw StripeApiError.noSuch('subscription', id);
    return sub;
  }

  price(id: string, param: string): Price {
    const price = this.store.prices.get(id);
    if (!price) throw StripeApiError.noSuch('price', id, param);
    if (!price.recurring)
      throw StripeApiError.invalid(
        param,
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      );
    return price;
  }

  period(sub: Subscription): { start: number; end: number } {
    const item = sub.items.data.at(0);
    return item
      ? { start: item.current_period_start, end: item.current_period_end }
      : { start: sub.start_date, end: sub.start_date };
  }

  private productName(price: Price): string {
    return this.store.products.get(price.product)?.name ?? price.product;
  }

  create(input: CreateSubscription): Subscription {
    const customer = this.store.customers.get(input.customer);
    if (!customer) throw StripeApiError.noSuch('customer', input.customer, 'customer');
    if (input.items.length === 0) throw StripeApiError.missing('items');
    const now = this.store.nowFor(input.customer);
    const start = input.startDate ?? now;
    const prices = input.items.map((item, i) => this.price(item.price ?? '', `items[${i}][price]`));
    const first = prices.at(0);
    if (!first?.recurring) throw StripeApiError.missing('items[0][price]');
    const { interval, interval_count } = first.recurring;
    if (prices.some((p) => p.currency !== first.currency))
      throw StripeApiError.invalid('items', 'All prices on a subscription must have the same currency.');
    if (
      prices.some((p) => p.recurring?.interval !== interval || p.recurring.interval_count !== interval_count)
    )
      throw StripeApiError.invalid(
        'items',
        'All prices on a subscription must have the same recurring interval.',
      );
    const anchor = input.billingCycleAnchor ?? start;
    const periodEnd = anchor > start ? anchor : addInterval(start, interval, interval_count);
    const id = stripeId('sub');
    const sub: Subscription = {
      id,
      object: 'subscription',
      created: now,
      livemode: false,
      customer: input.customer,
      status: 'active',
      currency: first.currency,
      collection_method: input.collectionMethod,
      days_until_due: input.daysUntilDue,
      billing_cycle_anchor: anchor > start ? anchor : start,
      start_date: start,
      cancel_at_period_end: input.cancelAtPeriodEnd,
      cancel_at: null,
      canceled_at: null,
      ended_at: null,
      items: { object: 'list', data: [], has_more: false, url: `/v1/subscription_items?subscription=${id}` },
      latest_invoice: null,
      schedule: input.schedule ?? null,
      metadata: input.metadata,
      test_clock: customer.test_clock,
      description: input.description,
    };
    sub.items.data = input.items.map((item, i) =>
      this.newItem(sub, prices[i], item, { start, end: periodEnd }, now),
    );
    this.store.subscriptions.set(id, sub);
    this.store.emit('customer.subscription.created', sub, now);
    const prorateFirst = anchor > start && input.prorationBehavior !== 'none';
    const fullPeriod = { start, end: addInterval(start, interval, interval_count) };
    const lines = sub.items.data
      .filter((item) => item.price.recurring?.usage_type !== 'metered')
      .map((item) => {
        const full = amountFor(item.price, item.quantity);
        const amount = prorateFirst
          ? Math.round((full * (periodEnd - start)) / (fullPeriod.end - fullPeriod.start))
          : full;
        return this.line(item, amount, { start, end: periodEnd }, false);
      });
    if (anchor > start && !prorateFirst) return sub;
    const invoice = this.invoicing.draftForSubscription(sub, lines, 'subscription_create', now, {
      pending: false,
    });
    this.invoicing.finalize(invoice, now);
    this.collect(sub, invoice.id, now);
    return sub;
  }

  private newItem(
    sub: Subscription,
    price: Price,
    change: ItemChange,
    period: { start: number; end: number },
    now: number,
  ): SubscriptionItem {
    const quantity = change.quantity ?? 1;
    if (quantity < 0) throw StripeApiError.invalid('quantity', 'Quantity must be zero or more.');
    return {
      id: stripeId('si'),
      object: 'subscription_item',
      created: now,
      livemode: false,
      subscription: sub.id,
      price,
      quantity,
      metadata: change.metadata ?? {},
      current_period_start: period.start,
      current_period_end: period.end,
    };
  }

  private line(
    item: SubscriptionItem,
    amount: number,
    period: { start: number; end: number },
    proration: boolean,
  ): NewLine {
    return {
      amount,
      description: `${item.quantity} × ${this.productName(item.price)} (at ${formatUnit(item.price)})`,
      price: item.price,
      quantity: item.quantity,
      period,
      proration,
      subscriptionItem: item.id,
    };
  }

  /** Charges the customer's default payment method for a charge_automatically subscription. */
  private collect(sub: Subscription, invoiceId: string, at: number): void {
    const invoice = this.store.invoices.get(invoiceId);
    const method = this.store.customers.get(sub.customer)?.invoice_settings.default_payment_method;
    if (!invoice || invoice.status !== 'open' || sub.collection_method !== 'charge_automatically' || !method)
      return;
    try {
      this.invoicing.pay(invoice, at, { outOfBand: false, paymentMethod: method });
    } catch {
      sub.status = 'past_due';
    }
  }

  update(id: string, input: UpdateSubscription): Subscription {
    const sub = this.get(id);
    if (sub.status === 'canceled')
      throw StripeApiError.state(
        'A canceled subscription can only update its cancellation_details and metadata.',
      );
    const now = this.store.nowFor(sub.customer);
    const period = this.period(sub);
    const at = input.prorationDate ?? now;
    if (input.prorationDate !== undefined && (at < period.start || at > period.end))
      throw StripeApiError.invalid('proration_date', 'The proration date must be within the current period.');
    const previous: Record<string, unknown> = {};
    if (input.items) {
      previous.items = structuredClone(sub.items);
      this.applyItems(sub, input.items, at, period, now, input);
    }
    if (input.cancelAtPeriodEnd !== undefined) {
      previous.cancel_at_period_end = sub.cancel_at_period_end;
      sub.cancel_at_period_end = input.cancelAtPeriodEnd;
    }
    if (input.cancelAt !== undefined) {
      previous.cancel_at = sub.cancel_at;
      sub.cancel_at = input.cancelAt;
    }
    if (input.metadata) {
      previous.metadata = sub.metadata;
      sub.metadata = input.metadata;
    }
    if (input.description !== undefined) sub.description = input.description;
    this.store.emit('customer.subscription.updated', sub, now, previous);
    return sub;
  }

  /** Applies item changes at `at` (schedules call this at a phase boundary too). */
  applyItems(
    sub: Subscription,
    changes: ItemChange[],
    at: number,
    period: { start: number; end: number },
    now: number,
    options: Pick<UpdateSubscription, 'prorationBehavior' | 'resetAnchor'>,
  ): void {
    const before = new Map<string, ItemState>(
      sub.items.data.map((i) => [i.id, { itemId: i.id, price: i.price, quantity: i.quantity }]),
    );
    for (const [index, change] of changes.entries()) {
      if (change.id) {
        const item = sub.items.data.find((i) => i.id === change.id);
        if (!item) throw StripeApiError.noSuch('subscription item', change.id, `items[${index}][id]`);
        if (change.deleted) {
          sub.items.data = sub.items.data.filter((i) => i.id !== change.id);
          continue;
        }
        if (change.price) item.price = this.price(change.price, `items[${index}][price]`);
        if (change.quantity !== undefined) item.quantity = change.quantity;
        if (change.metadata) item.metadata = { ...item.metadata, ...change.metadata };
      } else {
        const price = this.price(change.price ?? '', `items[${index}][price]`);
        if (sub.items.data.some((i) => i.price.id === price.id))
          throw StripeApiError.invalid(
            `items[${index}][price]`,
            `Cannot add multiple subscription items with the same price: ${price.id}.`,
          );
        sub.items.data.push(this.newItem(sub, price, change, period, now));
      }
    }
    const behavior = options.prorationBehavior;
    const lines: NewLine[] = [];
    if (options.resetAnchor) {
      const first = sub.items.data[0]?.price.recurring;
      const newPeriod = {
        start: at,
        end: addInterval(at, first?.interval ?? 'month', first?.interval_count ?? 1),
      };
      if (behavior !== 'none') {
        for (const state of before.values()) {
          lines.push(
            ...this.toLines(prorationLines(state, undefined, at, period, (p) => this.productName(p))),
          );
        }
      }
      for (const item of sub.items.data) {
        item.current_period_start = newPeriod.start;
        item.current_period_end = newPeriod.end;
        if (item.price.recurring?.usage_type !== 'metered')
          lines.push(this.line(item, amountFor(item.price, item.quantity), newPeriod, false));
      }
      sub.billing_cycle_anchor = at;
      const invoice = this.invoicing.draftForSubscription(sub, lines, 'subscription_update', now, {
        pending: true,
        prorationDate: at,
      });
      this.invoicing.finalize(invoice, now);
      this.collect(sub, invoice.id, now);
      return;
    }
    if (behavior === 'none') return;
    const after = new Map<string, ItemState>(
      sub.items.data.map((i) => [i.id, { itemId: i.id, price: i.price, quantity: i.quantity }]),
    );
    for (const id of new Set([...before.keys(), ...after.keys()])) {
      lines.push(
        ...this.toLines(
          prorationLines(before.get(id), after.get(id), at, period, (p) => this.productName(p)),
        ),
      );
    }
    const nonZero = lines.filter((line) => line.amount !== 0);
    if (nonZero.length === 0) return;
    if (behavior === 'always_invoice') {
      const invoice = this.invoicing.draftForSubscription(sub, nonZero, 'subscription_update', now, {
        pending: true,
        prorationDate: at,
      });
      this.invoicing.finalize(invoice, now);
      this.collect(sub, invoice.id, now);
    } else {
      for (const line of nonZero) this.invoicing.addPendingItem(sub, line, now);
    }
  }

  private toLines(lines: ReturnType<typeof prorationLines>): NewLine[] {
    return lines.map((l) => ({ ...l, proration: true }));
  }

  cancel(id: string, options: { invoiceNow: boolean; prorate: boolean }): Subscription {
    const sub = this.get(id);
    if (sub.status === 'canceled') throw StripeApiError.state(`This subscription is already canceled: ${id}`);
    const now = this.store.nowFor(sub.customer);
    this.end(sub, now, options);
    return sub;
  }

  /** Ends a subscription at `at`, crediting unused time when prorating and billing what is left when asked. */
  end(sub: Subscription, at: number, options: { invoiceNow: boolean; prorate: boolean }): void {
    const period = this.period(sub);
    const usage = this.usageLines(sub, { start: period.start, end: at });
    if (options.prorate && at < period.end) {
      for (const item of sub.items.data) {
        const state = { itemId: item.id, price: item.price, quantity: item.quantity };
        for (const line of this.toLines(
          prorationLines(state, undefined, at, period, (p) => this.productName(p)),
        )) {
          if (line.amount !== 0) this.invoicing.addPendingItem(sub, line, at);
        }
      }
    }
    sub.status = 'canceled';
    sub.canceled_at = at;
    sub.ended_at = at;
    if (options.invoiceNow || usage.length > 0) {
      const pending = this.invoicing.pendingItems(sub.id);
      if (pending.length + usage.length > 0) {
        const invoice = this.invoicing.draftForSubscription(sub, usage, 'subscription_cycle', at, {
          pending: true,
        });
        this.invoicing.finalize(invoice, at);
      }
    }
    this.store.emit('customer.subscription.deleted', sub, at);
  }

  /** The end of the current period: a renewal with its invoice, or the end of a subscription set to cancel. */
  renew(sub: Subscription): void {
    const period = this.period(sub);
    const at = period.end;
    if (sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= at)) {
      this.end(sub, sub.cancel_at !== null && sub.cancel_at < at ? sub.cancel_at : at, {
        invoiceNow: false,
        prorate: false,
      });
      return;
    }
    const usage = this.usageLines(sub, period);
    const first = sub.items.data[0]?.price.recurring;
    const next = { start: at, end: addInterval(at, first?.interval ?? 'month', first?.interval_count ?? 1) };
    const previous = { items: structuredClone(sub.items) };
    for (const item of sub.items.data) {
      item.current_period_start = next.start;
      item.current_period_end = next.end;
    }
    const lines = sub.items.data
      .filter((item) => item.price.recurring?.usage_type !== 'metered')
      .map((item) => this.line(item, amountFor(item.price, item.quantity), next, false));
    this.store.emit('customer.subscription.updated', sub, at, previous);
    this.invoicing.draftForSubscription(sub, [...usage, ...lines], 'subscription_cycle', at, {
      pending: true,
    });
  }

  /** Metered items: the meter's events of the period aggregated into one usage line per item. */
  usageLines(sub: Subscription, period: { start: number; end: number }): NewLine[] {
    const lines: NewLine[] = [];
    for (const item of sub.items.data) {
      const meterId = item.price.recurring?.meter;
      if (item.price.recurring?.usage_type !== 'metered' || !meterId) continue;
      const meter = this.store.meters.get(meterId);
      if (!meter) continue;
      const values: number[] = [];
      for (const event of this.store.meterEvents.values()) {
        if (event.meter !== meterId || event.customer !== sub.customer) continue;
        if (event.timestamp < period.start || event.timestamp >= period.end) continue;
        values.push(Number(event.payload[meter.value_settings.event_payload_key] ?? '1'));
      }
      if (values.length === 0) continue;
      const formula = meter.default_aggregation.formula;
      const quantity =
        formula === 'count'
          ? values.length
          : formula === 'last'
            ? (values[values.length - 1] ?? 0)
            : values.reduce((a, b) => a + b, 0);
      lines.push({
        amount: amountFor(item.price, quantity),
        description: `${quantity} × ${this.productName(item.price)} (${stripeDate(period.start)} – ${stripeDate(period.end)})`,
        price: item.price,
        quantity,
        period,
        proration: false,
        subscriptionItem: item.id,
      });
    }
    return lines;
  }
}

function formatUnit(price: Price): string {
  if (price.billing_scheme === 'tiered') return 'tiered pricing';
  const unit = Number(price.unit_amount_decimal ?? price.unit_amount ?? 0) / 100;
  return `$${unit.toFixed(2)} / ${price.recurring?.interval ?? 'unit'}`;
}
