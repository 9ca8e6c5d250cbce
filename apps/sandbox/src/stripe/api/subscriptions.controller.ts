import { Body, Delete, Get, Param } from '@nestjs/common';
import type { ItemChange } from '../billing/subscriptions';
import { Subscriptions } from '../billing/subscriptions';
import { automaticTaxParam } from '../billing/tax';
import { invoiceAnswer } from '../http/includable';
import { expand, expansions, paginate, parseRange } from '../http/list';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore } from '../state/store';
import type { ProrationBehavior, Subscription, SubscriptionItem } from '../state/types';

const BEHAVIORS: readonly ProrationBehavior[] = ['create_prorations', 'always_invoice', 'none'];

function itemChanges(p: Params): ItemChange[] | undefined {
  return p.array('items')?.map((item) => {
    const change: ItemChange = {
      id: item.string('id'),
      price: item.string('price'),
      quantity: item.int('quantity'),
      deleted: item.bool('deleted'),
      metadata: item.metadata(),
    };
    item.has('clear_usage');
    item.end();
    return change;
  });
}

/** Subscriptions and their items: create, change with proration, cancel now or at period end. */
@StripeController()
export class SubscriptionsController {
  constructor(
    private readonly store: StripeStore,
    private readonly subscriptions: Subscriptions,
  ) {}

  private out(sub: Subscription, body: unknown, query: unknown): Subscription {
    return expand(sub, expansions(body, query), (id) => this.lookup(id));
  }

  private lookup(id: string): object | undefined {
    const invoice = this.store.invoices.get(id);
    return (
      (invoice ? invoiceAnswer(invoice, []) : undefined) ??
      this.store.customers.get(id) ??
      this.store.schedules.get(id) ??
      this.store.products.get(id) ??
      this.store.testClocks.get(id)
    );
  }

  @StripePost('subscriptions')
  createSubscription(@Body() body: unknown): Subscription {
    const p = new Params(body);
    const customer = p.requiredString('customer');
    const items = itemChanges(p);
    if (!items || items.length === 0) throw StripeApiError.missing('items');
    const mode = p.object('billing_mode');
    const billingMode = mode?.oneOf('type', ['classic', 'flexible'] as const);
    mode?.end();
    const input = {
      customer,
      items,
      startDate: p.int('backdate_start_date'),
      billingCycleAnchor: p.int('billing_cycle_anchor'),
      prorationBehavior: p.oneOf('proration_behavior', BEHAVIORS) ?? 'create_prorations',
      collectionMethod:
        p.oneOf('collection_method', ['charge_automatically', 'send_invoice'] as const) ??
        'charge_automatically',
      daysUntilDue: p.int('days_until_due') ?? null,
      metadata: p.metadata() ?? {},
      description: p.string('description') ?? null,
      cancelAtPeriodEnd: p.bool('cancel_at_period_end') ?? false,
      ...(billingMode ? { billingMode } : {}),
      automaticTax: automaticTaxParam(p),
    };
    p.has('payment_behavior');
    p.has('off_session');
    p.has('default_payment_method');
    p.end();
    if (input.collectionMethod === 'send_invoice' && input.daysUntilDue === null) input.daysUntilDue = 30;
    return this.out(this.subscriptions.create(input), body, {});
  }

  @Get('subscriptions/:id')
  retrieveSubscription(@Param('id') id: string, @StripeQuery() query: unknown): Subscription {
    return this.out(this.subscriptions.get(id), {}, query);
  }

  @StripePost('subscriptions/:id')
  updateSubscription(@Param('id') id: string, @Body() body: unknown): Subscription {
    const p = new Params(body);
    const current = this.subscriptions.get(id);
    const cancelAt = p.string('cancel_at');
    const metadata = p.metadata();
    const input = {
      items: itemChanges(p),
      prorationBehavior: p.oneOf('proration_behavior', BEHAVIORS) ?? 'create_prorations',
      prorationDate: p.int('proration_date'),
      resetAnchor: p.oneOf('billing_cycle_anchor', ['now', 'unchanged'] as const) === 'now',
      cancelAtPeriodEnd: p.bool('cancel_at_period_end'),
      cancelAt: cancelAt === undefined ? undefined : cancelAt === '' ? null : Number(cancelAt),
      metadata: metadata ? mergeMetadata(current.metadata, metadata) : undefined,
      description: p.string('description'),
      automaticTax: automaticTaxParam(p),
    };
    p.has('payment_behavior');
    p.end();
    if (current.schedule && (input.cancelAt !== undefined || input.cancelAtPeriodEnd !== undefined))
      throw StripeApiError.state(
        `The subscription is managed by the subscription schedule \`${current.schedule}\`, and updating any cancelation behavior directly is not allowed. Please update the schedule instead.`,
      );
    return this.out(this.subscriptions.update(id, input), body, {});
  }

