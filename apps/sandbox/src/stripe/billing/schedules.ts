import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type {
  Interval,
  Metadata,
  ProrationBehavior,
  SchedulePhase,
  SubscriptionSchedule,
} from '../state/types';
import type { ItemChange } from './subscriptions';
import { isMetered, refuseMeteredQuantity, Subscriptions } from './subscriptions';
import { addInterval } from './time';

export interface PhaseInput {
  /** A licensed price's quantity (1 when not given); none on a metered price. */
  items: Array<{ price: string; quantity?: number; metadata: Metadata }>;
  startDate?: number;
  endDate?: number;
  iterations?: number;
  duration?: { interval: Interval; count: number };
  prorationBehavior?: ProrationBehavior;
  metadata: Metadata;
}

/** Subscription schedules: phases applied to a subscription at their start dates (ramps, future-dated changes). */
@Injectable()
export class Schedules {
  constructor(
    private readonly store: StripeStore,
    private readonly subscriptions: Subscriptions,
  ) {}

  get(id: string): SubscriptionSchedule {
    const schedule = this.store.schedules.get(id);
    if (!schedule) throw StripeApiError.noSuch('subscription_schedule', id);
    return schedule;
  }

  create(input: {
    customer?: string;
    fromSubscription?: string;
    startDate?: number | 'now';
    endBehavior: 'release' | 'cancel';
    phases?: PhaseInput[];
    metadata: Metadata;
  }): SubscriptionSchedule {
    if (input.fromSubscription) {
      const sub = this.subscriptions.get(input.fromSubscription);
      if (sub.schedule)
        throw StripeApiError.state(`Subscription ${sub.id} is already attached to a schedule.`);
      const period = this.subscriptions.period(sub);
      const now = this.store.nowFor(sub.customer);
      const schedule = this.blank(sub.customer, input.endBehavior, input.metadata, now);
      schedule.subscription = sub.id;
      schedule.status = 'active';
      schedule.phases = [
        {
          start_date: period.start,
          end_date: period.end,
          items: sub.items.data.map((i) => ({
            price: i.price.id,
            ...(i.quantity === undefined ? {} : { quantity: i.quantity }),
            metadata: i.metadata,
          })),
          proration_behavior: 'create_prorations',
          metadata: {},
        },
      ];
      sub.schedule = schedule.id;
      this.refreshCurrentPhase(schedule, now);
      this.store.schedules.set(schedule.id, schedule);
      this.store.emit('subscription_schedule.created', schedule, now);
      return schedule;
    }
    if (!input.customer) throw StripeApiError.missing('customer');
    if (!this.store.customers.has(input.customer))
      throw StripeApiError.noSuch('customer', input.customer, 'customer');
    if (!input.phases || input.phases.length === 0) throw StripeApiError.missing('phases');
    const now = this.store.nowFor(input.customer);
    const start = input.startDate === undefined || input.startDate === 'now' ? now : input.startDate;
    const schedule = this.blank(input.customer, input.endBehavior, input.metadata, now);
    schedule.phases = this.buildPhases(input.phases, start);
    this.store.schedules.set(schedule.id, schedule);
    this.store.emit('subscription_schedule.created', schedule, now);
    if (start <= now) this.startSubscription(schedule, start);
    return schedule;
  }

  private blank(
    customer: string,
    endBehavior: 'release' | 'cancel',
    metadata: Metadata,
    now: number,
  ): SubscriptionSchedule {
    return {
      id: stripeId('sub_sched'),
      object: 'subscription_schedule',
      created: now,
      livemode: false,
      customer,
      subscription: null,
      status: 'not_started',
      end_behavior: endBehavior,
      phases: [],
      current_phase: null,
      metadata,
      released_at: null,
      canceled_at: null,
      completed_at: null,
      test_clock: this.store.clockOfCustomer(customer),
    };
  }

