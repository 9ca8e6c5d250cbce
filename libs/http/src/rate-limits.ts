import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpConfig, loadConfig, RedisConfig } from '@revline/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

/**
 * The budgets a request may draw on, each a fixed one-minute window counted in Redis (shared by every instance):
 * - `key`: every request of one API key (`RATE_LIMIT_PER_MINUTE`); a public route counts its client address so;
 * - `unauthenticated`: requests from one client address with no key or an unknown or revoked one;
 * - `exports` and `reconciliation-starts`: the tighter budgets of one key on those routes, on top of `key`.
 */
export type RateBudget = 'key' | 'unauthenticated' | 'exports' | 'reconciliation-starts';

const WINDOW_MS = 60_000;

const WHAT: Record<RateBudget, string> = {
  key: 'requests',
  unauthenticated: 'requests without a valid API key from one address',
  exports: 'exports',
  'reconciliation-starts': 'reconciliation runs started',
};

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

const LIMITER = Symbol('revline.rateLimiter');
const COUNTED = Symbol('revline.rateLimitCounted');

type LimitedInstance = FastifyInstance & { [LIMITER]?: Limiter };
/** What the limiter is asked to count: set just before each call, read by its key generator and its maximum. */
type LimitedRequest = FastifyRequest & { [COUNTED]?: { budget: RateBudget; subject: string } };

/** A 429 that names when to come back: the problem filter sends it as `Retry-After`. */
export class TooManyRequests extends HttpException {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/** The client's address, with IPv6 taken by /64 as the rate limiter does (one host holds a whole /64). */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip);
}

function maxima(http: HttpConfig): Record<RateBudget, number> {
  return {
    key: http.RATE_LIMIT_PER_MINUTE,
    unauthenticated: http.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE,
    exports: http.RATE_LIMIT_EXPORTS_PER_MINUTE,
    'reconciliation-starts': http.RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE,
  };
}

function counterConnection(url: string): Redis {
  const logger = new Logger('RateLimits');
  // Connected on first use: an app that limits nothing (a vendor stand-in) never opens it.
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  redis.on('error', (error: Error) => {
    logger.warn(`Redis rate-limit counters: ${error.message}`);
  });
  return redis;
}

/**
 * Registers @fastify/rate-limit with its Redis store, applied by hand (`createRateLimit`) where the guard knows
 * who asks: the counters live under `<QUEUE_PREFIX>:rate-limit:<budget>:<key id or address>`. When Redis cannot
 * be reached, requests are let through (and the failure logged) rather than the API refused.
 */
export async function registerRateLimits(fastify: FastifyInstance): Promise<void> {
  const http = loadConfig(HttpConfig);
  const { REDIS_URL, QUEUE_PREFIX } = loadConfig(RedisConfig);
  const redis = counterConnection(REDIS_URL);
  fastify.addHook('onClose', async () => {
    if (redis.status === 'ready') await redis.quit();
    else redis.disconnect();
  });
  const max = maxima(http);
  const counted = (request: FastifyRequest) => {
    const what = (request as LimitedRequest)[COUNTED];
    if (!what) throw new Error('A rate limit was checked without a budget');
    return what;
  };
  await fastify.register(rateLimit, {
    global: false,
    redis,
    nameSpace: `${QUEUE_PREFIX}:rate-limit:`,
    skipOnError: true,
    timeWindow: WINDOW_MS,
    keyGenerator: (request) => `${counted(request).budget}:${counted(request).subject}`,
    max: (request) => max[counted(request).budget],
  });
  (fastify as LimitedInstance)[LIMITER] = fastify.createRateLimit();
}

async function budgetState(request: FastifyRequest, budget: RateBudget, subject: string, increment: boolean) {
  const limiter = (request.server as LimitedInstance)[LIMITER];
  if (!limiter) return undefined; // built without runtime plugins (OpenAPI generation)
  // One request's checks run one after another, so the budget set here is the one this call counts.
  (request as LimitedRequest)[COUNTED] = { budget, subject };
  const state = await limiter(request, { increment });
  return state.isAllowed ? undefined : state;
}

function refusal(budget: RateBudget, max: number, ttlInSeconds: number): TooManyRequests {
  const retryAfter = Math.max(1, ttlInSeconds);
  return new TooManyRequests(
    `Rate limit exceeded: at most ${max} ${WHAT[budget]} per minute; retry after ${retryAfter} s`,
    retryAfter,
  );
}

/**
 * Counts one request of `subject` (a key id, or a client address) against a budget; throws a 429 past it. With
 * `reply`, tells the caller where it stands: `X-RateLimit-Limit`, `X-RateLimit-Remaining`, `X-RateLimit-Reset`.
 */
export async function consumeRateLimit(
  request: FastifyRequest,
  budget: RateBudget,
  subject: string,
  reply?: FastifyReply,
): Promise<void> {
  const state = await budgetState(request, budget, subject, true);
  if (state && reply)
    void reply
      .header('x-ratelimit-limit', state.max)
      .header('x-ratelimit-remaining', state.remaining)
      .header('x-ratelimit-reset', state.ttlInSeconds);
  if (state?.isExceeded) throw refusal(budget, state.max, state.ttlInSeconds);
}

/** Throws a 429 when a budget is already spent, without counting this request (checked before costly work). */
export async function refuseSpentRateLimit(
  request: FastifyRequest,
  budget: RateBudget,
  subject: string,
): Promise<void> {
  const state = await budgetState(request, budget, subject, false);
  if (state && state.remaining === 0 && state.ttl > 0) throw refusal(budget, state.max, state.ttlInSeconds);
}
