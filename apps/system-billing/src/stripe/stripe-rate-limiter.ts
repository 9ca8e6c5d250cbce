import { Injectable } from '@nestjs/common';
import { RedisConnections, TransientError } from '@revline/messaging';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { StripeConfig } from './stripe.config';

/**
 * A sliding one-second window per key, in Redis so every worker of every instance shares it: the times of the
 * requests let through in the last window, in a sorted set. A request passes only when both its windows (the
 * account's and its endpoint's) have room; then it is recorded in both at once. Otherwise the script answers how
 * many milliseconds until the oldest entry of the fuller window leaves it. The clock is Redis's own.
 */
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[3])
local wait = 0
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local limit = tonumber(ARGV[i])
  if redis.call('ZCARD', KEYS[i]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[i], -limit, -limit, 'WITHSCORES')
    local w = tonumber(oldest[2]) + window - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return wait end
for i = 1, 2 do
  redis.call('ZADD', KEYS[i], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[i], window)
end
return 0
`;

/** The script's digest: each call names it (EVALSHA) rather than sending the script again. */
const ACQUIRE_SHA = createHash('sha1').update(ACQUIRE).digest('hex');

/**
 * Stripe counts requests per second as they arrive; requests admitted here travel with uneven delays, so the
 * window is kept slightly longer than a second, that two admitted a window apart never arrive less than a second
 * apart.
 */
export const STRIPE_RATE_WINDOW_MS = 1_050;

/**
 * Keeps Stripe calls inside the account's rate (`STRIPE_RATE_LIMIT_PER_SECOND`, by default Stripe's published one
 * for the key's mode) and each endpoint's (`STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND`), across every worker sharing
 * the Redis prefix. A call over a limit waits for its slot; past `STRIPE_RATE_LIMIT_MAX_WAIT_MS` it fails
 * transiently and its job is retried later.
 */
@Injectable()
export class StripeRateLimiter {
  constructor(
    private readonly config: StripeConfig,
    private readonly redis: RedisConnections,
  ) {}

  /** Waits until a call to `endpoint` (a named operation, e.g. `customers.create`) may be sent to Stripe. */
  async acquire(endpoint: string): Promise<void> {
    const maxWait = this.config.STRIPE_RATE_LIMIT_MAX_WAIT_MS;
    const started = performance.now();
    const base = `${this.redis.prefix}:{stripe-rate}:${this.config.stripeMode()}`;
    const keys = [`${base}:account`, `${base}:endpoint:${endpoint}`];
    const member = randomUUID();
    for (;;) {
      const wait = await this.tryAcquire(keys, member);
      if (wait === 0) return;
      const waited = performance.now() - started;
      if (waited + wait > maxWait)
        throw new TransientError(
          `Stripe ${endpoint} would wait over ${String(maxWait)} ms for a slot under the client rate limit`,
        );
      // A little jitter so callers woken by the same slot do not all ask again in the same millisecond.
      await sleep(wait + Math.floor(Math.random() * 10));
    }
  }

  private async tryAcquire(keys: string[], member: string): Promise<number> {
    try {
      const connection = await this.redis.producer();
      const limit = this.config.rateLimitPerSecond();
      const endpointLimit = this.config.STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND;
      try {
        return Number(
          await connection.evalsha(
            ACQUIRE_SHA,
            keys.length,
            ...keys,
            limit,
            endpointLimit,
            STRIPE_RATE_WINDOW_MS,
            member,
          ),
        );
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        // Redis does not know the script (restarted, or its script cache flushed): sent in full, which loads it.
        return Number(
          await connection.eval(
            ACQUIRE,
            keys.length,
            ...keys,
            limit,
            endpointLimit,
            STRIPE_RATE_WINDOW_MS,
            member,
          ),
        );
      }
    } catch (error) {
      throw new TransientError(`Stripe rate limiter unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
