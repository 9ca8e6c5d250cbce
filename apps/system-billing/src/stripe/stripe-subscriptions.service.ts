import { Injectable } from '@nestjs/common';
import type { ContractChange, ContractChangeResult } from '@revline/billing-port';
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
} from './contract-change.plans';
import { RequestLedger } from './request-ledger';
import { StripeCustomers } from './stripe-customers.service';
import { StripeGateway } from './stripe-gateway';
import { idOf, startOfDay, stripeKey } from './stripe-keys';
import type { PricedChange } from './stripe-prices.service';
import { StripePrices } from './stripe-prices.service';

/** Stripe subscriptions and subscription schedules: a contract's booking, amendments, renewals and cancellation. */
@Injectable()
export class StripeSubscriptions {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly customers: StripeCustomers,
    private readonly prices: StripePrices,
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

  private summary(sub: Stripe.Subscription, customerId: string): ContractChangeResult {
    return {
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
              s.subscriptionSchedules.create(params, {
                idempotencyKey,
                expand: ['subscription'],
              } as Stripe.RequestOptions),
            )
            .then((created) => this.scheduleSummary(created, customerId)),
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
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.create', (s) => s.subscriptions.create(params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
    );
  }

  private async scheduleSummary(
    schedule: Stripe.SubscriptionSchedule,
    customerId: string,
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
    const sub = await this.gateway.call('subscriptions.retrieve', (s) => s.subscriptions.retrieve(subId));
    return { ...this.summary(sub, customerId), scheduleId: schedule.id };
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
    return this.ledger.once(
      stripeKey(key, 'update'),
      'subscriptions.update',
      () =>
        Promise.resolve({
          items: itemDiff(current.items.data, change.items),
          proration_behavior: change.proration,
          proration_date: Math.max(at, periodStart),
          metadata: contractMetadata(change),
          ...(change.kind === 'renew' ? { cancel_at_period_end: false } : {}),
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.update', (s) => s.subscriptions.update(current.id, params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
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
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.update', (s) => s.subscriptions.update(current.id, params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
    );
  }
}
