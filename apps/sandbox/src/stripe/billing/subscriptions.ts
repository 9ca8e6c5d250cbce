import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { Metadata, Price, ProrationBehavior, Subscription, SubscriptionItem } from '../state/types';
import type { NewLine } from './invoicing';
import { Invoicing } from './invoicing';
import { amountFor } from './pricing';
import type { ItemState } from './proration';
import { prorationLines } from './proration';
import { automaticTax, refuseUnspecifiedTaxBehavior } from './tax';
import { addInterval, periodContaining, stripeDate } from './time';

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
  /** Flexible unless asked otherwise, as from API version 2025-09-30.clover. */
  billingMode?: Subscription['billing_mode']['type'];
  /** `automatic_tax[enabled]`: every price then needs a tax behaviour. */
  automaticTax?: boolean;
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
  automaticTax?: boolean;
}

/** True for an item on a metered price: billed in arrears from its meter, never by quantity. */
export function isMetered(item: { price: Price }): boolean {
  return item.price.recurring?.usage_type === 'metered';
}

/**
 * Stripe refuses a quantity on a metered price ("Quantity should not be specified where usage_type is `metered`"):
 * the meter says how much was used.
 */
export function refuseMeteredQuantity(price: Price, quantity: number | undefined, item: string): void {
  if (price.recurring?.usage_type === 'metered' && quantity !== undefined)
    throw StripeApiError.invalid(
      `${item}[quantity]`,
      `Quantity should not be specified where usage_type is \`metered\`. Remove quantity from \`${item}\`.`,
    );
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

  /**
   * The subscription's billing period for changes and cancellation: its licensed items' (the first one's), or the
   * first item's when all are metered. Items of another interval (flexible billing mode) keep periods of their own.
   */
  period(sub: Subscription): { start: number; end: number } {
    const item = sub.items.data.find((i) => !isMetered(i)) ?? sub.items.data.at(0);
    return item
      ? { start: item.current_period_start, end: item.current_period_end }
      : { start: sub.start_date, end: sub.start_date };
  }

  /** When the subscription next renews an item: the earliest end of its items' periods. */
  nextRenewal(sub: Subscription): number {
    const ends = sub.items.data.map((i) => i.current_period_end);
    return ends.length > 0 ? Math.min(...ends) : this.period(sub).end;
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
    const billingMode = input.billingMode ?? 'flexible';
    if (
      billingMode === 'classic' &&
      prices.some((p) => p.recurring?.interval !== interval || p.recurring.interval_count !== interval_count)
    )
      throw StripeApiError.invalid(
        'items',
        'All prices on a subscription must have the same recurring interval.',
      );
    input.items.forEach((item, i) => {
      if (prices[i]) refuseMeteredQuantity(prices[i], item.quantity, `items[${i}]`);
    });
    if (input.automaticTax) refuseUnspecifiedTaxBehavior(prices);
    const anchor = input.billingCycleAnchor ?? start;
    // Each item's first period: to the anchor when it is later, else one of its own price's interval.
    const firstPeriod = (price: Price) => ({
      start,
      end:
        anchor > start
          ? anchor
          : addInterval(start, price.recurring?.interval ?? interval, price.recurring?.interval_count ?? 1),
    });
    customer.currency ??= first.currency;
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
      billing_mode: { type: billingMode },
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
      automatic_tax: automaticTax(input.automaticTax ?? false),
    };
    sub.items.data = input.items.map((item, i) => {
      const price = prices[i] ?? first;
      return this.newItem(sub, price, item, firstPeriod(price), now);
    });
    this.store.subscriptions.set(id, sub);
    this.store.emit('customer.subscription.created', sub, now);
    const prorateFirst = anchor > start && input.prorationBehavior !== 'none';
    // Licensed items are invoiced in advance; metered ones bill their usage at the end of each of their periods.
    const lines = sub.items.data
      .filter((item) => !isMetered(item))
      .map((item) => {
        const full = amountFor(item.price, item.quantity ?? 1);
        const periodEnd = item.current_period_end;
        const fullEnd = addInterval(
          start,
          item.price.recurring?.interval ?? interval,
          item.price.recurring?.interval_count ?? 1,
        );
        const amount = prorateFirst ? Math.round((full * (periodEnd - start)) / (fullEnd - start)) : full;
        return this.line(item, amount, { start, end: periodEnd }, false);
      });
    if (anchor > start && !prorateFirst) return sub;
    const invoice = this.invoicing.draftForSubscription(sub, lines, 'subscription_create', now, {
      pending: false,
    });
    // Stripe finalises a new subscription's first invoice at once when it charges automatically; one it sends
    // (send_invoice) stays a draft and finalises an hour later (automatically_finalizes_at), unless finalised sooner.
    if (sub.collection_method === 'send_invoice') return sub;
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
    const quantity = isMetered({ price }) ? undefined : (change.quantity ?? 1);
    if (quantity !== undefined && quantity < 0)
      throw StripeApiError.invalid('quantity', 'Quantity must be zero or more.');
    return {
      id: stripeId('si'),
      object: 'subscription_item',
      created: now,
      livemode: false,
      subscription: sub.id,
      price,
      ...(quantity === undefined ? {} : { quantity }),
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
      description: `${item.quantity ?? 1} × ${this.productName(item.price)} (at ${formatUnit(item.price)})`,
      price: item.price,
      quantity: item.quantity ?? 1,
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
    if (input.automaticTax ?? sub.automatic_tax.enabled)
      refuseUnspecifiedTaxBehavior(this.pricesAfter(sub, input.items ?? []));
    const previous: Record<string, unknown> = {};
    if (input.automaticTax !== undefined && input.automaticTax !== sub.automatic_tax.enabled) {
      previous.automatic_tax = sub.automatic_tax;
      sub.automatic_tax = automaticTax(input.automaticTax);
    }
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

  /** The prices a subscription would bill once `changes` apply. */
  private pricesAfter(sub: Subscription, changes: readonly ItemChange[]): Price[] {
    const replaced = new Set(changes.filter((c) => c.id && (c.deleted || c.price)).map((c) => c.id));
    return [
      ...sub.items.data.filter((item) => !replaced.has(item.id)).map((item) => item.price),
      ...changes.flatMap((c, i) =>
        c.deleted || !c.price ? [] : [this.price(c.price, `items[${i}][price]`)],
      ),
    ];
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
    const state = (i: SubscriptionItem): ItemState => ({
      itemId: i.id,
      price: i.price,
      quantity: i.quantity ?? 0,
    });
    const before = new Map<string, ItemState>(sub.items.data.map((i) => [i.id, state(i)]));
    for (const [index, change] of changes.entries()) {
      if (change.id) {
        const item = sub.items.data.find((i) => i.id === change.id);
        if (!item) throw StripeApiError.noSuch('subscription item', change.id, `items[${index}][id]`);
        if (change.deleted) {
          sub.items.data = sub.items.data.filter((i) => i.id !== change.id);
          continue;
        }
        const price = change.price ? this.price(change.price, `items[${index}][price]`) : item.price;
        refuseMeteredQuantity(price, change.quantity, `items[${index}]`);
        item.price = price;
        if (isMetered(item)) delete item.quantity;
        else if (change.quantity !== undefined) item.quantity = change.quantity;
        else item.quantity ??= 1;
        if (change.metadata) item.metadata = { ...item.metadata, ...change.metadata };
      } else {
        const price = this.price(change.price ?? '', `items[${index}][price]`);
        if (sub.items.data.some((i) => i.price.id === price.id))
          throw StripeApiError.invalid(
            `items[${index}][price]`,
            `Cannot add multiple subscription items with the same price: ${price.id}.`,
          );
        refuseMeteredQuantity(price, change.quantity, `items[${index}]`);
        this.checkInterval(sub, price, `items[${index}][price]`);
        sub.items.data.push(this.newItem(sub, price, change, this.periodFor(sub, price, period, at), now));
      }
    }
    const behavior = options.prorationBehavior;
    const lines: NewLine[] = [];
    if (options.resetAnchor) {
      if (behavior !== 'none') {
        for (const state of before.values()) {
          lines.push(
            ...this.toLines(prorationLines(state, undefined, at, period, (p) => this.productName(p))),
          );
        }
      }
      for (const item of sub.items.data) {
        const recurring = item.price.recurring;
        const newPeriod = {
          start: at,
          end: addInterval(at, recurring?.interval ?? 'month', recurring?.interval_count ?? 1),
        };
        item.current_period_start = newPeriod.start;
        item.current_period_end = newPeriod.end;
        if (!isMetered(item))
          lines.push(this.line(item, amountFor(item.price, item.quantity ?? 1), newPeriod, false));
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
    const after = new Map<string, ItemState>(sub.items.data.map((i) => [i.id, state(i)]));
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

  /** A classic-mode subscription takes only prices of its interval; a flexible one takes any. */
  private checkInterval(sub: Subscription, price: Price, param: string): void {
    const first = sub.items.data.at(0)?.price.recurring;
    if (sub.billing_mode.type !== 'classic' || !first) return;
    if (
      price.recurring?.interval !== first.interval ||
      price.recurring.interval_count !== first.interval_count
    )
      throw StripeApiError.invalid(
        param,
        'All prices on a subscription must have the same recurring interval.',
      );
  }

  /**
   * The first period of an item added at `at`: the subscription's when its price has that interval, else its own
   * interval's period containing `at`, counted from the billing cycle anchor.
   */
  private periodFor(
    sub: Subscription,
    price: Price,
    period: { start: number; end: number },
    at: number,
  ): { start: number; end: number } {
    const recurring = price.recurring;
    const licensed = sub.items.data.find((i) => !isMetered(i))?.price.recurring;
    if (!recurring || !licensed) return period;
    if (recurring.interval === licensed.interval && recurring.interval_count === licensed.interval_count)
      return period;
    return periodContaining(sub.billing_cycle_anchor, recurring.interval, recurring.interval_count, at);
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
    const usage = this.usageLines(sub, sub.items.data, at);
    if (options.prorate && at < period.end) {
      for (const item of sub.items.data) {
        const state = { itemId: item.id, price: item.price, quantity: item.quantity ?? 0 };
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

  /**
   * The end of an item's period: the items whose period ends then renew, on one invoice (a licensed item's next
   * period in advance, a metered item's usage of the period ended), or a subscription set to cancel ends. With
   * items of different intervals (flexible billing mode) each renews on its own cycle; the subscription's period
   * (its licensed items') decides when it ends.
   */
  renew(sub: Subscription): void {
    const period = this.period(sub);
    const at = this.nextRenewal(sub);
    if (
      at >= period.end &&
      (sub.cancel_at_period_end || (sub.cancel_at !== null && sub.cancel_at <= period.end))
    ) {
      this.end(sub, sub.cancel_at !== null && sub.cancel_at < period.end ? sub.cancel_at : period.end, {
        invoiceNow: false,
        prorate: false,
      });
      return;
    }
    const due = sub.items.data.filter((item) => item.current_period_end <= at);
    const usage = this.usageLines(sub, due, at);
    const previous = { items: structuredClone(sub.items) };
    for (const item of due) {
      const recurring = item.price.recurring;
      item.current_period_start = item.current_period_end;
      item.current_period_end = addInterval(
        item.current_period_start,
        recurring?.interval ?? 'month',
        recurring?.interval_count ?? 1,
      );
    }
    const lines = due
      .filter((item) => !isMetered(item))
      .map((item) =>
        this.line(
          item,
          amountFor(item.price, item.quantity ?? 1),
          { start: item.current_period_start, end: item.current_period_end },
          false,
        ),
      );
    this.store.emit('customer.subscription.updated', sub, at, previous);
    this.invoicing.draftForSubscription(sub, [...usage, ...lines], 'subscription_cycle', at, {
      pending: true,
    });
  }

  /**
   * Metered items among `items`: the meter's events of each item's current period up to `until` aggregated into one
   * usage line per item.
   */
  usageLines(sub: Subscription, items: readonly SubscriptionItem[], until: number): NewLine[] {
    const lines: NewLine[] = [];
    for (const item of items) {
      const meterId = item.price.recurring?.meter;
      if (!isMetered(item) || !meterId) continue;
      const period = { start: item.current_period_start, end: Math.min(until, item.current_period_end) };
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
