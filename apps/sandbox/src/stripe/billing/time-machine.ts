import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { StripeStore } from '../state/store';
import { Invoicing } from './invoicing';
import { Schedules } from './schedules';
import { Subscriptions } from './subscriptions';

const MAX_STEPS = 10_000;

/**
 * Moves billing time forward: schedule phases, cancellations, renewals (each item's, when their intervals differ)
 * and the hour-later finalisation of renewal invoices happen in time order. Real-time objects are swept every second; objects on a test clock
 * move only when their clock is advanced.
 */
@Injectable()
export class TimeMachine implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: StripeStore,
    private readonly subscriptions: Subscriptions,
    private readonly schedules: Schedules,
    private readonly invoicing: Invoicing,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.run(null, this.store.now(null));
    }, 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Processes everything due on `clock` up to `until`, earliest first; schedules act before renewals. */
  run(clock: string | null, until: number): void {
    for (let step = 0; step < MAX_STEPS; step += 1) {
      let next: { at: number; rank: number; act: () => void } | undefined;
      const consider = (at: number | null, rank: number, act: () => void) => {
        if (at === null || at > until) return;
        if (!next || at < next.at || (at === next.at && rank < next.rank)) next = { at, rank, act };
      };
      for (const schedule of this.store.schedules.values()) {
        if (schedule.test_clock !== clock) continue;
        const at = this.schedules.nextBoundary(schedule);
        consider(at, 0, () => {
          if (at !== null) this.schedules.processBoundary(schedule, at);
        });
      }
      for (const sub of this.store.subscriptions.values()) {
        if (sub.test_clock !== clock || sub.status === 'canceled') continue;
        if (sub.cancel_at !== null)
          consider(sub.cancel_at, 1, () => {
            this.subscriptions.end(sub, sub.cancel_at ?? 0, { invoiceNow: false, prorate: true });
          });
        consider(this.subscriptions.nextRenewal(sub), 2, () => {
          this.subscriptions.renew(sub);
        });
      }
      for (const invoice of this.store.invoices.values()) {
        if (invoice.test_clock !== clock || invoice.status !== 'draft' || !invoice.auto_advance) continue;
        consider(invoice.automatically_finalizes_at, 3, () => {
          this.invoicing.autoFinalizeDue(invoice.automatically_finalizes_at ?? 0, clock);
        });
      }
      if (!next) return;
      next.act();
    }
  }
}
