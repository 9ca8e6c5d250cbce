import { Body, Get, Param } from '@nestjs/common';
import type { PhaseInput } from '../billing/schedules';
import { Schedules } from '../billing/schedules';
import { expand, expansions, paginate } from '../http/list';
import { invoiceAnswer } from '../http/includable';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore } from '../state/store';
import type { ProrationBehavior, SubscriptionSchedule } from '../state/types';

const BEHAVIORS: readonly ProrationBehavior[] = ['create_prorations', 'always_invoice', 'none'];

function phases(p: Params): PhaseInput[] | undefined {
  return p.array('phases')?.map((phase) => {
    const items = (phase.array('items') ?? []).map((item) => {
      const out = {
        price: item.requiredString('price'),
        quantity: item.int('quantity'),
        metadata: item.metadata() ?? {},
      };
      item.end();
      return out;
    });
    const startDate = phase.timestampOr('start_date', ['now'] as const);
    const endDate = phase.timestampOr('end_date', ['now'] as const);
    const input: PhaseInput = {
      items,
      startDate: typeof startDate === 'number' ? startDate : undefined,
      endDate: typeof endDate === 'number' ? endDate : undefined,
      iterations: phase.int('iterations'),
      duration: duration(phase.object('duration')),
      prorationBehavior: phase.oneOf('proration_behavior', BEHAVIORS),
      metadata: phase.metadata() ?? {},
    };
    phase.end();
    if (items.length === 0) throw StripeApiError.missing(`phases[items]`);
    return input;
  });
}

function duration(p: Params | undefined): PhaseInput['duration'] {
  if (!p) return undefined;
  const interval = p.oneOf('interval', ['day', 'week', 'month', 'year'] as const);
  if (!interval) throw StripeApiError.missing('duration[interval]');
  const count = p.int('interval_count') ?? 1;
  p.end();
  return { interval, count };
}

/** Subscription schedules: phases for ramps and future-dated changes. */
@StripeController()
export class SchedulesController {
  constructor(
    private readonly store: StripeStore,
    private readonly schedules: Schedules,
  ) {}

  private out(schedule: SubscriptionSchedule, body: unknown, query: unknown): SubscriptionSchedule {
    return expand(schedule, expansions(body, query), (id) => {
      const invoice = this.store.invoices.get(id);
      return (
        (invoice ? invoiceAnswer(invoice, []) : undefined) ??
        this.store.subscriptions.get(id) ??
        this.store.customers.get(id)
      );
    });
  }

  @StripePost('subscription_schedules')
  createSchedule(@Body() body: unknown): SubscriptionSchedule {
    const p = new Params(body);
    const input = {
      customer: p.string('customer'),
      fromSubscription: p.string('from_subscription'),
      startDate: p.timestampOr('start_date', ['now'] as const),
      endBehavior: p.oneOf('end_behavior', ['release', 'cancel'] as const) ?? 'release',
      phases: phases(p),
      metadata: p.metadata() ?? {},
    };
    p.end();
    if (input.fromSubscription && (input.customer || input.phases))
      throw StripeApiError.invalid(
        'from_subscription',
        'You cannot set `customer` or `phases` together with `from_subscription`.',
      );
    return this.out(this.schedules.create(input), body, {});
  }

  @Get('subscription_schedules/:id')
  retrieveSchedule(@Param('id') id: string, @StripeQuery() query: unknown): SubscriptionSchedule {
    return this.out(this.schedules.get(id), {}, query);
  }

  @StripePost('subscription_schedules/:id')
  updateSchedule(@Param('id') id: string, @Body() body: unknown): SubscriptionSchedule {
    const p = new Params(body);
    const current = this.schedules.get(id);
    const next = phases(p);
    const behavior = p.oneOf('proration_behavior', BEHAVIORS);
    const metadata = p.metadata();
    const endBehavior = p.oneOf('end_behavior', ['release', 'cancel'] as const);
    p.end();
    return this.out(
      this.schedules.update(
        id,
        next,
        behavior,
        metadata ? mergeMetadata(current.metadata, metadata) : undefined,
        endBehavior,
      ),
      body,
      {},
    );
  }

  @StripePost('subscription_schedules/:id/release')
  releaseSchedule(@Param('id') id: string): SubscriptionSchedule {
    return this.schedules.release(id);
  }

  @StripePost('subscription_schedules/:id/cancel')
  cancelSchedule(@Param('id') id: string, @Body() body: unknown): SubscriptionSchedule {
    const p = new Params(body);
    // Both default to true, as Stripe documents them.
    const options = { invoiceNow: p.bool('invoice_now') ?? true, prorate: p.bool('prorate') ?? true };
    p.end();
    return this.out(this.schedules.cancel(id, options), body, {});
  }

  @Get('subscription_schedules')
  listSchedules(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const customer = q.string('customer');
    return paginate(
      [...this.store.schedules.values()].filter((s) => !customer || s.customer === customer),
      q,
      '/v1/subscription_schedules',
    );
  }
}
