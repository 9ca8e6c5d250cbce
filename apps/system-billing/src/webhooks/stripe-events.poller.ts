import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { SingleInstancePoll } from './single-instance-poll';
import { StripeEventCursorEntity } from '../persistence/entities';
import { StripeGateway } from '../stripe/stripe-gateway';
import { StripeConfig } from '../stripe/stripe.config';
import { StripeEventIngest } from './stripe-events';

const CURSOR = 'stripe-events';
const OVERLAP_SECONDS = 60;
/**
 * The event types Revline reads: what the poller lists, and what the webhook endpoint is registered for. Not
 * `customer.subscription.created`: every subscription Revline bills is created by its own command, whose answer
 * carries it, and a subscription created outside Revline is reconciliation's to find; its notice would cost a
 * webhook a booking and tell nothing.
 */
export const STRIPE_EVENT_TYPES: readonly string[] = [
  'invoice.finalized',
  'invoice.paid',
  'invoice.voided',
  'invoice.marked_uncollectible',
  'credit_note.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
];

/**
 * The safety net for missed webhooks: reads /v1/events since its cursor (kept in Postgres, with an overlap so a
 * late event of the same second is not skipped) and takes each event in like a webhook; the event-id dedup makes
 * the overlap harmless. One poller at a time across instances (an advisory lock).
 */
@Injectable()
export class StripeEventsPoller extends SingleInstancePoll {
  constructor(
    dataSource: DataSource,
    private readonly gateway: StripeGateway,
    private readonly ingest: StripeEventIngest,
    private readonly config: StripeConfig,
  ) {
    super(dataSource, 'stripe-events-poller', 'Stripe events poll');
  }

  protected intervalMs(): number {
    return this.config.STRIPE_EVENTS_POLL_MS;
  }

  protected async pass(): Promise<number> {
    const repo = this.dataSource.getRepository(StripeEventCursorEntity);
    const cursor = Number((await repo.findOneBy({ name: CURSOR }))?.lastCreated ?? 0);
    const events: Stripe.Event[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.call('events.list', (s) =>
        s.events.list({
          limit: 100,
          types: [...STRIPE_EVENT_TYPES],
          created: { gte: Math.max(0, cursor - OVERLAP_SECONDS) },
          starting_after: startingAfter,
        }),
      );
      events.push(...page.data);
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data[page.data.length - 1]?.id;
    }
    const oldestFirst = events.reverse();
    const outcomes = await this.ingest.ingestAll(
      oldestFirst as unknown as Parameters<StripeEventIngest['ingestAll']>[0],
      'poller',
    );
    const taken = outcomes.filter((outcome) => outcome !== 'duplicate').length;
    const newest = oldestFirst.reduce((max, event) => Math.max(max, event.created), cursor);
    if (newest !== cursor) await repo.upsert({ name: CURSOR, lastCreated: String(newest) }, ['name']);
    return taken;
  }
}
