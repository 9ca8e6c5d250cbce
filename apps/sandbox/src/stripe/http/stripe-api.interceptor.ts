import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, lastValueFrom } from 'rxjs';
import type { RememberedRequest as Remembered } from '../state/store';
import { StripeStore, stripeId } from '../state/store';
import { Faults } from './faults';
import { StripeRateLimiter } from './rate-limiter';
import { StripeApiError } from './stripe-error';
import { API_VERSION_PATTERN, renderAnswer } from '../webhooks/api-versions';

const KEY_TTL_MS = 24 * 3600 * 1000;

/** The parameters as Stripe compares them: the same values in any order are the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return value === undefined ? 'null' : JSON.stringify(value);
}

/**
 * What Stripe does around every API call: a request id, its rate limits (realistic profile), injected faults (429/5xx before the call takes effect,
 * latency after), and idempotency keys — the same key and parameters replay the first answer, a key reused
 * with other parameters is an `idempotency_error`, and a key still in flight is a 409.
 */
@Injectable()
export class StripeApiInterceptor implements NestInterceptor {
  constructor(
    private readonly faults: Faults,
    private readonly store: StripeStore,
    private readonly limiter: StripeRateLimiter,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.answer(context, next));
  }

  /**
   * The answer in the request's API version: its `Stripe-Version` (the stripe SDK sends the one it pins), else
   * the account's default, as Stripe renders it. A version Stripe would not know is refused.
   */
  private async answer(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers['stripe-version'];
    if (typeof header === 'string' && !API_VERSION_PATTERN.test(header))
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `Invalid Stripe API version: ${header}`,
      });
    const version = typeof header === 'string' ? header : this.store.accountApiVersion;
    return renderAnswer(await this.handle(context, next), version);
  }

  private async handle(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const requestId = stripeId('req', 14);
    void reply.header('request-id', requestId);
    const limited = this.limiter.refusal(`${request.method} ${request.routeOptions.url ?? request.url}`);
    if (limited) throw StripeApiError.rateLimited(limited);
    const failure = this.faults.requestFailure();
    if (failure === 429) throw StripeApiError.rateLimited('global-rate');
    if (failure !== null) {
      throw new StripeApiError(failure, {
        type: 'api_error',
        message: 'An unknown error occurred (sandbox fault).',
      });
    }
    const header = request.headers['idempotency-key'];
    const key = request.method === 'POST' && typeof header === 'string' && header ? header : null;
    if (!key) return this.loseAnswer(request, await this.execute(next, requestId, null));
    this.expire();
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0] ?? ''} ${canonical(request.body ?? {})}`)
      .digest('hex');
    const seen = this.store.idempotencyKeys.get(key);
    if (seen) {
      if (seen.fingerprint !== fingerprint) {
        throw new StripeApiError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      }
      if (seen.state === 'in_flight') {
        throw new StripeApiError(409, {
          type: 'idempotency_error',
          code: 'idempotency_key_in_use',
          message:
            'There is currently another in-progress request using this Stripe API key and idempotency key. Please try again later.',
        });
      }
      void reply.header('idempotent-replayed', 'true').header('original-request', seen.requestId);
      await this.delay();
      if (seen.status >= 400) throw new StripeApiError(seen.status, seen.body as StripeApiError['body']);
      return seen.body;
    }
    const entry: Remembered = {
      fingerprint,
      state: 'in_flight',
      status: 200,
      body: null,
      requestId,
      at: Date.now(),
    };
    this.store.idempotencyKeys.set(key, entry);
    let body: unknown;
    try {
      body = await this.execute(next, requestId, key, entry);
    } catch (error) {
      // Stripe saves an answer once the endpoint began executing; a request refused up front may be retried.
      if (error instanceof StripeApiError && error.status === 402) {
        entry.state = 'done';
        entry.status = error.status;
        entry.body = error.body;
      } else this.store.idempotencyKeys.delete(key);
      throw error;
    }
    // Outside the try: a lost answer leaves the key's saved answer for the client's retry to replay.
    return this.loseAnswer(request, body);
  }

  private async execute(
    next: CallHandler,
    requestId: string,
    key: string | null,
    entry?: Remembered,
  ): Promise<unknown> {
    this.store.currentRequest = { id: requestId, idempotencyKey: key };
    let body: unknown;
    try {
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } finally {
      this.store.currentRequest = null;
    }
    // An answer kept for replays, or held back by a latency fault, is a snapshot: the stored objects change later.
    if (entry) {
      entry.state = 'done';
      entry.body = structuredClone(body);
    }
    if (this.faults.settings.latencyMs > 0) body = structuredClone(body);
    await this.delay();
    return body;
  }

  /**
   * The `answerLostRate` switch: a POST has taken effect (and its idempotency key remembers the answer), and the
   * connection is cut before the answer is sent, as when a client times out after the vendor saved.
   */
  private loseAnswer(request: FastifyRequest, body: unknown): unknown {
    if (request.method === 'POST' && this.faults.answerLost()) {
      request.raw.socket.destroy();
      throw new StripeApiError(503, { type: 'api_error', message: 'The answer was lost (sandbox fault).' });
    }
    return body;
  }

  private async delay(): Promise<void> {
    const ms = this.faults.settings.latencyMs;
    if (ms > 0) await sleep(ms);
  }

  private expire(): void {
    const cutoff = Date.now() - KEY_TTL_MS;
    for (const [key, entry] of this.store.idempotencyKeys) {
      if (entry.at >= cutoff) break;
      this.store.idempotencyKeys.delete(key);
    }
  }
}