  buildPhases(inputs: PhaseInput[], start: number): SchedulePhase[] {
    let cursor = start;
    return inputs.map((input, index) => {
      const phaseStart = index === 0 ? (input.startDate ?? start) : cursor;
      const price = this.subscriptions.price(
        input.items[0]?.price ?? '',
        `phases[${index}][items][0][price]`,
      );
      const recurring = price.recurring ?? { interval: 'month' as const, interval_count: 1 };
      const end =
        input.endDate ??
        (input.duration
          ? addInterval(phaseStart, input.duration.interval, input.duration.count)
          : undefined) ??
        (input.iterations !== undefined
          ? addInterval(phaseStart, recurring.interval, recurring.interval_count * input.iterations)
          : index === inputs.length - 1
            ? null
            : undefined);
      if (end === undefined) throw StripeApiError.missing(`phases[${index}][end_date]`);
      if (end !== null && end <= phaseStart)
        throw StripeApiError.invalid(
          `phases[${index}][end_date]`,
          'The phase end date must be after its start date.',
        );
      cursor = end ?? phaseStart;
      const items = input.items.map((item, i) => {
        const itemPrice = this.subscriptions.price(item.price, `phases[${index}][items][${i}][price]`);
        refuseMeteredQuantity(itemPrice, item.quantity, `phases[${index}][items][${i}]`);
        return isMetered({ price: itemPrice }) ? item : { ...item, quantity: item.quantity ?? 1 };
      });
      return {
        start_date: phaseStart,
        end_date: end,
        items,
        proration_behavior: input.prorationBehavior ?? 'create_prorations',
        metadata: input.metadata,
      };
    });
  }

  /** Replaces the phases; a change to the phase in effect applies to the subscription now. */
  update(
    id: string,
    phases: PhaseInput[] | undefined,
    prorationBehavior: ProrationBehavior | undefined,
    metadata?: Metadata,
    endBehavior?: 'release' | 'cancel',
  ): SubscriptionSchedule {
    const schedule = this.get(id);
    if (schedule.status !== 'active' && schedule.status !== 'not_started')
      throw StripeApiError.state(`You cannot update a subscription schedule that is ${schedule.status}.`);
    if (endBehavior) schedule.end_behavior = endBehavior;
    const now = this.store.nowFor(schedule.customer);
    if (phases) {
      const current = this.currentIndex(schedule, now);
      const start = phases[0]?.startDate ?? schedule.phases.at(0)?.start_date ?? now;
      const next = this.buildPhases(phases, start);
      const before = current >= 0 ? schedule.phases[current] : undefined;
      schedule.phases = next;
      const after = next.find((p) => p.start_date <= now && (p.end_date === null || p.end_date > now));
      if (
        schedule.subscription &&
        before &&
        after &&
        JSON.stringify(before.items) !== JSON.stringify(after.items)
      )
        this.applyPhase(schedule, after, now, prorationBehavior ?? after.proration_behavior);
    }
    if (metadata) schedule.metadata = metadata;
    this.refreshCurrentPhase(schedule, now);
    this.store.emit('subscription_schedule.updated', schedule, now);
    return schedule;
  }

  release(id: string): SubscriptionSchedule {
    const schedule = this.get(id);
    const now = this.store.nowFor(schedule.customer);
    this.finish(schedule, now, 'released');
    return schedule;
  }

  cancel(id: string, options: { invoiceNow: boolean; prorate: boolean }): SubscriptionSchedule {
    const schedule = this.get(id);
    if (schedule.status !== 'active' && schedule.status !== 'not_started')
      throw StripeApiError.state(`You cannot cancel a subscription schedule that is ${schedule.status}.`);
    const now = this.store.nowFor(schedule.customer);
    if (schedule.subscription) {
      const sub = this.subscriptions.get(schedule.subscription);
      if (sub.status !== 'canceled') this.subscriptions.end(sub, now, options);
    }
    this.finish(schedule, now, 'canceled');
    return schedule;
  }

  private finish(
    schedule: SubscriptionSchedule,
    at: number,
    status: 'released' | 'canceled' | 'completed',
  ): void {
    if (schedule.subscription) {
      const sub = this.store.subscriptions.get(schedule.subscription);
      if (sub) sub.schedule = null;
    }
    schedule.status = status;
    if (status === 'released') schedule.released_at = at;
    if (status === 'canceled') schedule.canceled_at = at;
    if (status === 'completed') schedule.completed_at = at;
    schedule.current_phase = null;
    this.store.emit(`subscription_schedule.${status}`, schedule, at);
  }

