import { Injectable } from '@nestjs/common';
import type { RecordedException } from '@revline/messaging';
import { ExceptionForwarding, RECORDED_COLUMNS } from '@revline/messaging';
import { MetricsService } from '@revline/observability';
import type Stripe from 'stripe';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { SingleInstancePoll } from './single-instance-poll';
import { StripeEventCursorEntity } from '../persistence/entities';
import { StripeGateway } from '../stripe/stripe-gateway';
import { StripeConfig } from '../stripe/stripe.config';

/** Its row of the events cursor table: the newest report's `created` read so far, in epoch milliseconds. */
const CURSOR = 'stripe-meter-errors';
/** Events of the last minute before the cursor are read again: one created in the same second is not skipped. */
const OVERLAP_MS = 60_000;
/** The v2 events that report meter events Stripe refused after taking them in. */
export const METER_ERROR_EVENT_TYPES = [
  'v1.billing.meter.error_report_triggered',
  'v1.billing.meter.no_meter_found',
] as const;
/** The workbench job of a refused meter event: not a job that can run again, only one to resolve. */
export const METER_EVENT_REFUSED_JOB = 'meter-event:stripe';

/**
 * A meter error report as read: the fields this reads of the SDK's report types (the error report and the no-meter
 * event of Stripe.Events), each nested part optional, since a report comes over the wire.
 */
interface MeterErrorEvent {
  id: string;
  type: string;
  created: string;
  related_object?: { id: string } | null;
  data?: {
    reason?: {
      error_types?: Array<{
        code: string;
        sample_errors?: Array<{ error_message: string; request?: { identifier?: string } }>;
      }>;
    };
  };
}

type Fits<T extends MeterErrorEvent> = T;
/** The SDK's report types are read as MeterErrorEvent: this fails to compile should they stop fitting it. */
export type SdkMeterErrorEvents = Fits<
  Stripe.Events.V1BillingMeterErrorReportTriggeredEvent | Stripe.Events.V1BillingMeterNoMeterFoundEvent
>;

interface V2Page {
  data: unknown[];
  next_page_url: string | null;
}

/** One refused meter event of a report: its identifier, the meter, Stripe's code and message. */
export interface MeterEventRefusal {
  identifier: string;
  meterId: string | null;
  code: string;
  message: string;
  eventId: string;
  eventType: string;
}

/** Every sample refusal an error report names, one per identifier (the first code Stripe gives it). */
export function refusalsOf(event: MeterErrorEvent): MeterEventRefusal[] {
  const meterId = event.related_object?.id ?? null;
  const seen = new Map<string, MeterEventRefusal>();
  for (const type of event.data?.reason?.error_types ?? []) {
    for (const sample of type.sample_errors ?? []) {
      const identifier = sample.request?.identifier;
      if (!identifier || seen.has(identifier)) continue;
      seen.set(identifier, {
        identifier,
        meterId,
        code: type.code,
        message: sample.error_message,
        eventId: event.id,
        eventType: event.type,
      });
    }
  }
  return [...seen.values()];
}

/** The workbench's reason for one refusal: the identifier, the meter and Stripe's reason. */
export function refusalReason(r: MeterEventRefusal): string {
  const meter = r.meterId ? `meter ${r.meterId}` : 'no active meter';
  return `Stripe refused meter event ${r.identifier} (${meter}) after taking it in: ${r.message} (${r.code})`;
}

/**
 * With the meter event stream on, Stripe validates usage after answering: the events it refuses are reported by
 * `v1.billing.meter.error_report_triggered` (or `v1.billing.meter.no_meter_found`) v2 events. This reads them from
 * `/v2/core/events` every STRIPE_METER_ERRORS_POLL_MS, newest first back to its cursor (each page a slot of the
 * shared limiter), and raises each refused identifier once as a `billing_rejected` exception, forwarded to the
 * workbench (`system.exception-raised`) in the same transaction. An event already read is skipped (its id is kept
 * with the v1 events'), and an identifier already raised is not raised again, even once resolved. One poller at a
 * time across instances (an advisory lock).
 */
