import { Injectable, Logger } from '@nestjs/common';
import { BusinessError, outboxWritten, queueOf } from '@revline/messaging';
import { prepared, transaction } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { IssuingInvoices } from '../stripe/issuing-invoices';
import type { Announcement, StripeEventLike } from './stripe-event-announcements';
import { ANNOUNCED_WITH_CHANGE, announcementsOf, str } from './stripe-event-announcements';
import { STRIPE_API_VERSION, StripeApiVersionMismatch } from './stripe-api-version';
import { StripeEventDetails } from './stripe-event-details';

export type { StripeEventLike } from './stripe-event-announcements';
export { isStripeEvent } from './stripe-event-announcements';

export type IngestOutcome = 'accepted' | 'duplicate' | 'stale';
export type EventSource = 'webhook' | 'poller';

/** Events written in one transaction at most; more wait for the next one. */
const MAX_BATCH = 500;
/** Transactions being written at once: a batch fills while earlier ones wait for Postgres. */
const MAX_IN_FLIGHT = 2;
/** Events whose missing details (a payment, more lines) are read from Stripe at once, for a long poll. */
const DETAIL_READS = 8;

interface Pending {
  event: StripeEventLike;
  source: EventSource;
  announcements: Announcement[];
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: unknown) => void;
}

const hasMore = (list: unknown): boolean =>
  typeof list === 'object' && list !== null && (list as { has_more?: unknown }).has_more === true;

