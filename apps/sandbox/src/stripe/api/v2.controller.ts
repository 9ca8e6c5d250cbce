import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  Res,
  UseFilters,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { MeterEventStream, parseStreamBody } from '../billing/meter-event-stream';
import { StripeKeyGuard } from '../http/auth.guard';
import { Faults } from '../http/faults';
import { StripeRateLimiter } from '../http/rate-limiter';
import { StripePost, StripeQuery } from '../http/request';
import { StripeApiInterceptor } from '../http/stripe-api.interceptor';
import { StripeApiError, StripeErrorFilter } from '../http/stripe-error';
import { stripeId, StripeStore } from '../state/store';
import type { CoreEvent, MeterEventSession } from '../state/types';

/** The default and largest page of `GET /v2/core/events`. */
const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;
/** `types` names at most 20 event types (API reference, list events). */
const MAX_TYPES = 20;

/** A v2 list's filters and where its next page starts, as the opaque `page` token of `next_page_url`. */
interface PageToken {
  limit: number;
  types?: string[];
  objectId?: string;
  created?: Record<string, string>;
  /** The id of the last event of the page before. */
  after: string;
}

const encodeToken = (token: PageToken) => Buffer.from(JSON.stringify(token)).toString('base64url');

function decodeToken(page: string): PageToken {
  try {
    const token = JSON.parse(Buffer.from(page, 'base64url').toString('utf8')) as PageToken;
    if (typeof token.after !== 'string' || typeof token.limit !== 'number') throw new Error('bad token');
    return token;
  } catch {
    throw StripeApiError.invalid('page', 'The page token is invalid.');
  }
}

/** A query value as a string, or absent; an array or object where a string belongs is refused. */
function str(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw StripeApiError.invalid(name, `${name} must be a string.`);
  return value;
}

/** `created.gt|gte|lt|lte` as RFC 3339 times (the stripe SDK sends them in brackets: `created[gte]=…`). */
function createdRange(query: Record<string, unknown>): Record<string, string> | undefined {
  const range = query.created;
  if (range === undefined) return undefined;
  if (typeof range !== 'object' || range === null || Array.isArray(range))
    throw StripeApiError.invalid('created', 'created must be a range: gt, gte, lt or lte.');
  const out: Record<string, string> = {};
  for (const [op, value] of Object.entries(range as Record<string, unknown>)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(op)) throw StripeApiError.unknownParam(`created.${op}`);
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw StripeApiError.invalid(`created.${op}`, `created.${op} must be an RFC 3339 date-time.`);
    out[op] = value;
  }
  return out;
}

function inRange(event: CoreEvent, range: Record<string, string> | undefined): boolean {
  if (!range) return true;
  const at = Date.parse(event.created);
  const bound = (op: string) => {
    const value = range[op] as string | undefined;
    return value === undefined ? undefined : Date.parse(value);
  };
  const [gt, gte, lt, lte] = ['gt', 'gte', 'lt', 'lte'].map(bound);
  return (
    (gt === undefined || at > gt) &&
    (gte === undefined || at >= gte) &&
    (lt === undefined || at < lt) &&
    (lte === undefined || at <= lte)
  );
}

/**
 * Stripe's API v2 on the sandbox, the part Revline uses: meter event sessions and v2 events (`/v2/core/events`),
 * under the secret key like the v1 API, with its limits, faults and idempotency keys.
 */
@Controller('v2')
@ApiExcludeController()
@UseGuards(StripeKeyGuard)
@UseInterceptors(StripeApiInterceptor)
@UseFilters(StripeErrorFilter)
export class StripeV2Controller {
  constructor(
    private readonly store: StripeStore,
    private readonly stream: MeterEventStream,
  ) {}

  @StripePost('billing/meter_event_session')
  createMeterEventSession(@Body() body: unknown): MeterEventSession {
    const unknown = body && typeof body === 'object' ? Object.keys(body)[0] : undefined;
    if (unknown !== undefined) throw StripeApiError.unknownParam(unknown);
    return this.stream.createSession();
  }

  /** Newest first, as Stripe lists events; `next_page_url` carries the filters on. */
  @Get('core/events')
  listEvents(@StripeQuery() raw: unknown) {
    const query = (raw ?? {}) as Record<string, unknown>;
    const page = str(query, 'page');
    let token: Omit<PageToken, 'after'> & { after?: string };
    if (page) token = decodeToken(page);
    else {
      const limitText = str(query, 'limit');
      const limit = limitText === undefined ? DEFAULT_PAGE : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
        throw StripeApiError.invalid('limit', `limit must be an integer from 1 to ${String(MAX_PAGE)}.`);
      const types = query.types;
      if (
        types !== undefined &&
        (!Array.isArray(types) || types.length > MAX_TYPES || types.some((t) => typeof t !== 'string'))
      )
        throw StripeApiError.invalid(
          'types',
          `types must be an array of at most ${String(MAX_TYPES)} event types.`,
        );
      const objectId = str(query, 'object_id');
      const created = createdRange(query);
      token = {
        limit,
        ...(types ? { types: types as string[] } : {}),
        ...(objectId ? { objectId } : {}),
        ...(created ? { created } : {}),
      };
    }
    const newestFirst = [...this.store.coreEvents.values()].reverse();
    const from = token.after === undefined ? 0 : newestFirst.findIndex((e) => e.id === token.after) + 1;
    const matching: CoreEvent[] = [];
    let more = false;
    for (const event of newestFirst.slice(from)) {
      if (token.types && !token.types.includes(event.type)) continue;
      if (token.objectId && event.related_object?.id !== token.objectId) continue;
      if (!inRange(event, token.created)) continue;
      if (matching.length === token.limit) {
        more = true;
        break;
      }
      matching.push(event);
    }
    const last = matching.at(-1);
    return {
      data: matching,
      next_page_url:
        more && last ? `/v2/core/events?page=${encodeToken({ ...token, after: last.id })}` : null,
      previous_page_url: null,
    };
  }

  @Get('core/events/:id')
  retrieveEvent(@Param('id') id: string): CoreEvent {
    const event = this.store.coreEvents.get(id);
    if (!event) throw StripeApiError.noSuch('event', id);
    return event;
  }
}

/**
 * `POST /v2/billing/meter_event_stream`, on Stripe's meter events host: authenticated by a meter event session's
 * token rather than the secret key, under its own rate limit, answered once the body is well formed; the events
 * are validated and taken in afterwards (see MeterEventStream).
 */
@Controller('v2/billing')
@ApiExcludeController()
@UseFilters(StripeErrorFilter)
export class MeterEventStreamController {
  constructor(
    private readonly stream: MeterEventStream,
    private readonly limiter: StripeRateLimiter,
    private readonly faults: Faults,
  ) {}

  @StripePost('meter_event_stream')
  create(
    @Headers('authorization') authorization: string | undefined,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Record<string, never> {
    const requestId = stripeId('req', 14);
    void reply.header('request-id', requestId);
    this.stream.authenticate(authorization);
    const limited = this.limiter.streamRefusal();
    if (limited) throw StripeApiError.rateLimited(limited);
    const failure = this.faults.requestFailure();
    if (failure === 429) throw StripeApiError.rateLimited('meter-event-stream-rate');
    if (failure !== null)
      throw new StripeApiError(failure, {
        type: 'api_error',
        message: 'An unknown error occurred (sandbox fault).',
      });
    const events = parseStreamBody(body);
    this.stream.accept(events, { id: requestId, idempotencyKey: idempotencyKey ?? null });
    return {};
  }
}
