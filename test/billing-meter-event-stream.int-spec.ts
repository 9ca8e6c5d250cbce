import type { UsageReport } from '@revline/billing-port';
import { BillingPort } from '@revline/billing-port';
import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { StripeStore } from '../apps/sandbox/src/stripe/state/store';
import { StripeRateLimiter } from '../apps/system-billing/src/stripe/stripe-rate-limiter';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';

const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * system-billing's usage reports on Stripe's v2 meter event stream, against the sandbox: batches of 100 events,
 * each request (and the session's) a slot of the shared limiter, the session token reused and renewed when Stripe
 * calls it expired.
 */
describe('usage reports through the meter event stream', () => {
  let env: BillingEnv;
  let stripe: Stripe;
  let billing: BillingPort;
  let meter: Stripe.Billing.Meter;
  let customer: Stripe.Customer;
  /** The limiter slots taken, by endpoint (the gateway's operation names). */
  const slots: string[] = [];

  const report = (count: number, prefix: string): UsageReport => ({
    meterEventName: meter.event_name,
    events: Array.from({ length: count }, (_, i) => ({
      identifier: `${prefix}-${String(i)}`,
      customerId: customer.id,
      value: '1',
      timestamp: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`,
    })),
  });
  const total = async () => {
    const summaries = await stripe.billing.meters.listEventSummaries(meter.id, {
      customer: customer.id,
      start_time: at('2026-03-01T00:00:00Z'),
      end_time: at('2026-04-01T00:00:00Z'),
    });
    return summaries.data.reduce((sum, s) => sum + s.aggregated_value, 0);
  };
  const sandboxStore = () => env.sandbox.app.get(StripeStore);
  /** Waits until the sandbox has taken in the stream's last events (it validates them after answering). */
  const takenIn = async (identifier: string) => {
    for (let i = 0; i < 100 && !sandboxStore().meterEvents.has(identifier); i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };
  const counted = (endpoint: string) => slots.filter((s) => s === endpoint).length;

  beforeAll(async () => {
    env = await startBillingEnv({ STRIPE_METER_EVENT_STREAM: 'on', STRIPE_METER_ERRORS_POLL_MS: '0' });
    stripe = env.stripe;
    billing = env.billing.app.get(BillingPort);
    const limiter = env.billing.app.get(StripeRateLimiter);
    const acquire = limiter.acquire.bind(limiter);
    vi.spyOn(limiter, 'acquire').mockImplementation(async (endpoint: string) => {
      slots.push(endpoint);
      await acquire(endpoint);
    });
    meter = await stripe.billing.meters.create({
      display_name: 'API calls',
      event_name: `api_calls_${randomUUID().slice(0, 8)}`,
      default_aggregation: { formula: 'sum' },
    });
    const clock = await stripe.testHelpers.testClocks.create({ frozen_time: at('2026-03-31T00:00:00Z') });
    customer = await stripe.customers.create({ name: 'Streamed', test_clock: clock.id });
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await env.close();
  });

  it('sends 250 events as three stream requests after one session, each a limiter slot, counted once', async () => {
    const usage = report(250, 'a');
    expect(await billing.reportUsage(usage, 'usage-a')).toEqual({ accepted: 250, duplicates: 0 });
    expect(counted('v2.billing.meterEventSession.create')).toBe(1);
    expect(counted('v2.billing.meterEventStream.create')).toBe(3);
    expect(counted('billing.meterEvents.create')).toBe(0);
    await takenIn('a-249');
    expect(await total()).toBe(250);

    // The same report again (a retried command): the same requests, the session reused, nothing counted twice.
    expect(await billing.reportUsage(usage, 'usage-a')).toEqual({ accepted: 250, duplicates: 0 });
    expect(counted('v2.billing.meterEventSession.create')).toBe(1);
    expect(counted('v2.billing.meterEventStream.create')).toBe(6);
    const marker = report(1, 'marker');
    await billing.reportUsage(marker, 'usage-marker');
    await takenIn('marker-0');
    expect(await total()).toBe(251);
    expect(sandboxStore().meterEventSessions.size).toBe(1);
  });

  it('renews a session Stripe calls expired and sends the request again', async () => {
    for (const session of sandboxStore().meterEventSessions.values())
      session.expires_at = new Date(Date.now() - 1_000).toISOString();
    const sessionsBefore = counted('v2.billing.meterEventSession.create');
    const streamsBefore = counted('v2.billing.meterEventStream.create');
    expect(await billing.reportUsage(report(10, 'b'), 'usage-b')).toEqual({ accepted: 10, duplicates: 0 });
    // The refused request, a new session, the request again: each a slot.
    expect(counted('v2.billing.meterEventSession.create') - sessionsBefore).toBe(1);
    expect(counted('v2.billing.meterEventStream.create') - streamsBefore).toBe(2);
    await takenIn('b-9');
    expect(await total()).toBe(261);
    expect(sandboxStore().meterEventSessions.size).toBe(2);
  });

  it('refuses a report whose request Stripe refuses at once, as v1 refusals are', async () => {
    const bad: UsageReport = { ...report(1, 'c'), meterEventName: '' };
    await expect(billing.reportUsage(bad, 'usage-c')).rejects.toMatchObject({
      category: 'billing_rejected',
      details: { httpStatus: 400, param: 'events[0].event_name' },
    });
  });
});
