import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { StripeGateway } from '../stripe/stripe-gateway';
import type { StripeConfig } from '../stripe/stripe.config';
import type { StripeWebhookEndpoints } from '../webhooks/stripe-webhook-endpoints';
import type { WebhookSignatureLog } from '../webhooks/webhook-signature-log';
import { StripeChecks } from './stripe-checks';

/** The stream check alone: its result once the checklist has run against a Stripe that answers `session`. */
async function streamCheck(
  config: Partial<StripeConfig>,
  session: () => Promise<{ expires_at: string }>,
): Promise<{ status: string; detail: string; fix?: string } | undefined> {
  const stripe = {
    v2: { billing: { meterEventSession: { create: session } } },
    prices: { list: () => Promise.resolve({ data: [] }) },
    webhookEndpoints: { list: () => Promise.resolve({ data: [], has_more: false }) },
  } as unknown as Stripe;
  const gateway = {
    call: (_operation: string, fn: (s: Stripe) => Promise<unknown>) => fn(stripe),
  } as unknown as StripeGateway;
  const checks = new StripeChecks(
    gateway,
    { STRIPE_HOST: 'api.stripe.com', stripeMode: () => 'test', secrets: () => [], ...config } as StripeConfig,
    {} as StripeWebhookEndpoints,
    { read: () => Promise.resolve({ refusedSinceVerified: 0 }) } as unknown as WebhookSignatureLog,
  );
  const report = await checks.run([]);
  return report.checks.find((c) => c.id === 'stripe.meter-event-stream');
}

const granted = () => Promise.resolve({ expires_at: '2026-12-06T17:15:00.000Z' });

describe('the preflight check of the meter event stream', () => {
  it('is not on the checklist while usage goes as v1 meter events', async () => {
    expect(await streamCheck({ STRIPE_METER_EVENT_STREAM: 'off' }, granted)).toBeUndefined();
  });

  it('passes when the account grants a session and refusals are read', async () => {
    const check = await streamCheck(
      { STRIPE_METER_EVENT_STREAM: 'on', STRIPE_METER_ERRORS_POLL_MS: 30_000 },
      granted,
    );
    expect(check).toMatchObject({
      status: 'pass',
      detail:
        'a meter event session granted until 2026-12-06T17:15:00.000Z; refusals read from /v2/core/events every 30000 ms',
    });
  });

  it('fails when refusals reported later would never be read', async () => {
    const check = await streamCheck(
      { STRIPE_METER_EVENT_STREAM: 'on', STRIPE_METER_ERRORS_POLL_MS: 0 },
      granted,
    );
    expect(check?.status).toBe('fail');
    expect(check?.fix).toMatch(/^Set STRIPE_METER_ERRORS_POLL_MS/);
  });

  it('fails, saying to turn the stream off, when the account refuses meter event sessions', async () => {
    const check = await streamCheck(
      { STRIPE_METER_EVENT_STREAM: 'on', STRIPE_METER_ERRORS_POLL_MS: 30_000 },
      () =>
        Promise.reject(new BusinessError('billing_rejected', 'This API is not enabled for your account', {})),
    );
    expect(check).toMatchObject({ status: 'fail', detail: 'This API is not enabled for your account' });
    expect(check?.fix).toMatch(/set STRIPE_METER_EVENT_STREAM=off/);
  });
});
