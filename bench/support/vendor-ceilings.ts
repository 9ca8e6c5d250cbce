/**
 * The bookings per second each vendor limit allows, from the limits in force and the requests a booking was
 * measured to make: a limit is a request rate, and a booking spends so many of its requests.
 * - NetSuite: the account's concurrency over each request's latency (requests/s), over its requests a booking.
 * - Stripe: the account's rate over its requests a booking, and an endpoint's rate over the requests a booking
 *   makes to the endpoint it calls most.
 * - Salesforce: the daily allocation spread over the day's seconds, less what the idle background (change capture's
 *   polls) spends of it, over its requests a booking.
 */

export interface VendorLimits {
  netsuite: { concurrency: number; latencyMs: number };
  stripe: { perSecond: number; perEndpointPerSecond: number };
  salesforce: { dailyAllocation: number; backgroundPerSecond: number };
}

/** Requests to one Stripe endpoint (`POST /v1/customers`). */
export interface EndpointRequests {
  endpoint: string;
  requests: number;
}

export interface RequestsPerBooking {
  netsuite: number;
  stripe: number;
  /** The Stripe endpoint a booking calls most, and how many times. */
  stripeBusiestEndpoint: EndpointRequests;
  salesforce: number;
}

export type LimitName = 'netsuite' | 'stripe' | 'stripeEndpoint' | 'salesforce';

export interface Ceilings {
  /** Bookings per second each limit allows; null where a booking spends none of it (no bound). */
  perSecond: Record<LimitName, number | null>;
  /** The limit that binds first, or null when none binds. */
  tightest: { limit: LimitName; perSecond: number } | null;
}

const SECONDS_A_DAY = 86_400;

/** Bookings a second that `requestsPerSecond` allows at `requestsPerBooking` each (null: no bound). */
function bound(requestsPerSecond: number, requestsPerBooking: number): number | null {
  if (!(requestsPerBooking > 0) || !Number.isFinite(requestsPerSecond)) return null;
  return Math.max(0, requestsPerSecond) / requestsPerBooking;
}

export function vendorCeilings(limits: VendorLimits, requests: RequestsPerBooking): Ceilings {
  const { netsuite, stripe, salesforce } = limits;
  const perSecond: Record<LimitName, number | null> = {
    netsuite: bound(
      netsuite.latencyMs > 0 ? netsuite.concurrency / (netsuite.latencyMs / 1000) : Number.POSITIVE_INFINITY,
      requests.netsuite,
    ),
    stripe: bound(stripe.perSecond, requests.stripe),
    stripeEndpoint: bound(stripe.perEndpointPerSecond, requests.stripeBusiestEndpoint.requests),
    salesforce: bound(
      salesforce.dailyAllocation / SECONDS_A_DAY - salesforce.backgroundPerSecond,
      requests.salesforce,
    ),
  };
  let tightest: Ceilings['tightest'] = null;
  for (const [limit, ceiling] of Object.entries(perSecond) as Array<[LimitName, number | null]>)
    if (ceiling !== null && (tightest === null || ceiling < tightest.perSecond))
      tightest = { limit, perSecond: ceiling };
  return { perSecond, tightest };
}

/** Throughput as a share of the tightest ceiling (null when no limit binds). */
export function shareOfCeiling(bookingsPerSecond: number, ceilings: Ceilings): number | null {
  if (ceilings.tightest === null || ceilings.tightest.perSecond <= 0) return null;
  return bookingsPerSecond / ceilings.tightest.perSecond;
}

/** The endpoint with the most requests in `byEndpoint`, and its count (none: an empty name and 0). */
export function busiest(byEndpoint: Readonly<Record<string, number>>): EndpointRequests {
  let top: EndpointRequests = { endpoint: '', requests: 0 };
  for (const [endpoint, requests] of Object.entries(byEndpoint))
    if (requests > top.requests) top = { endpoint, requests };
  return top;
}
