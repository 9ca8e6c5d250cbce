import { RedisConfig } from '@revline/config';
import { RedisConnections, TransientError } from '@revline/messaging';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { StripeRateLimiter } from './stripe-rate-limiter';
import { StripeConfig } from './stripe.config';

/** Two "instances": each its own Redis connection, one shared key prefix, as two system-billing processes have. */
const prefix = `test-${randomBytes(4).toString('hex')}`;
const connections: RedisConnections[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.onApplicationShutdown()));
});

async function limiter(settings: Partial<StripeConfig>, keyPrefix = prefix): Promise<StripeRateLimiter> {
  const redis = new RedisConnections(Object.assign(new RedisConfig(), { QUEUE_PREFIX: keyPrefix }));
  connections.push(redis);
  await redis.onModuleInit();
  return new StripeRateLimiter(Object.assign(new StripeConfig(), settings), redis);
}

/** When each acquisition was granted, in ms from the start, sorted. */
async function admissions(calls: Array<() => Promise<void>>): Promise<number[]> {
  const started = performance.now();
  const times = await Promise.all(
    calls.map(async (acquire) => {
      await acquire();
      return performance.now() - started;
    }),
  );
  return times.sort((a, b) => a - b);
}

/** The most admissions any one-second window saw. */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (let i = 0; i < times.length; i += 1) {
    const start = times[i] ?? 0;
    most = Math.max(most, times.filter((t) => t >= start && t < start + 1_000).length);
  }
  return most;
}

describe('StripeRateLimiter against the real Redis', () => {
  it("defaults to Stripe's published account rate for the key's mode", () => {
    expect(Object.assign(new StripeConfig(), { STRIPE_SECRET_KEY: 'sk_test_abc' }).rateLimitPerSecond()).toBe(
      25,
    );
    expect(Object.assign(new StripeConfig(), { STRIPE_SECRET_KEY: 'rk_live_abc' }).rateLimitPerSecond()).toBe(
      100,
    );
    expect(
      Object.assign(new StripeConfig(), {
        STRIPE_SECRET_KEY: 'sk_live_abc',
        STRIPE_RATE_LIMIT_PER_SECOND: 40,
      }).rateLimitPerSecond(),
    ).toBe(40);
    expect(new StripeConfig().STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND).toBe(25);
  });

  it("paces a burst from two instances to the account's rate, every call admitted", async () => {
    const settings = { STRIPE_RATE_LIMIT_PER_SECOND: 5, STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: 25 };
    const [a, b] = await Promise.all([limiter(settings), limiter(settings)]);
    const times = await admissions(
      Array.from({ length: 16 }, (_, i) => () => (i % 2 ? a : b).acquire(`prices.retrieve`)),
    );
    expect(times).toHaveLength(16);
    expect(busiestSecond(times)).toBe(5);
    // 16 at 5 per second: the last ones wait three windows.
    expect(times[15]).toBeGreaterThanOrEqual(3_000);
    expect(times[4]).toBeLessThan(1_000);
  });

  it("holds one endpoint to its own rate while another endpoint's calls pass", async () => {
    const settings = { STRIPE_RATE_LIMIT_PER_SECOND: 100, STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: 3 };
    const [a, b] = await Promise.all([limiter(settings), limiter(settings)]);
    const [busy, other] = await Promise.all([
      admissions(Array.from({ length: 7 }, (_, i) => () => (i % 2 ? a : b).acquire('customers.create'))),
      admissions(Array.from({ length: 3 }, () => () => a.acquire('customers.list'))),
    ]);
    expect(busiestSecond(busy)).toBe(3);
    expect(busy[6]).toBeGreaterThanOrEqual(2_000);
    expect(Math.max(...other)).toBeLessThan(1_000);
  });

  it('fails transiently, rather than wait past the bound, when no slot comes in time', async () => {
    const tight = await limiter(
      {
        STRIPE_RATE_LIMIT_PER_SECOND: 1,
        STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: 1,
        STRIPE_RATE_LIMIT_MAX_WAIT_MS: 200,
      },
      `${prefix}-bounded`,
    );
    await tight.acquire('invoices.create');
    const started = performance.now();
    await expect(tight.acquire('invoices.create')).rejects.toBeInstanceOf(TransientError);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
