import { DomainError } from '@revline/http';
import Stripe from 'stripe';

/**
 * The Stripe API version Revline reads: the stripe SDK's pinned version. Every request the SDK makes names it,
 * the webhook endpoint is registered with it, and an event rendered in another version (the account's default, or
 * an endpoint's older one) is re-read through the API before anything is read from it.
 */
export const STRIPE_API_VERSION: string = Stripe.API_VERSION;

/**
 * An event in another API version whose object Revline cannot re-read at STRIPE_API_VERSION: refused (409), never
 * read in a shape Revline was not written for. Stripe (or the poller) tries it again.
 */
export class StripeApiVersionMismatch extends DomainError {
  constructor(
    event: { id: string; type: string; api_version?: string | null },
    objectType: string,
    reason: string,
  ) {
    super(
      409,
      `Stripe event ${event.id} (${event.type}) is rendered in API version ${event.api_version ?? 'none'}, ` +
        `not ${STRIPE_API_VERSION} which Revline reads, and its ${objectType} could not be re-read: ${reason}. ` +
        `Register the webhook endpoint with api_version ${STRIPE_API_VERSION}.`,
      [{ field: 'api_version', problem: 'version_mismatch' }],
    );
  }
}