@Injectable()
export class MeterErrorReports extends SingleInstancePoll {
  constructor(
    dataSource: DataSource,
    private readonly gateway: StripeGateway,
    private readonly forwarding: ExceptionForwarding,
    private readonly metrics: MetricsService,
    private readonly config: StripeConfig,
  ) {
    super(dataSource, 'stripe-meter-errors-poller', 'Stripe meter error reports poll');
  }

  protected intervalMs(): number {
    return this.config.STRIPE_METER_EVENT_STREAM === 'on' ? this.config.STRIPE_METER_ERRORS_POLL_MS : 0;
  }

  protected async pass(): Promise<number> {
    const cursors = this.dataSource.getRepository(StripeEventCursorEntity);
    const cursor = Number((await cursors.findOneBy({ name: CURSOR }))?.lastCreated ?? 0);
    const since = cursor - OVERLAP_MS;
    const events: MeterErrorEvent[] = [];
    let page = (await this.gateway.call('v2.core.events.list', (s) =>
      s.v2.core.events.list({ types: [...METER_ERROR_EVENT_TYPES], limit: 100 }),
    )) as unknown as V2Page;
    for (;;) {
      const recent = (page.data as MeterErrorEvent[]).filter((e) => Date.parse(e.created) >= since);
      events.push(...recent);
      const next = page.next_page_url;
      // Newest first: a page reaching past the cursor ends the read.
      if (!next || recent.length < page.data.length) break;
      page = (await this.gateway.call('v2.core.events.list', (s) => s.rawRequest('GET', next))) as V2Page;
    }
    if (events.length === 0) return 0;
    const oldestFirst = events.reverse();
    const raised = await this.dataSource.transaction((manager) => this.take(manager, oldestFirst));
    const newest = oldestFirst.reduce((max, e) => Math.max(max, Date.parse(e.created)), cursor);
    if (newest !== cursor) await cursors.upsert({ name: CURSOR, lastCreated: String(newest) }, ['name']);
    return raised;
  }

  /** Records the events not read before and raises their refusals; returns how many were raised. */
  private async take(manager: EntityManager, events: MeterErrorEvent[]): Promise<number> {
    const schema = this.dataSource.driver.schema ?? 'billing';
    const fresh = await manager.query<Array<{ event_id: string }>>(
      `INSERT INTO "${schema}"."stripe_events" ("event_id", "type", "object_id", "created", "source", "stale")
       SELECT e, t, o, c, 'poller', false FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS x(e, t, o, c)
       ON CONFLICT ("event_id") DO NOTHING RETURNING "event_id"`,
      [
        events.map((e) => e.id),
        events.map((e) => e.type),
        events.map((e) => e.related_object?.id ?? ''),
        events.map((e) => Math.floor(Date.parse(e.created) / 1000)),
      ],
    );
    const unread = new Set(fresh.map((row) => row.event_id));
    let raised = 0;
    for (const event of events) {
      if (!unread.has(event.id)) continue;
      for (const refusal of refusalsOf(event)) if (await this.raise(manager, refusal)) raised += 1;
    }
    return raised;
  }

  private async raise(manager: EntityManager, refusal: MeterEventRefusal): Promise<boolean> {
    const schema = this.dataSource.driver.schema ?? 'billing';
    const rows = await manager.query<RecordedException[]>(
      `INSERT INTO "${schema}"."exceptions"
         ("category", "reason", "details", "queue", "job", "idempotency_key", "correlation_id", "envelope")
       VALUES ('billing_rejected', $1, $2, 'billing.commands', $3, $4, $4, '{}')
       ON CONFLICT ("job", "idempotency_key") DO NOTHING
       RETURNING ${RECORDED_COLUMNS}`,
      [
        refusalReason(refusal),
        JSON.stringify({
          identifier: refusal.identifier,
          meter: refusal.meterId,
          code: refusal.code,
          vendorMessage: refusal.message,
          stripeEventId: refusal.eventId,
          stripeEventType: refusal.eventType,
        }),
        METER_EVENT_REFUSED_JOB,
        refusal.identifier,
      ],
    );
    const row = rows.at(0);
    if (!row) return false;
    await this.forwarding.raised(manager, row);
    this.metrics.exceptions.inc({ category: 'billing_rejected' });
    return true;
  }
}