/** The lines a list shows inline. */
const embedded = (list: unknown): unknown[] => {
  const data = (list as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data : [];
};

const lastId = (list: unknown): string | undefined => {
  const last = embedded(list).at(-1) as { id?: unknown } | undefined;
  return typeof last?.id === 'string' ? last.id : undefined;
};

const byKey =
  <T>(key: (value: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/**
 * Takes Stripe events in once, from the webhook or the poller: the event id is the dedup (a primary key), the
 * newest `created` per object is the state kept (an older event never overwrites it), and what Revline must hear
 * is queued through the outbox in the same transaction.
 *
 * Events arriving while transactions are being written go together into the next one (group commit, at most
 * MAX_IN_FLIGHT transactions at once), and each caller is answered only once the transaction holding its event
 * has committed. Within a transaction the events are taken in arrival order, as one transaction each would take
 * them. Rows are locked in key order (events, then objects, then outbox keys), so two transactions cannot
 * deadlock. A failed transaction is retried one event per transaction, so a bad event fails only its delivery.
 */
@Injectable()
export class StripeEventIngest {
  private readonly logger = new Logger('StripeEvents');
  /** API versions other than the pinned one that events have come in (warned about once each). */
  private readonly otherVersions = new Set<string>();
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly details: StripeEventDetails,
    private readonly issuing: IssuingInvoices,
  ) {}

  async ingest(event: StripeEventLike, source: EventSource): Promise<IngestOutcome> {
    const [outcome] = await this.ingestAll([event], source);
    return outcome;
  }

  /**
   * Takes several events in, in this order (the poller's oldest first). An event in another API version than the
   * pinned one has its object re-read first (see atPinnedVersion); one that cannot be is refused with the whole
   * call (StripeApiVersionMismatch), before anything is written.
   */
  async ingestAll(received: StripeEventLike[], source: EventSource): Promise<IngestOutcome[]> {
    const events: StripeEventLike[] = [];
    const announced: Announcement[][] = [];
    for (let i = 0; i < received.length; i += DETAIL_READS) {
      const chunk = await Promise.all(
        received.slice(i, i + DETAIL_READS).map(async (e) => {
          const event = await this.atPinnedVersion(e);
          return { event, announcements: await this.announcements(event) };
        }),
      );
      for (const { event, announcements } of chunk) {
        events.push(event);
        announced.push(announcements);
      }
    }
    // An invoice a change of this process is issuing is announced with the change's answer: wait for it.
    await this.issuing.settled(
      events.filter((e) => e.type === 'invoice.finalized').map((e) => str(e.data.object.id)),
    );
    const outcomes = events.map(
      (event, i) =>
        new Promise<IngestOutcome>((resolve, reject) => {
          this.queue.push({ event, source, announcements: announced[i] ?? [], resolve, reject });
        }),
    );
    void this.drain();
    return Promise.all(outcomes);
  }

  /**
   * The event with its object in the pinned API version. Stripe renders an event's object in the webhook
   * endpoint's `api_version`, else the account's default version (`/v1/events` too), which need not be the one
   * Revline reads: an event in another version (or naming none) has its object read again through the API, whose
   * requests name the pinned version. An object type Revline cannot re-read (or one the API no longer answers) is
   * refused loudly, never read in a shape it was not written for. An event already taken in is left as it is: it
   * is a duplicate, nothing is read from it.
   */
  private async atPinnedVersion(event: StripeEventLike): Promise<StripeEventLike> {
    if (event.api_version === STRIPE_API_VERSION) return event;
    if (await this.known(event)) return event;
    const version = event.api_version ?? 'none';
    if (!this.otherVersions.has(version)) {
      this.otherVersions.add(version);
      this.logger.warn(
        `Stripe events arrive in API version ${version}, not ${STRIPE_API_VERSION}: each event's object is re-read ` +
          `through the API. Register the webhook endpoint with api_version ${STRIPE_API_VERSION}.`,
      );
    }
    const objectType = str(event.data.object.object);
    const id = str(event.data.object.id);
    let object: Record<string, unknown> | null;
    try {
      object = id ? await this.details.reread(objectType, id) : null;
    } catch (error) {
      // Stripe's refusal (the object is gone) is final; a transient failure is thrown as it is, to be retried.
      if (!(error instanceof BusinessError)) throw error;
      throw new StripeApiVersionMismatch(event, objectType || 'object', error.message);
    }
    if (!object) throw new StripeApiVersionMismatch(event, objectType || 'object', 'no way to read it again');
    return { ...event, api_version: STRIPE_API_VERSION, data: { ...event.data, object } };
  }

  private async known(event: StripeEventLike): Promise<boolean> {
    const { rows } = await prepared(
      this.dataSource,
      `SELECT 1 FROM ${this.table('stripe_events')} WHERE "event_id" = $1`,
      [event.id],
    );
    return rows.length > 0;
  }

  /** What the event announces, with what the event itself leaves out read from Stripe first. */
  private async announcements(event: StripeEventLike): Promise<Announcement[]> {
    const object = event.data.object;
    const id = str(object.id);
    const needsPayment = event.type === 'invoice.paid';
    const needsLines =
      (event.type === 'invoice.finalized' || event.type === 'credit_note.created') && hasMore(object.lines);
    if (!needsPayment && !needsLines) return announcementsOf(event);
    // A delivery of an event already taken in announces nothing, so it needs no read from Stripe.
    if (await this.known(event)) return [];
    if (needsPayment)
      return announcementsOf(event, { paymentId: (await this.details.paymentOf(id)) ?? undefined });
    const lines =
      event.type === 'credit_note.created'
        ? [...embedded(object.lines), ...(await this.details.creditNoteLinesAfter(id, lastId(object.lines)))]
        : await this.details.linesOf(id);
    return announcementsOf({
      ...event,
      data: { object: { ...object, lines: { ...(object.lines as object), data: lines, has_more: false } } },
    });
  }

  private table(name: string): string {
    return `"${this.dataSource.driver.schema ?? 'billing'}"."${name}"`;
  }

  private async drain(): Promise<void> {
    if (this.inFlight >= MAX_IN_FLIGHT) return;
    this.inFlight += 1;
    try {
      while (this.queue.length > 0) await this.flush(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.inFlight -= 1;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    try {
      const outcomes = await transaction(this.dataSource, (manager) => this.write(manager, batch));
      batch.forEach((pending, i) => {
        pending.resolve(outcomes[i] ?? 'duplicate');
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const pending of batch) await this.flush([pending]);
    }
  }

  private async write(manager: EntityManager, batch: Pending[]): Promise<IngestOutcome[]> {
    const first = new Map<string, Pending>();
    for (const pending of batch) if (!first.has(pending.event.id)) first.set(pending.event.id, pending);
    const unique = [...first.values()].sort(byKey((p) => p.event.id));
    const { rows: inserted } = await prepared<{ event_id: string }>(
      manager,
      `INSERT INTO ${this.table('stripe_events')} ("event_id", "type", "object_id", "created", "source", "stale")
       SELECT e, t, o, c, s, false FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(e, t, o, c, s)
       ON CONFLICT ("event_id") DO NOTHING RETURNING "event_id"`,
      [
        unique.map((p) => p.event.id),
        unique.map((p) => p.event.type),
        unique.map((p) => str(p.event.data.object.id)),
        unique.map((p) => p.event.created),
        unique.map((p) => p.source),
      ],
    );
    const fresh = new Set(inserted.map((row) => row.event_id));
    // Arrival order, first delivery of each event only: the order one transaction per event would see.
    const taken = batch.filter((p) => fresh.has(p.event.id) && first.get(p.event.id) === p);
    if (taken.length === 0) return batch.map(() => 'duplicate');

    const objectIds = [...new Set(taken.map((p) => str(p.event.data.object.id)))].sort();
    const winners = new Map<string, Pending>();
    const stale = new Set<Pending>();
    if (objectIds.length === taken.length) {
      // One event per object: the upsert's own WHERE decides. An event older than the state stored is not
      // written and is stale, as the read below would have found; the read is needed only to order several
      // events of one object.
      for (const pending of taken) winners.set(str(pending.event.data.object.id), pending);
    } else {
      const { rows: stored } = await prepared<{ object_id: string; event_created: string }>(
        manager,
        `SELECT "object_id", "event_created" FROM ${this.table('stripe_objects')}
         WHERE "object_id" = ANY($1::text[]) ORDER BY "object_id" FOR UPDATE`,
        [objectIds],
      );
      const newest = new Map(stored.map((row) => [row.object_id, Number(row.event_created)]));
      for (const pending of taken) {
        const objectId = str(pending.event.data.object.id);
        const known = newest.get(objectId);
        if (known !== undefined && known > pending.event.created) stale.add(pending);
        else {
          newest.set(objectId, pending.event.created);
          winners.set(objectId, pending);
        }
      }
    }
    const kept = [...winners.entries()].sort(byKey(([id]) => id));
    const { rows: written } = await prepared<{ object_id: string }>(
      manager,
      `INSERT INTO ${this.table('stripe_objects')} ("object_id", "object_type", "event_id", "event_created", "data")
       SELECT i, t, e, c, d::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS x(i, t, e, c, d)
       ON CONFLICT ("object_id") DO UPDATE SET "event_id" = EXCLUDED."event_id", "event_created" = EXCLUDED."event_created",
         "data" = EXCLUDED."data", "object_type" = EXCLUDED."object_type"
       WHERE "stripe_objects"."event_created" <= EXCLUDED."event_created"
       RETURNING "object_id"`,
      [
        kept.map(([id]) => id),
        kept.map(([, p]) => str(p.event.data.object.object)),
        kept.map(([, p]) => p.event.id),
        kept.map(([, p]) => p.event.created),
        kept.map(([, p]) => JSON.stringify(p.event.data.object)),
      ],
    );
    // A newer state than ours stored (written by another transaction since the read above, or found by the upsert
    // itself): every event of ours for that object is older.
    const overtaken = new Set(kept.map(([id]) => id));
    for (const row of written) overtaken.delete(row.object_id);
    for (const pending of taken) if (overtaken.has(str(pending.event.data.object.id))) stale.add(pending);
    if (stale.size > 0)
      await prepared(
        manager,
        `UPDATE ${this.table('stripe_events')} SET "stale" = true WHERE "event_id" = ANY($1::text[])`,
        [[...stale].map((p) => p.event.id)],
      );

    const messages = taken
      .flatMap((p) => p.announcements.filter((a) => !(a.onlyIfNewest && stale.has(p))))
      .map((a) => a.envelope)
      .sort(byKey((e) => `${e.job} ${e.idempotencyKey}`));
    if (messages.length > 0) {
      outboxWritten(manager);
      await prepared(
        manager,
        // An invoice a contract change issued was announced with the change's answer (ANNOUNCED_WITH_CHANGE).
        `INSERT INTO ${this.table('outbox')} ("message_id", "queue", "job", "idempotency_key", "envelope")
           SELECT m, q, j, k, e::jsonb FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(m, q, j, k, e)
            WHERE NOT EXISTS (SELECT 1 FROM ${this.table('inbox')} i WHERE i."consumer" = $6 AND i."idempotency_key" = x.k)
           ON CONFLICT DO NOTHING`,
        [
          messages.map((e) => e.messageId),
          messages.map((e) => queueOf(e.job)),
          messages.map((e) => e.job),
          messages.map((e) => e.idempotencyKey),
          messages.map((e) => JSON.stringify(e)),
          ANNOUNCED_WITH_CHANGE,
        ],
      );
    }

    const takenIn = new Set(taken);
    return batch.map((p) => (takenIn.has(p) ? (stale.has(p) ? 'stale' : 'accepted') : 'duplicate'));
  }
}
