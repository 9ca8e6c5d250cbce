import type Stripe from 'stripe';
import type { StripeGateway } from './stripe-gateway';

/** Stripe's largest list page. */
export const STRIPE_PAGE_LIMIT = 100;

/**
 * Every page of a Stripe list, walked with `starting_after` as Stripe's auto-pagination walks it, but with each page
 * fetched through the gateway: its breaker, and its retries with backoff on 429s and 5xx, hold for page 40 of an
 * export as for page 1 (the SDK's own iterator fetches the next pages itself, with the client's retries, which the
 * gateway turns off). `startingAfter`: resume after that object (the first page of an embedded list already read).
 */
export async function* stripePages<T extends { id: string }>(
  gateway: StripeGateway,
  operation: string,
  list: (stripe: Stripe, page: { limit: number; starting_after?: string }) => Promise<Stripe.ApiList<T>>,
  startingAfter?: string,
): AsyncGenerator<T[]> {
  let after = startingAfter;
  for (;;) {
    const cursor = after;
    const page = await gateway.call(operation, (s) =>
      list(s, { limit: STRIPE_PAGE_LIMIT, ...(cursor ? { starting_after: cursor } : {}) }),
    );
    if (page.data.length > 0) yield page.data;
    after = page.data.at(-1)?.id;
    if (!page.has_more || !after) return;
  }
}

/** Every object of a Stripe list, one by one (see stripePages). */
export async function* stripeList<T extends { id: string }>(
  gateway: StripeGateway,
  operation: string,
  list: (stripe: Stripe, page: { limit: number; starting_after?: string }) => Promise<Stripe.ApiList<T>>,
): AsyncGenerator<T> {
  for await (const page of stripePages(gateway, operation, list)) yield* page;
}