  private currentIndex(schedule: SubscriptionSchedule, at: number): number {
    return schedule.phases.findIndex((p) => p.start_date <= at && (p.end_date === null || p.end_date > at));
  }

  private refreshCurrentPhase(schedule: SubscriptionSchedule, at: number): void {
    const phase = schedule.phases.at(this.currentIndex(schedule, at));
    if (this.currentIndex(schedule, at) < 0) {
      schedule.current_phase = null;
      return;
    }
    schedule.current_phase = phase ? { start_date: phase.start_date, end_date: phase.end_date } : null;
  }

  private startSubscription(schedule: SubscriptionSchedule, at: number): void {
    const phase = schedule.phases.at(0);
    if (!phase) return;
    const sub = this.subscriptions.create({
      customer: schedule.customer,
      items: phase.items,
      startDate: at,
      prorationBehavior: phase.proration_behavior,
      collectionMethod: 'send_invoice',
      daysUntilDue: 30,
      metadata: schedule.metadata,
      description: null,
      cancelAtPeriodEnd: false,
      schedule: schedule.id,
    });
    schedule.subscription = sub.id;
    schedule.status = 'active';
    this.refreshCurrentPhase(schedule, at);
  }

  private applyPhase(
    schedule: SubscriptionSchedule,
    phase: SchedulePhase,
    at: number,
    behavior: ProrationBehavior,
  ): void {
    if (!schedule.subscription) return;
    const sub = this.subscriptions.get(schedule.subscription);
    const changes: ItemChange[] = [];
    const wanted = new Map(phase.items.map((i) => [i.price, i]));
    for (const item of sub.items.data) {
      const target = wanted.get(item.price.id);
      if (!target) changes.push({ id: item.id, deleted: true });
      else if (target.quantity !== item.quantity) changes.push({ id: item.id, quantity: target.quantity });
      wanted.delete(item.price.id);
    }
    for (const item of wanted.values())
      changes.push({ price: item.price, quantity: item.quantity, metadata: item.metadata });
    if (changes.length === 0) return;
    const previous = { items: structuredClone(sub.items) };
    this.subscriptions.applyItems(sub, changes, at, this.subscriptions.period(sub), at, {
      prorationBehavior: behavior,
      resetAnchor: false,
    });
    this.store.emit('customer.subscription.updated', sub, at, previous);
  }

  /** The next time this schedule acts: its start, or the end of the phase in effect. */
  nextBoundary(schedule: SubscriptionSchedule): number | null {
    if (schedule.status === 'not_started') return schedule.phases[0]?.start_date ?? null;
    if (schedule.status !== 'active') return null;
    return schedule.current_phase?.end_date ?? null;
  }

  /** Acts at `at`: starts the subscription, moves to the next phase, or ends the schedule after the last one. */
  processBoundary(schedule: SubscriptionSchedule, at: number): void {
    if (schedule.status === 'not_started') {
      this.startSubscription(schedule, at);
      return;
    }
    const next = schedule.phases.find((p) => p.start_date === at);
    if (next) {
      this.applyPhase(schedule, next, at, next.proration_behavior);
      schedule.current_phase = { start_date: next.start_date, end_date: next.end_date };
      this.store.emit('subscription_schedule.updated', schedule, at);
      return;
    }
    if (schedule.end_behavior === 'cancel' && schedule.subscription) {
      const sub = this.subscriptions.get(schedule.subscription);
      // Ending inside a billing period credits the unused time as the last phase prorates.
      const prorate = (schedule.phases.at(-1)?.proration_behavior ?? 'create_prorations') !== 'none';
      if (sub.status !== 'canceled') this.subscriptions.end(sub, at, { invoiceNow: false, prorate });
      this.finish(schedule, at, 'completed');
    } else {
      this.finish(schedule, at, 'released');
    }
  }
}