  @Delete('subscriptions/:id')
  cancelSubscription(@Param('id') id: string, @StripeQuery() query: unknown): Subscription {
    const q = new Params(query);
    const options = { invoiceNow: q.bool('invoice_now') ?? false, prorate: q.bool('prorate') ?? false };
    q.has('cancellation_details');
    q.end();
    return this.out(this.subscriptions.cancel(id, options), {}, query);
  }

  @Get('subscriptions')
  listSubscriptions(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const customer = q.string('customer');
    const status = q.string('status');
    const price = q.string('price');
    const created = parseRange(q, 'created');
    const { list, positions } = this.store.subscriptionList.all();
    // Every subscription (as an export pages them): the cursor is found by position, not by a scan.
    const page =
      status === 'all' && !customer && !price && created.min === -Infinity && created.max === Infinity
        ? paginate(list, q, '/v1/subscriptions', positions)
        : paginate(
            this.store.subscriptionList
              .within(created)
              .filter(
                (s) =>
                  (!customer || s.customer === customer) &&
                  (status === 'all' || (status ? s.status === status : s.status !== 'canceled')) &&
                  (!price || s.items.data.some((i) => i.price.id === price)) &&
                  created.test(s.created),
              ),
            q,
            '/v1/subscriptions',
          );
    const paths = expansions({}, query)
      .filter((path) => path.startsWith('data.'))
      .map((path) => path.slice(5));
    return { ...page, data: page.data.map((s) => expand(s, paths, (id) => this.lookup(id))) };
  }

  @Get('subscription_items')
  listSubscriptionItems(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const sub = this.subscriptions.get(q.requiredString('subscription'));
    return paginate([...sub.items.data].reverse(), q, '/v1/subscription_items');
  }

  @Get('subscription_items/:id')
  retrieveSubscriptionItem(@Param('id') id: string): SubscriptionItem {
    for (const sub of this.store.subscriptions.values()) {
      const item = sub.items.data.find((i) => i.id === id);
      if (item) return item;
    }
    throw StripeApiError.noSuch('subscription_item', id);
  }

  @StripePost('subscription_items')
  createSubscriptionItem(@Body() body: unknown): SubscriptionItem {
    const p = new Params(body);
    const subId = p.requiredString('subscription');
    const change: ItemChange = {
      price: p.requiredString('price'),
      quantity: p.int('quantity'),
      metadata: p.metadata(),
    };
    const behavior = p.oneOf('proration_behavior', BEHAVIORS) ?? 'create_prorations';
    const prorationDate = p.int('proration_date');
    p.end();
    const sub = this.subscriptions.update(subId, {
      items: [change],
      prorationBehavior: behavior,
      prorationDate,
      resetAnchor: false,
    });
    const added = sub.items.data.at(-1);
    if (!added) throw StripeApiError.state('The item was not added.');
    return added;
  }

  @StripePost('subscription_items/:id')
  updateSubscriptionItem(@Param('id') id: string, @Body() body: unknown): SubscriptionItem {
    const item = this.retrieveSubscriptionItem(id);
    const p = new Params(body);
    const change: ItemChange = {
      id,
      price: p.string('price'),
      quantity: p.int('quantity'),
      metadata: p.metadata(),
    };
    const behavior = p.oneOf('proration_behavior', BEHAVIORS) ?? 'create_prorations';
    const prorationDate = p.int('proration_date');
    p.end();
    this.subscriptions.update(item.subscription, {
      items: [change],
      prorationBehavior: behavior,
      prorationDate,
      resetAnchor: false,
    });
    return this.retrieveSubscriptionItem(id);
  }

  @Delete('subscription_items/:id')
  deleteSubscriptionItem(@Param('id') id: string, @StripeQuery() query: unknown) {
    const item = this.retrieveSubscriptionItem(id);
    const q = new Params(query);
    const behavior = q.oneOf('proration_behavior', BEHAVIORS) ?? 'create_prorations';
    const prorationDate = q.int('proration_date');
    this.subscriptions.update(item.subscription, {
      items: [{ id, deleted: true }],
      prorationBehavior: behavior,
      prorationDate,
      resetAnchor: false,
    });
    return { id, object: 'subscription_item', deleted: true };
  }
}
