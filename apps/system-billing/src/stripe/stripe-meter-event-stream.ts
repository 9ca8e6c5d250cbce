import { Injectable } from '@nestjs/common';
import type { UsageReport, UsageResult } from '@revline/billing-port';
import { TransientError } from '@revline/messaging';
import Stripe from 'stripe';
import { StripeGateway } from './stripe-gateway';
import { stripeKey } from './stripe-keys';
import { StripeConfig } from './stripe.config';

/** Events per stream request: the most Stripe takes in one. */
export const STREAM_BATCH_SIZE = 100;
/** Stream requests of one report in flight at once (each waits for its slot under the shared limiter). */
const STREAM_CONCURRENCY = 4;
/** A session's token is used until this long before Stripe's `expires_at`, so no request carries it past then. */
export const SESSION_MARGIN_MS = 60_000;

type StreamEvent = Parameters<Stripe['v2']['billing']['meterEventStream']['create']>[0]['events'][number];

/** One usage event as a v2 stream event: the meter's default payload keys, the time in RFC 3339. */
export function streamEvent(eventName: string, event: UsageReport['events'][number]): StreamEvent {
  return {
    event_name: eventName,
    identifier: event.identifier,
    timestamp: new Date(Date.parse(event.timestamp)).toISOString(),
    payload: { stripe_customer_id: event.customerId, value: event.value },
  };
}

/** A report's events as stream requests of up to STREAM_BATCH_SIZE events, in the report's order. */
export function streamBatches(report: UsageReport, size = STREAM_BATCH_SIZE): StreamEvent[][] {
  const batches: StreamEvent[][] = [];
  for (let i = 0; i < report.events.length; i += size)
    batches.push(report.events.slice(i, i + size).map((e) => streamEvent(report.meterEventName, e)));
  return batches;
}

interface Session {
  token: string;
  /** Epoch milliseconds after which the token is not used. */
  usableUntil: number;
}

/**
 * Meter event session tokens per API key: one session is created when none is usable (callers asking meanwhile
 * wait for the same one), and its token used until SESSION_MARGIN_MS before it expires. A token Stripe calls
 * expired anyway (clocks differ) is dropped, and the next caller creates a session.
 */
export class MeterEventSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly creating = new Map<string, Promise<Session>>();

  constructor(
    private readonly create: (key: string) => Promise<{ authentication_token: string; expires_at: string }>,
    private readonly now: () => number = Date.now,
  ) {}

  async token(key: string): Promise<string> {
    const cached = this.sessions.get(key);
    if (cached && this.now() < cached.usableUntil) return cached.token;
    let pending = this.creating.get(key);
    if (!pending) {
      pending = this.create(key)
        .then((session) => {
          const fresh = {
            token: session.authentication_token,
            usableUntil: Date.parse(session.expires_at) - SESSION_MARGIN_MS,
          };
          this.sessions.set(key, fresh);
          return fresh;
        })
        .finally(() => this.creating.delete(key));
      this.creating.set(key, pending);
    }
    return (await pending).token;
  }

  /** Forgets the key's token if it is still `token` (another caller may have replaced it already). */
  expired(key: string, token: string): void {
    if (this.sessions.get(key)?.token === token) this.sessions.delete(key);
  }
}

const isSessionExpired = (error: unknown): boolean =>
  error instanceof Stripe.errors.TemporarySessionExpiredError ||
  (error instanceof Stripe.errors.StripeError && error.rawType === 'temporary_session_expired');

/**
 * Usage reports through Stripe's v2 meter event stream (STRIPE_METER_EVENT_STREAM=on): the report's events in
 * requests of up to 100, each authenticated by the cached meter event session's token and each a slot of the
 * shared limiter, as is the session's creation. Identifiers are the report's own, so a request sent again (a
 * retried job) is taken in once at Stripe; its Idempotency-Key is derived from the command and the batch too.
 * Stripe answers a stream request before validating its events: refusals come later as meter error reports
 * (see MeterErrorReports), so the result counts every event as taken.
 */
@Injectable()
export class StripeMeterEventStream {
  private readonly sessions: MeterEventSessions;

  constructor(
    private readonly gateway: StripeGateway,
    private readonly config: StripeConfig,
  ) {
    this.sessions = new MeterEventSessions(() =>
      this.gateway.call('v2.billing.meterEventSession.create', (s) =>
        s.v2.billing.meterEventSession.create(),
      ),
    );
  }

  async report(report: UsageReport, commandKey: string): Promise<UsageResult> {
    const batches = streamBatches(report).map((events, i) => ({ events, index: i }));
    const worker = async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift())
        await this.send(batch.events, stripeKey(commandKey, `usage_stream_${String(batch.index)}`));
    };
    await Promise.all(Array.from({ length: Math.min(STREAM_CONCURRENCY, batches.length) }, () => worker()));
    return { accepted: report.events.length, duplicates: 0 };
  }

  /** One stream request; a token Stripe calls expired is replaced once, then the request fails transiently. */
  private async send(events: StreamEvent[], idempotencyKey: string): Promise<void> {
    const key = this.config.STRIPE_SECRET_KEY;
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const token = await this.sessions.token(key);
      const outcome = await this.gateway.call('v2.billing.meterEventStream.create', async (s) => {
        try {
          await s.v2.billing.meterEventStream.create({ events }, { apiKey: token, idempotencyKey });
          return 'sent' as const;
        } catch (error) {
          // Not a failure of Stripe nor a refusal of the events: the token is renewed and the request sent again.
          if (isSessionExpired(error)) return 'expired' as const;
          throw error;
        }
      });
      if (outcome === 'sent') return;
      this.sessions.expired(key, token);
    }
    throw new TransientError(
      'Stripe called a fresh meter event session token expired; the report is retried',
    );
  }
}
