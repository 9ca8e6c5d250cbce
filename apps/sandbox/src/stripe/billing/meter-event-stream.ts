import { Injectable } from '@nestjs/common';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { CoreEvent, Meter, MeterErrorType, MeterEventSession } from '../state/types';
import { meterEventTimeProblem } from './meter-events';

/** How long a session's token is good for: 15 minutes (API reference, the meter event session). */
export const SESSION_LIFETIME_S = 15 * 60;
/** Events one stream request may carry (API reference, create meter events on the stream). */
export const MAX_STREAM_EVENTS = 100;
/** How long a meter event's identifier is taken: Stripe's rolling 24 hours. */
const IDENTIFIER_WINDOW_S = 24 * 3600;
/** The longest identifier and event name Stripe takes. */
const MAX_NAME_LENGTH = 100;

/** One event of a stream request, validated: what Stripe checks before it answers. */
export interface StreamEvent {
  event_name: string;
  identifier: string;
  payload: Record<string, string>;
  /** Unix seconds; absent, the time Stripe takes it in. */
  timestamp?: number;
}

const invalid = (param: string, message: string) => StripeApiError.invalid(param, message);

/**
 * The body of `POST /v2/billing/meter_event_stream` as Stripe checks it before it answers: `events`, 1 to 100 of
 * them, each with an `event_name`, a `payload` of strings, an optional `identifier` and an optional RFC 3339
 * `timestamp`. Anything else about an event (its meter, customer, value, time window) is checked later, and
 * refused through the meter's error report.
 */
export function parseStreamBody(body: unknown): StreamEvent[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw invalid('events', 'The request body must be a JSON object.');
  const { events, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest).at(0);
  if (unknown !== undefined) throw StripeApiError.unknownParam(unknown);
  if (events === undefined) throw StripeApiError.missing('events');
  if (!Array.isArray(events) || events.length === 0)
    throw invalid('events', 'events must be a non-empty array.');
  if (events.length > MAX_STREAM_EVENTS)
    throw invalid('events', `events must contain at most ${String(MAX_STREAM_EVENTS)} items.`);
  return events.map((raw, i) => parseStreamEvent(raw, `events[${String(i)}]`));
}

function parseStreamEvent(raw: unknown, at: string): StreamEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(at, `${at} must be an object.`);
  const { event_name, identifier, payload, timestamp, ...rest } = raw as Record<string, unknown>;
  const unknown = Object.keys(rest).at(0);
  if (unknown !== undefined) throw StripeApiError.unknownParam(`${at}.${unknown}`);
  if (event_name === undefined) throw StripeApiError.missing(`${at}.event_name`);
  if (typeof event_name !== 'string' || event_name === '' || event_name.length > MAX_NAME_LENGTH)
    throw invalid(`${at}.event_name`, 'event_name must be a string of 1 to 100 characters.');
  if (
    identifier !== undefined &&
    (typeof identifier !== 'string' || identifier === '' || identifier.length > MAX_NAME_LENGTH)
  )
    throw invalid(`${at}.identifier`, 'identifier must be a string of 1 to 100 characters.');
  if (payload === undefined) throw StripeApiError.missing(`${at}.payload`);
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    Object.values(payload).some((v) => typeof v !== 'string')
  )
    throw invalid(`${at}.payload`, 'payload must be a map of strings.');
  let seconds: number | undefined;
  if (timestamp !== undefined) {
    const ms = typeof timestamp === 'string' ? Date.parse(timestamp) : Number.NaN;
    if (
      typeof timestamp !== 'string' ||
      Number.isNaN(ms) ||
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(timestamp)
    )
      throw invalid(`${at}.timestamp`, 'timestamp must be an RFC 3339 date-time.');
    seconds = Math.floor(ms / 1000);
  }
  return {
    event_name,
    identifier: typeof identifier === 'string' ? identifier : stripeId('mev'),
    payload: payload as Record<string, string>,
    ...(seconds !== undefined ? { timestamp: seconds } : {}),
  };
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The refusals of one stream request's events, by meter (or by event name without a meter), then by code. */
class Refusals {
  readonly byMeter = new Map<string, { meter: Meter | null; codes: Map<string, MeterErrorType> }>();

  add(meter: Meter | null, eventName: string, code: string, message: string, identifier: string): void {
    const key = meter ? meter.id : `name:${eventName}`;
    let entry = this.byMeter.get(key);
    if (!entry) {
      entry = { meter, codes: new Map() };
      this.byMeter.set(key, entry);
    }
    let type = entry.codes.get(code);
    if (!type) {
      type = { code, error_count: 0, sample_errors: [] };
      entry.codes.set(code, type);
    }
    type.error_count += 1;
    type.sample_errors.push({ error_message: message, request: { identifier } });
  }
}

/**
 * The v2 meter event stream: sessions whose token authenticates the stream, and the stream itself. A stream
 * request is answered once its body is well formed; its events are then validated and taken in as
 * `/v1/billing/meter_events` takes them (they count in the same meter event summaries). An event Stripe refuses
 * (no active meter for its name, an unknown customer, a bad value, a time outside the window) is reported through
 * a v2 thin event listed at `/v2/core/events`: `v1.billing.meter.error_report_triggered` for the meter (or
 * `v1.billing.meter.no_meter_found`), naming each refused identifier by error code. An identifier already taken
 * in the last 24 hours is dropped silently.
 */
