import type { AppDatabase } from '@revline/platform';
import { BillingTables1764300000000 } from './persistence/billing-tables.migration';
import { BILLING_ENTITIES } from './persistence/entities';
import { StripeEventsRetention1764400001620 } from './persistence/stripe-events-retention.migration';

/** The `billing` schema: the tables only system-billing reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'billing',
  entities: BILLING_ENTITIES,
  migrations: [BillingTables1764300000000, StripeEventsRetention1764400001620],
  messaging: true,
};
