import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { SandboxProfileConfig } from '../../profile/sandbox-profile.config';
import { StripeSandboxConfig } from '../stripe-sandbox.config';

const WINDOW_MS = 1_000;

/** Stripe's `Stripe-Rate-Limited-Reason` for the limiter that refused a request. */
export type RateLimitedReason = 'global-rate' | 'endpoint-rate' | 'meter-event-stream-rate';

/** What the limiter is set to and what it did, for benches and tests. */
export interface RateLimitStats {
  enabled: boolean;
  perSecond: number;
  perEndpointPerSecond: number;
  admitted: number;
  /** Requests let through by endpoint (`POST /v1/customers`): which one a workload leans on hardest. */
  admittedByEndpoint: Record<string, number>;
  refused: Record<RateLimitedReason, number>;
}

/**
 * The times of the last `limit` requests one limiter let through: when the oldest of them is less than a second
 * old, the limiter is full. At most `limit` requests pass in any one second, however they bunch up.
 */
class SlidingWindow {
  private readonly admitted: number[];
  private oldest = 0;

  constructor(private readonly limit: number) {
    this.admitted = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY);
  }

  hasRoom(now: number): boolean {
    return now - (this.admitted[this.oldest] ?? Number.NEGATIVE_INFINITY) >= WINDOW_MS;
  }

  admit(now: number): void {
    this.admitted[this.oldest] = now;
    this.oldest = (this.oldest + 1) % this.limit;
  }
}

/**
 * Stripe's request rate limiter under the realistic profile: so many requests per second to the account in all,
 * and so many to each endpoint (one named operation, whatever the ids in its path). A refused request does not
 * count. The fast profile admits everything.
 */
@Injectable()
export class StripeRateLimiter {
  private readonly enabled: boolean;
  private readonly global: SlidingWindow;
  private readonly endpoints = new Map<string, SlidingWindow>();
  private readonly globalLimit: number;
  private readonly endpointLimit: number;
  private admitted = 0;
  private readonly admittedByEndpoint = new Map<string, number>();
  private readonly refused: Record<RateLimitedReason, number> = {
    'global-rate': 0,
    'endpoint-rate': 0,
    'meter-event-stream-rate': 0,
  };
  /** The meter event stream's own window: its requests do not count against the API's limits. */
  private readonly stream: SlidingWindow;

  constructor(config: StripeSandboxConfig, profile: SandboxProfileConfig) {
    this.enabled = profile.realistic;
    this.globalLimit = config.SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND;
    this.global = new SlidingWindow(this.globalLimit);
    this.endpointLimit = config.SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND;
    this.stream = new SlidingWindow(config.SANDBOX_STRIPE_METER_EVENT_STREAM_RATE_PER_SECOND);
  }

  stats(): RateLimitStats {
    return {
      enabled: this.enabled,
      perSecond: this.globalLimit,
      perEndpointPerSecond: this.endpointLimit,
      admitted: this.admitted,
      admittedByEndpoint: Object.fromEntries(this.admittedByEndpoint),
      refused: { ...this.refused },
    };
  }

  /** Lets a request to the endpoint (`POST /v1/customers`) through, or names the limiter that refuses it. */
  refusal(endpoint: string): RateLimitedReason | null {
    if (!this.enabled) return null;
    const now = performance.now();
    let window = this.endpoints.get(endpoint);
    if (!window) {
      window = new SlidingWindow(this.endpointLimit);
      this.endpoints.set(endpoint, window);
    }
    const reason = !this.global.hasRoom(now) ? 'global-rate' : !window.hasRoom(now) ? 'endpoint-rate' : null;
    if (reason) {
      this.refused[reason] += 1;
      return reason;
    }
    this.global.admit(now);
    window.admit(now);
    this.admitted += 1;
    this.admittedByEndpoint.set(endpoint, (this.admittedByEndpoint.get(endpoint) ?? 0) + 1);
    return null;
  }

  /** Lets a meter event stream request through, or refuses it past the stream's own limit. */
  streamRefusal(): RateLimitedReason | null {
    if (!this.enabled) return null;
    const now = performance.now();
    if (!this.stream.hasRoom(now)) {
      this.refused['meter-event-stream-rate'] += 1;
      return 'meter-event-stream-rate';
    }
    this.stream.admit(now);
    this.admitted += 1;
    const endpoint = 'POST /v2/billing/meter_event_stream';
    this.admittedByEndpoint.set(endpoint, (this.admittedByEndpoint.get(endpoint) ?? 0) + 1);
    return null;
  }
}
