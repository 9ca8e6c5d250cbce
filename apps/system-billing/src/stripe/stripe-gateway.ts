import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { BusinessError, backoffWithJitter, ConnectionError, TransientError } from '@revline/messaging';
import { inClientSpan, MetricsService } from '@revline/observability';
import CircuitBreaker from 'opossum';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { StripeRateLimiter } from './stripe-rate-limiter';
import { StripeConfig } from './stripe.config';

/**
 * What the retry and the breaker need to know about a failed Stripe call: `business` a refusal of this request (a
 * 4xx other than 401, 403 and 429), `connection` a refusal of the account (bad key, missing permission) that every
 * request would meet, `transient` worth retrying.
 */
export function classifyStripeError(error: unknown): 'transient' | 'business' | 'connection' | 'unknown' {
  if (!(error instanceof Stripe.errors.StripeError)) return 'unknown';
  if (
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError ||
    error.statusCode === 401 ||
    error.statusCode === 403
  )
    return 'connection';
  if (error instanceof Stripe.errors.StripeCardError) return 'business';
  if (
    error instanceof Stripe.errors.StripeRateLimitError ||
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeAPIError ||
    (error.statusCode !== undefined && (error.statusCode >= 500 || error.statusCode === 409))
  )
    return 'transient';
  if (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeIdempotencyError
  )
    return 'business';
  return 'transient';
}

/**
 * The Stripe SDK behind one breaker per connection, with our own retries. Every attempt first waits for its slot
 * under the shared client-side rate limiter, so a burst is paced rather than refused by Stripe; transient failures (429, 5xx,
 * timeouts, resets, an idempotency key still in flight) are retried with backoff and jitter under the same
 * Idempotency-Key; card and invalid-request errors become BusinessErrors carrying Stripe's message.
 */
@Injectable()
export class StripeGateway implements OnApplicationShutdown {
  private readonly logger = new Logger('Stripe');
  readonly stripe: Stripe;
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>]>;

  constructor(
    private readonly config: StripeConfig,
    private readonly limiter: StripeRateLimiter,
    metrics: MetricsService,
  ) {
    this.stripe = new Stripe(config.STRIPE_SECRET_KEY, {
      host: config.STRIPE_HOST,
      port: config.STRIPE_PORT,
      protocol: config.STRIPE_PROTOCOL,
      timeout: config.STRIPE_TIMEOUT_MS,
      maxNetworkRetries: 0,
    });
    this.breaker = new CircuitBreaker((fn: () => Promise<unknown>) => fn(), {
      name: 'stripe',
      timeout: false,
      errorThresholdPercentage: 50,
      volumeThreshold: config.STRIPE_BREAKER_VOLUME_THRESHOLD,
      resetTimeout: config.STRIPE_BREAKER_RESET_MS,
      // A 429 says Stripe is up and pacing us: it is retried like any transient failure but never opens the circuit;
      // a refusal (business) says nothing about Stripe's health either.
      errorFilter: (error: unknown) => {
        if (error instanceof Stripe.errors.StripeRateLimitError) return true;
        const kind = classifyStripeError(error);
        return kind === 'business' || kind === 'unknown';
      },
    });
    this.breaker.on('open', () => {
      this.logger.warn('Stripe circuit opened');
    });
    this.breaker.on('close', () => {
      this.logger.log('Stripe circuit closed');
    });
    metrics.trackCircuit('stripe', this.breaker);
  }

  get circuitOpen(): boolean {
    return this.breaker.opened;
  }

  /** One Stripe operation under its CLIENT span (retries included). */
  call<T>(operation: string, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
    return inClientSpan('stripe', operation, () => this.callWithRetries(operation, fn));
  }

  private async callWithRetries<T>(operation: string, fn: (stripe: Stripe) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      // An open circuit refuses at once without spending a slot.
      if (!this.breaker.opened) await this.limiter.acquire(operation);
      try {
        return (await this.breaker.fire(() => fn(this.stripe))) as T;
      } catch (error) {
        const kind =
          this.breaker.opened && !(error instanceof Stripe.errors.StripeError)
            ? 'open'
            : classifyStripeError(error);
        if (kind === 'business') {
          const stripeError = error as InstanceType<typeof Stripe.errors.StripeError>;
          throw new BusinessError('billing_rejected', `Stripe refused ${operation}: ${stripeError.message}`, {
            stripeType: stripeError.type,
            code: stripeError.code ?? null,
            param: stripeError.param ?? null,
            declineCode: stripeError.decline_code ?? null,
            vendorMessage: stripeError.message,
            httpStatus: stripeError.statusCode ?? null,
          });
        }
        if (kind === 'connection')
          throw new ConnectionError('stripe', `Stripe refused the account: ${(error as Error).message}`, {
            cause: error,
          });
        if (kind === 'open')
          throw new ConnectionError('stripe', `Stripe circuit is open; ${operation} not attempted`, {
            cause: error,
          });
        if (attempt >= this.config.STRIPE_ATTEMPTS) {
          const rateLimited = error instanceof Stripe.errors.StripeRateLimitError;
          if (!rateLimited)
            throw new ConnectionError(
              'stripe',
              `Stripe ${operation} still failing after ${attempt} attempts: ${(error as Error).message}`,
              { cause: error },
            );
          throw new TransientError(
            `Stripe ${operation} still failing after ${attempt} attempts: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await sleep(backoffWithJitter(attempt, this.config.STRIPE_RETRY_BASE_MS, 5_000));
      }
    }
  }

  onApplicationShutdown(): void {
    this.breaker.shutdown();
  }
}
