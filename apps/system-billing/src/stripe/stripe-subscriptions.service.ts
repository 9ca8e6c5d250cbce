import { Injectable } from '@nestjs/common';
import type { ContractChange, ContractChangeResult } from '@revline/billing-port';
import type { BillingDocumentPayload } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import {
  contractMetadata,
  currentPhaseItems,
  itemDiff,
  itemIdsOf,
  licensedPeriod,
  newItems,
  phaseItems,
  phasesEndingAt,
} from './contract-change.plans';
import { IssuingInvoices } from './issuing-invoices';
import { RequestLedger } from './request-ledger';
import { StripeCustomers } from './stripe-customers.service';
import { StripeGateway } from './stripe-gateway';
import { idOf, startOfDay, stripeKey } from './stripe-keys';
import type { PricedChange } from './stripe-prices.service';
import { StripePrices } from './stripe-prices.service';
import { invoiceDocument } from '../webhooks/stripe-event-announcements';

/** Stripe subscriptions and subscription schedules: a contract's booking, amendments, renewals and cancellation. */
/**
 * Stripe's subscription schedule phases anchor their billing cycle on the phase start or automatically, never on a
 * given date: a bill-cycle day cannot go through a schedule (a ramp, or a start the billing clock has not reached).
 */
function refuseScheduledAnchor(change: PricedChange): void {
  if (change.firstCycleDate === undefined) return;
  throw new BusinessError(
    'billing_rejected',
    `Contract ${change.contractId} has a bill-cycle day (first cycle date ${change.firstCycleDate}) and ramp steps or a future start; Stripe subscription schedules cannot anchor on a given date`,
    { contractId: change.contractId },
  );
}

