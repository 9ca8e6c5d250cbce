import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import type { RetentionTarget } from '@revline/messaging';
import { Retention } from '@revline/messaging';
import { DATABASE } from '../database';

/** Processed Stripe events (webhook and poller), kept RETENTION_WEBHOOK_DAYS for their deduplication. */
export const STRIPE_EVENTS_RETENTION: RetentionTarget = {
  schema: DATABASE.schema,
  table: 'stripe_events',
  column: 'received_at',
  days: (config) => config.RETENTION_WEBHOOK_DAYS,
};

/** Registers the processed Stripe events with the app's retention. */
@Injectable()
export class StripeEventsRetention implements OnModuleInit {
  constructor(private readonly retention: Retention) {}

  onModuleInit(): void {
    this.retention.register(STRIPE_EVENTS_RETENTION);
  }
}