@Injectable()
export class MeterEventStream {
  constructor(private readonly store: StripeStore) {}

  createSession(): MeterEventSession {
    const now = this.store.now();
    this.expireSessions(now);
    const session: MeterEventSession = {
      id: stripeId('mes'),
      object: 'v2.billing.meter_event_session',
      authentication_token: stripeId('mest', 48),
      created: iso(now),
      expires_at: iso(now + SESSION_LIFETIME_S),
      livemode: false,
    };
    this.store.meterEventSessions.set(session.authentication_token, session);
    return session;
  }

  /** The session a stream request's token names; an expired one is refused as Stripe refuses it (401). */
  authenticate(header: string | undefined): MeterEventSession {
    const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const session = token ? this.store.meterEventSessions.get(token) : undefined;
    if (!session)
      throw new StripeApiError(401, {
        type: 'authentication_error',
        message:
          'Invalid authentication token. Create a meter event session and authenticate with its authentication_token.',
      });
    if (Date.parse(session.expires_at) <= this.store.now() * 1000)
      throw new StripeApiError(401, {
        type: 'temporary_session_expired',
        message: 'The meter event session has expired. Create a new meter event session.',
      });
    return session;
  }

  /** Takes the events in after the answer, as Stripe processes (and validates) them asynchronously. */
  accept(events: StreamEvent[], request: { id: string; idempotencyKey: string | null }): void {
    setImmediate(() => {
      this.process(events, request);
    });
  }

  /** Validates and takes in one request's events; the refusals become error reports. */
  process(events: StreamEvent[], request: { id: string; idempotencyKey: string | null }): void {
    const start = this.store.now();
    const refusals = new Refusals();
    for (const event of events) this.take(event, refusals);
    for (const { meter, codes } of refusals.byMeter.values())
      this.report(meter, [...codes.values()], start, request);
  }

  private take(event: StreamEvent, refusals: Refusals): void {
    const meter =
      [...this.store.meters.values()].find(
        (m) => m.event_name === event.event_name && m.status === 'active',
      ) ?? null;
    const refuse = (code: string, message: string) => {
      refusals.add(meter, event.event_name, code, message, event.identifier);
    };
    if (!meter) {
      refuse('no_meter', `No active meter was found matching event_name ${event.event_name}.`);
      return;
    }
    const customerKey = meter.customer_mapping.event_payload_key;
    const customer = event.payload[customerKey] as string | undefined;
    if (!customer) {
      refuse('meter_event_no_customer_defined', `The payload has no ${customerKey}.`);
      return;
    }
    if (!this.store.customers.has(customer)) {
      refuse('meter_event_customer_not_found', `No such customer: '${customer}'`);
      return;
    }
    const value = event.payload[meter.value_settings.event_payload_key] as string | undefined;
    if (
      meter.default_aggregation.formula !== 'count' &&
      (value === undefined || !/^-?\d+(\.\d+)?$/.test(value))
    ) {
      refuse('meter_event_invalid_value', 'The meter event value must be a number.');
      return;
    }
    const now = this.store.nowFor(customer);
    const timestamp = event.timestamp ?? now;
    const late = meterEventTimeProblem(timestamp, now);
    if (late) {
      refuse(late.code, late.message);
      return;
    }
    const existing = this.store.meterEvents.get(event.identifier);
    if (existing && this.store.nowFor(existing.customer) - existing.created < IDENTIFIER_WINDOW_S) return;
    if (existing) this.store.meterEvents.set(`${event.identifier}@${String(existing.created)}`, existing);
    this.store.meterEvents.set(event.identifier, {
      object: 'billing.meter_event',
      created: now,
      event_name: event.event_name,
      identifier: event.identifier,
      livemode: false,
      payload: event.payload,
      timestamp,
      meter: meter.id,
      customer,
    });
  }

  private report(
    meter: Meter | null,
    errorTypes: MeterErrorType[],
    start: number,
    request: { id: string; idempotencyKey: string | null },
  ): void {
    const count = errorTypes.reduce((n, t) => n + t.error_count, 0);
    const event: CoreEvent = {
      id: stripeId('evt_test', 40),
      object: 'v2.core.event',
      type: meter ? 'v1.billing.meter.error_report_triggered' : 'v1.billing.meter.no_meter_found',
      created: new Date().toISOString(),
      livemode: false,
      context: null,
      reason: request.idempotencyKey
        ? { type: 'request', request: { id: request.id, idempotency_key: request.idempotencyKey } }
        : null,
      ...(meter
        ? { related_object: { id: meter.id, type: 'billing.meter', url: `/v1/billing/meters/${meter.id}` } }
        : {}),
      data: {
        developer_message_summary: `There ${count === 1 ? 'is 1 invalid event' : `are ${String(count)} invalid events`}`,
        reason: { error_count: count, error_types: errorTypes },
        validation_start: iso(start),
        validation_end: iso(this.store.now()),
      },
    };
    this.store.coreEvents.set(event.id, event);
  }

  private expireSessions(now: number): void {
    for (const [token, session] of this.store.meterEventSessions) {
      if (Date.parse(session.expires_at) > (now - SESSION_LIFETIME_S) * 1000) break;
      this.store.meterEventSessions.delete(token);
    }
  }
}
