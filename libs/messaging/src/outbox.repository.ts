import { Injectable } from '@nestjs/common';
import { literalLimit, prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';

/** An outbox row claimed for publishing. */
export interface ClaimedMessage {
  id: string;
  queue: string;
  envelope: Envelope;
}

/**
 * The outbox's backlog: rows unpublished for longer than the backlog age, or unconfirmed and not checked against
 * Redis for longer than the re-drive window and the backlog age (the re-drive is behind: a consumer merely slow
 * does not count, its rows are checked and found waiting), the age in seconds of the oldest unpublished row (0:
 * none), and the rows published and not yet confirmed by their consumer.
 */
export interface OutboxBacklogRow {
  count: number;
  oldestSeconds: number;
  unconfirmed: number;
}

/** A published, unconfirmed row due for a check against Redis. */
export interface UnconfirmedMessage {
  id: string;
  queue: string;
  envelope: Envelope;
}

/** The SQL of the outbox relay. */
@Injectable()
export class OutboxRepository {
  /** Reads only undelivered rows, through the partial index `outbox_undelivered`. */
  async backlog(
    manager: EntityManager,
    unpublishedAfterSeconds: number,
    unconfirmedAfterSeconds: number,
  ): Promise<OutboxBacklogRow> {
    const rows = await manager.query<Array<{ count: number; oldest: number; unconfirmed: number }>>(
      `SELECT count(*) FILTER (WHERE CASE WHEN "published_at" IS NULL
                THEN "created_at" < now() - make_interval(secs => $1::float8)
                ELSE "published_at" < now() - make_interval(secs => $1::float8 + $2::float8) END)::int AS "count",
              coalesce(extract(epoch FROM now() - min("created_at") FILTER (WHERE "published_at" IS NULL)), 0)::float8
                AS "oldest",
              count(*) FILTER (WHERE "published_at" IS NOT NULL)::int AS "unconfirmed"
         FROM ${this.table(manager)} WHERE "delivered_at" IS NULL`,
      [unpublishedAfterSeconds, unconfirmedAfterSeconds],
    );
    const row = rows.at(0);
    return {
      count: row?.count ?? 0,
      oldestSeconds: Math.max(0, row?.oldest ?? 0),
      unconfirmed: row?.unconfirmed ?? 0,
    };
  }

  /**
   * Marks the rows of these message ids delivered (ids of other apps' messages match nothing); a row a relay
   * crashed before marking published counts as published too, so it is not sent again. Returns the rows marked.
   */
  async confirm(manager: EntityManager, messageIds: readonly string[]): Promise<number> {
    if (messageIds.length === 0) return 0;
    const [, count] = await manager.query<[unknown[], number]>(
      `UPDATE ${this.table(manager)} SET "delivered_at" = now(), "published_at" = coalesce("published_at", now())
        WHERE "message_id" = ANY($1::uuid[]) AND "delivered_at" IS NULL`,
      [messageIds],
    );
    return count;
  }

  /**
   * Claims (SKIP LOCKED, in the caller's transaction) up to `limit` rows published more than `afterSeconds` ago
   * and still unconfirmed, the longest waiting first. A message not to run before a later date (a ramp step due next
   * year) waits in Redis as a delayed job: it is checked only once that date is `afterSeconds` past.
   */
  async claimUnconfirmed(
    manager: EntityManager,
    afterSeconds: number,
    limit: number,
  ): Promise<UnconfirmedMessage[]> {
    return manager.query<UnconfirmedMessage[]>(
      `SELECT "id", "queue", "envelope" FROM ${this.table(manager)}
        WHERE "delivered_at" IS NULL AND "published_at" < now() - make_interval(secs => $1)
          AND coalesce(("envelope"->>'notBefore')::timestamptz, '-infinity') < now() - make_interval(secs => $1)
        ORDER BY "published_at" LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [afterSeconds, limit],
    );
  }

  /** Marks claimed rows delivered (their job completed or failed in Redis: the consumer has had them). */
  async markDelivered(manager: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE ${this.table(manager)} SET "delivered_at" = now() WHERE "id" = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Starts the re-drive window of claimed rows again: queued once more, or found still waiting in Redis. */
  async markPublished(manager: EntityManager, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await manager.query(
      `UPDATE ${this.table(manager)} SET "published_at" = now() WHERE "id" = ANY($1::bigint[])`,
      [ids],
    );
  }

  /**
   * Claims the oldest unpublished rows no other relay holds (SKIP LOCKED) — at most `limit` rows and `maxBytes` of
   * envelopes, and at least one row — and marks them published, in one statement of the caller's transaction: the
   * mark holds only if that transaction commits (after the rows were published), and a rollback leaves them
   * unpublished for the next run. Returned in outbox order.
   */
  async claimBatch(manager: EntityManager, limit: number, maxBytes: number): Promise<ClaimedMessage[]> {
    const outbox = this.table(manager);
    const { rows } = await prepared<ClaimedMessage>(
      manager,
      `WITH "locked" AS (
         SELECT "id", pg_column_size("envelope") AS "size" FROM ${outbox}
          WHERE "published_at" IS NULL ORDER BY "id" ${literalLimit(limit)} FOR UPDATE SKIP LOCKED),
       "batch" AS (
         SELECT "id", sum("size") OVER (ORDER BY "id") AS "bytes", min("id") OVER () AS "first" FROM "locked")
       UPDATE ${outbox} o SET "published_at" = now()
         FROM "batch" b
        WHERE o."id" = b."id" AND (b."bytes" <= $1 OR b."id" = b."first")
       RETURNING o."id", o."queue", o."envelope"`,
      [maxBytes],
    );
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  private table(manager: EntityManager): string {
    return `"${manager.connection.driver.schema ?? 'public'}"."outbox"`;
  }
}