@Injectable()
export class StripeSubscriptions {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly customers: StripeCustomers,
    private readonly prices: StripePrices,
    private readonly issuing: IssuingInvoices,
  ) {}

  async applyContractChange(requested: ContractChange, key: string): Promise<ContractChangeResult> {
    const change = await this.prices.withPrices(requested, key);
    const customerId = await this.customers.customerFor(change);
    const at = startOfDay(change.effectiveDate);
    switch (change.kind) {
      case 'create':
        return this.create(change, key, customerId, at);
      case 'amend':
      case 'renew':
        return this.amend(change, key, customerId, at);
      case 'cancel':
        return this.cancel(change, key, customerId, at);
    }
  }

  /** Sends a subscription update under its idempotency key and answers the change's result. */
  private updates(
    subscriptionId: string,
    customerId: string,
  ): (params: Stripe.SubscriptionUpdateParams, idempotencyKey: string) => Promise<ContractChangeResult> {
    return (params, idempotencyKey) =>
      this.gateway
        .call('subscriptions.update', (s) =>
          s.subscriptions.update(subscriptionId, params, { idempotencyKey }),
        )
        .then(async (sub) => this.summary(sub, customerId, await this.issued(sub, idempotencyKey)));
  }

  /**
   * Finalises the invoice a change raised when Stripe left it a draft: Stripe finalises a new subscription's first
   * invoice an hour after it raised it when the subscription sends its invoices (`send_invoice`), and a contract
   * change is invoiced when it is made. Under its own idempotency key, derived from the change's, so a retried
   * change (whose Stripe answer replays the draft) finalises it once. Needs `latest_invoice` expanded.
   */
  private async issued(
    sub: Stripe.Subscription,
    idempotencyKey: string,
  ): Promise<BillingDocumentPayload | undefined> {
    const invoice = sub.latest_invoice;
    if (typeof invoice !== 'object' || invoice === null || invoice.status !== 'draft' || !invoice.id)
      return undefined;
    if (invoice.billing_reason !== 'subscription_create' && invoice.billing_reason !== 'subscription_update')
      return undefined;
    const id = invoice.id;
    this.issuing.begin(id);
    const finalized = await this.gateway.call('invoices.finalizeInvoice', (s) =>
      s.invoices.finalizeInvoice(id, {}, { idempotencyKey: `${idempotencyKey}_finalize` }),
    );
    // The issued invoice goes with the change's answer when every line is in hand (an invoice shows its first
    // lines inline); otherwise Stripe's notice of it announces it, its lines read in full.
    if (finalized.status !== 'open' || finalized.lines.has_more) return undefined;
    const at = finalized.status_transitions.finalized_at ?? finalized.created;
    return invoiceDocument(finalized, new Date(at * 1000).toISOString());
  }

  private summary(
    sub: Stripe.Subscription,
    customerId: string,
    invoice?: BillingDocumentPayload,
  ): ContractChangeResult {
    return {
      ...(invoice ? { invoice } : {}),
      customerId,
      subscriptionId: sub.id,
      status: sub.status,
      itemIds: itemIdsOf(sub),
      ...(idOf(sub.latest_invoice) ? { invoiceId: idOf(sub.latest_invoice) ?? undefined } : {}),
      ...(idOf(sub.schedule) ? { scheduleId: idOf(sub.schedule) ?? undefined } : {}),
    };
  }

  private async create(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const now = await this.customers.billingNow(customerId);
    if (change.rampSteps.length > 0 || at > now) {
      refuseScheduledAnchor(change);
      const steps = [{ startDate: change.effectiveDate, items: change.items }, ...change.rampSteps];
      const schedule = await this.ledger.once(
        stripeKey(key, 'schedule'),
        'subscriptionSchedules.create',
        () =>
          Promise.resolve({
            customer: customerId,
            start_date: at > now ? at : ('now' as const),
            end_behavior: 'release' as const,
            metadata: contractMetadata(change),
            // `expand` is a request parameter: the SDK sends nothing it finds in the request options. The
            // subscription's first invoice comes with it, finalised here if Stripe left it a draft (see issued).
            expand: ['subscription.latest_invoice'],
            phases: steps.map((step, i) => {
              const next = steps.at(i + 1);
              return {
                items: phaseItems(step.items),
                // A ramp step mid-period is prorated as the command asks (invoiced at once for a booking).
                proration_behavior: change.proration,
                ...(next ? { end_date: startOfDay(next.startDate) } : {}),
              };
            }),
          }),
        (params, idempotencyKey) =>
          this.gateway
            .call('subscriptionSchedules.create', (s) =>
              s.subscriptionSchedules.create(params, { idempotencyKey }),
            )
            .then((created) => this.scheduleSummary(created, customerId, idempotencyKey)),
      );
      return schedule;
    }
    return this.ledger.once(
      stripeKey(key, 'subscription'),
      'subscriptions.create',
      () =>
        Promise.resolve({
          customer: customerId,
          items: newItems(change.items),
          collection_method: 'send_invoice' as const,
          days_until_due: 30,
          proration_behavior: change.proration,
          metadata: contractMetadata(change),
          ...(at < now ? { backdate_start_date: at } : {}),
          // The first full period starts on the bill-cycle day; Stripe invoices the prorated stub before it.
          ...(change.firstCycleDate ? { billing_cycle_anchor: startOfDay(change.firstCycleDate) } : {}),
          // The first invoice comes with the answer, finalised here if Stripe left it a draft (see issued).
          expand: ['latest_invoice'],
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.create', (s) => s.subscriptions.create(params, { idempotencyKey }))
          .then(async (sub) => this.summary(sub, customerId, await this.issued(sub, idempotencyKey))),
    );
  }

  private async scheduleSummary(
    schedule: Stripe.SubscriptionSchedule,
    customerId: string,
    idempotencyKey: string,
  ): Promise<ContractChangeResult> {
    const subId = idOf(schedule.subscription);
    if (!subId)
      return {
        customerId,
        subscriptionId: '',
        status: schedule.status,
        itemIds: {},
        scheduleId: schedule.id,
      };
    const sub =
      typeof schedule.subscription === 'object' && schedule.subscription !== null
        ? schedule.subscription
        : await this.gateway.call('subscriptions.retrieve', (s) =>
            s.subscriptions.retrieve(subId, { expand: ['latest_invoice'] }),
          );
    return {
      ...this.summary(sub, customerId, await this.issued(sub, idempotencyKey)),
      scheduleId: schedule.id,
    };
  }

  private async subscriptionOf(change: ContractChange): Promise<Stripe.Subscription> {
    const id = change.subscriptionId ?? (await this.customers.link(change.contractId))?.subscriptionId;
    if (!id)
      throw new BusinessError(
        'unknown_contract',
        `Contract ${change.contractId} has no billing subscription yet`,
        {
          contractId: change.contractId,
        },
      );
    return this.gateway.call('subscriptions.retrieve', (s) => s.subscriptions.retrieve(id));
  }

  private async amend(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const current = await this.subscriptionOf(change);
    const now = await this.customers.billingNow(customerId);
    const periodStart = licensedPeriod(current)?.start ?? now;
    if (at > now) return this.futureChange(change, key, customerId, current, at, periodStart);
    const scheduleId = idOf(current.schedule);
    // A renewal carries the subscription on past a cancellation set before. On a subscription a schedule manages,
    // Stripe refuses cancellation fields on the subscription: the schedule releases it at its end instead.
    if (change.kind === 'renew' && scheduleId) await this.releaseAtEnd(scheduleId, key);
    return this.ledger.once(
      stripeKey(key, 'update'),
      'subscriptions.update',
      () =>
        Promise.resolve({
          items: itemDiff(current.items.data, change.items),
          proration_behavior: change.proration,
          proration_date: Math.max(at, periodStart),
          metadata: contractMetadata(change),
          ...(change.kind === 'renew' && !scheduleId ? { cancel_at_period_end: false } : {}),
          // The invoice of the change comes with the answer, finalised here if Stripe left it a draft (see issued).
          expand: ['latest_invoice'],
        }),
      this.updates(current.id, customerId),
    );
  }

  /** A change dated in the future: a schedule on the subscription with a phase starting on that date. */
  private async futureChange(
    change: PricedChange,
    key: string,
    customerId: string,
    current: Stripe.Subscription,
    at: number,
    periodStart: number,
  ): Promise<ContractChangeResult> {
    const scheduleId =
      idOf(current.schedule) ??
      (
        await this.ledger.once(
          stripeKey(key, 'schedule'),
          'subscriptionSchedules.create',
          () => Promise.resolve({ from_subscription: current.id }),
          (params, idempotencyKey) =>
            this.gateway
              .call('subscriptionSchedules.create', (s) =>
                s.subscriptionSchedules.create(params, { idempotencyKey }),
              )
              .then((schedule) => ({ id: schedule.id })),
        )
      ).id;
    const currentItems = currentPhaseItems(current);
    const steps = [{ startDate: change.effectiveDate, items: change.items }, ...change.rampSteps];
    await this.ledger.once(
      stripeKey(key, 'phases'),
      'subscriptionSchedules.update',
      () =>
        Promise.resolve({
          proration_behavior: change.proration,
          metadata: contractMetadata(change),
          ...(change.kind === 'renew' ? { end_behavior: 'release' as const } : {}),
          phases: [
            { start_date: periodStart, end_date: at, items: currentItems },
            ...steps.map((step, i) => {
              const next = steps.at(i + 1);
              return {
                start_date: startOfDay(step.startDate),
                items: phaseItems(step.items),
                ...(next ? { end_date: startOfDay(next.startDate) } : {}),
              };
            }),
          ],
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptionSchedules.update', (s) =>
            s.subscriptionSchedules.update(scheduleId, params, { idempotencyKey }),
          )
          .then((schedule) => ({ id: schedule.id })),
    );
    // Nothing is invoiced now: the change's invoice is the one the billing platform raises on its date.
    const summary = this.summary(current, customerId);
    delete summary.invoiceId;
    return { ...summary, scheduleId };
  }

  private async cancel(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const current = await this.subscriptionOf(change);
    if (current.status === 'canceled') return this.summary(current, customerId);
    const now = await this.customers.billingNow(customerId);
    const periodEnd = licensedPeriod(current)?.end ?? now;
    const scheduleId = idOf(current.schedule);
    if (scheduleId)
      return this.cancelThroughSchedule(change, key, customerId, current, scheduleId, {
        at,
        now,
        periodEnd,
      });
    if (at <= now) {
      return this.ledger.once(
        stripeKey(key, 'cancel'),
        'subscriptions.cancel',
        () =>
          Promise.resolve({
            prorate: change.proration !== 'none',
            invoice_now: change.proration === 'always_invoice',
          }),
        async (params) => {
          const sub = await this.gateway.call('subscriptions.cancel', (s) =>
            s.subscriptions.cancel(current.id, params),
          );
          return this.summary(sub, customerId);
        },
      );
    }
    return this.ledger.once(
      stripeKey(key, 'cancel_at'),
      'subscriptions.update',
      () =>
        Promise.resolve(
          at >= periodEnd
            ? { cancel_at_period_end: true, proration_behavior: change.proration }
            : { cancel_at: at, proration_behavior: change.proration },
        ),
      this.updates(current.id, customerId),
    );
  }

  /**
   * Cancels a subscription a schedule manages (a ramp, a future-dated change): Stripe refuses `cancel_at` and
   * `cancel_at_period_end` on it, so the schedule does it. Now: the schedule is cancelled with its subscription.
   * Later: the schedule's phases end on the date (at period end when the date is at or past it, as without a
   * schedule) and the schedule then cancels the subscription.
   */
  private async cancelThroughSchedule(
    change: PricedChange,
    key: string,
    customerId: string,
    current: Stripe.Subscription,
    scheduleId: string,
    when: { at: number; now: number; periodEnd: number },
  ): Promise<ContractChangeResult> {
    if (when.at <= when.now) {
      return this.ledger.once(
        stripeKey(key, 'schedule_cancel'),
        'subscriptionSchedules.cancel',
        () =>
          Promise.resolve({
            prorate: change.proration !== 'none',
            invoice_now: change.proration === 'always_invoice',
          }),
        async (params, idempotencyKey) => {
          await this.gateway.call('subscriptionSchedules.cancel', (s) =>
            s.subscriptionSchedules.cancel(scheduleId, params, { idempotencyKey }),
          );
          const sub = await this.gateway.call('subscriptions.retrieve', (s) =>
            s.subscriptions.retrieve(current.id),
          );
          return this.summary(sub, customerId);
        },
      );
    }
    const end = Math.min(when.at, when.periodEnd);
    await this.ledger.once(
      stripeKey(key, 'schedule_end'),
      'subscriptionSchedules.update',
      async () => {
        const schedule = await this.gateway.call('subscriptionSchedules.retrieve', (s) =>
          s.subscriptionSchedules.retrieve(scheduleId),
        );
        return {
          end_behavior: 'cancel' as const,
          proration_behavior: change.proration,
          phases: phasesEndingAt(schedule.phases, end, when.now),
        };
      },
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptionSchedules.update', (s) =>
            s.subscriptionSchedules.update(scheduleId, params, { idempotencyKey }),
          )
          .then((schedule) => ({ id: schedule.id })),
    );
    const summary = this.summary(current, customerId);
    delete summary.invoiceId;
    return { ...summary, scheduleId };
  }

  /** A schedule set to cancel its subscription at its end releases it instead (a renewal). */
  private async releaseAtEnd(scheduleId: string, key: string): Promise<void> {
    await this.ledger.once(
      stripeKey(key, 'schedule_release_at_end'),
      'subscriptionSchedules.update',
      () => Promise.resolve({ end_behavior: 'release' as const }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptionSchedules.update', (s) =>
            s.subscriptionSchedules.update(scheduleId, params, { idempotencyKey }),
          )
          .then((schedule) => ({ id: schedule.id })),
    );
  }
}
