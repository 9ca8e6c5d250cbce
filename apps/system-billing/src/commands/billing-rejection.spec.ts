import { BusinessError, ConnectionError, createEnvelope, TransientError } from '@revline/messaging';
import { MetricsService } from '@revline/observability';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { classifyStripeError, StripeGateway } from '../stripe/stripe-gateway';
import type { StripeRateLimiter } from '../stripe/stripe-rate-limiter';
import { StripeConfig } from '../stripe/stripe.config';
import { toBillingRejection } from './billing-rejection';

const missingPrice = () =>
  new Stripe.errors.StripeInvalidRequestError({
    type: 'invalid_request_error',
    code: 'resource_missing',
    param: 'price',
    statusCode: 404,
    message: "No such price: 'price_seat_monthly'",
  });

function gateway(): StripeGateway {
  const config = Object.assign(new StripeConfig(), { STRIPE_ATTEMPTS: 2, STRIPE_RETRY_BASE_MS: 1 });
  // The limiter's pacing is specified against Redis in stripe-rate-limiter.int-spec.ts; here every call has a slot.
  const unlimited = { acquire: () => Promise.resolve() } as unknown as StripeRateLimiter;
  return new StripeGateway(config, unlimited, new MetricsService());
}

describe('classifying Stripe failures', () => {
  it('a 4xx refusing the request (unknown price, invalid parameter, card, idempotency) is business', () => {
    expect(classifyStripeError(missingPrice())).toBe('business');
    expect(
      classifyStripeError(new Stripe.errors.StripeCardError({ message: 'declined', statusCode: 402 })),
    ).toBe('business');
    expect(
      classifyStripeError(
        new Stripe.errors.StripeIdempotencyError({ message: 'other params', statusCode: 400 }),
      ),
    ).toBe('business');
  });

  it('a refused key or permission is the connection, whatever the request', () => {
    expect(
      classifyStripeError(
        new Stripe.errors.StripeAuthenticationError({ message: 'Invalid API Key', statusCode: 401 }),
      ),
    ).toBe('connection');
    expect(
      classifyStripeError(
        new Stripe.errors.StripePermissionError({ message: 'restricted key', statusCode: 403 }),
      ),
    ).toBe('connection');
  });

  it('a rate limit, a 5xx or a network error is transient; anything not from Stripe is unknown', () => {
    expect(
      classifyStripeError(new Stripe.errors.StripeRateLimitError({ message: 'slow down', statusCode: 429 })),
    ).toBe('transient');
    expect(classifyStripeError(new Stripe.errors.StripeAPIError({ message: 'oops', statusCode: 500 }))).toBe(
      'transient',
    );
    expect(classifyStripeError(new Stripe.errors.StripeConnectionError({ message: 'ECONNREFUSED' }))).toBe(
      'transient',
    );
    expect(classifyStripeError(new Error('bug'))).toBe('unknown');
  });
});

describe('the Stripe gateway', () => {
  it('turns a business refusal into a BusinessError keeping Stripe code, message and status, with no retry', async () => {
    const g = gateway();
    let calls = 0;
    const error = await g
      .call('prices.retrieve', () => {
        calls += 1;
        return Promise.reject(missingPrice());
      })
      .catch((e: unknown) => e);
    g.onApplicationShutdown();
    expect(calls).toBe(1);
    expect(error).toBeInstanceOf(BusinessError);
    expect((error as BusinessError).details).toMatchObject({
      code: 'resource_missing',
      vendorMessage: "No such price: 'price_seat_monthly'",
      httpStatus: 404,
      param: 'price',
    });
  });

  it('a refused key is a ConnectionError at once; a 5xx still failing after the attempts is one too', async () => {
    const g = gateway();
    const auth = await g
      .call('customers.create', () =>
        Promise.reject(
          new Stripe.errors.StripeAuthenticationError({ message: 'Invalid API Key', statusCode: 401 }),
        ),
      )
      .catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(ConnectionError);
    expect((auth as ConnectionError).connection).toBe('stripe');
    let calls = 0;
    const down = await g
      .call('customers.create', () => {
        calls += 1;
        return Promise.reject(new Stripe.errors.StripeAPIError({ message: 'down', statusCode: 503 }));
      })
      .catch((e: unknown) => e);
    expect(calls).toBe(2);
    expect(down).toBeInstanceOf(ConnectionError);
    const limited = await g
      .call('customers.create', () =>
        Promise.reject(new Stripe.errors.StripeRateLimitError({ message: 'slow down', statusCode: 429 })),
      )
      .catch((e: unknown) => e);
    g.onApplicationShutdown();
    expect(limited).toBeInstanceOf(TransientError);
    expect(limited).not.toBeInstanceOf(ConnectionError);
  });
});

describe('the billing.rejected answering a refused command', () => {
  const envelope = createEnvelope(
    'billing.apply-contract-change',
    {
      contractId: '801000000000001AAA',
      changeKind: 'create',
      customer: { name: 'Acme', crmAccountId: '001000000000001AAA' },
      currency: 'USD',
      effectiveDate: '2026-01-01',
      items: [{ priceId: 'price_seat_monthly', quantity: '10', lineId: 'l1' }],
      prorationBehavior: 'always_invoice',
    },
    { idempotencyKey: 'saga:e1:billing', correlationId: 'c1' },
  );

  it("carries Stripe's own code, type, message, status and parameter, and the command it answers", () => {
    const error = new BusinessError(
      'billing_rejected',
      "Stripe refused prices.retrieve: No such price: 'x'",
      {
        stripeType: 'invalid_request_error',
        code: 'resource_missing',
        param: 'price',
        vendorMessage: "No such price: 'x'",
        httpStatus: 404,
      },
    );
    expect(toBillingRejection(envelope, error)).toEqual({
      commandIdempotencyKey: 'saga:e1:billing',
      command: 'billing.apply-contract-change',
      contractId: '801000000000001AAA',
      errorCode: 'resource_missing',
      errorType: 'invalid_request_error',
      message: "No such price: 'x'",
      httpStatus: 404,
      field: 'price',
    });
  });

  it("a command Revline cannot send as it is answers with Revline's category and message", () => {
    const error = new BusinessError(
      'schema_violation',
      'items[0].quantity must be a whole number, was "1.5"',
    );
    expect(toBillingRejection(envelope, error)).toMatchObject({
      errorCode: 'schema_violation',
      errorType: 'revline',
      message: 'items[0].quantity must be a whole number, was "1.5"',
    });
  });
});
