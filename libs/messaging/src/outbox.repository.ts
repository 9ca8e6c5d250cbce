import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Envelope } from './envelope';

/** An outbox row claimed for publishing. */
export interface ClaimedMessage {
  id: string;
  queue: string;
  envelope: Envelope;
}

/** Unpublished rows older than the backlog age, and the age in seconds of the oldest unpublished row (0: none). */
export interface OutboxBacklogRow {
  count: number;
  oldestSeconds: number;
}

/** The SQL of the outbox relay. */
@Injectable()
export class OutboxRepository {
  /** Reads only unpublished rows, through the partial index `outbox_unpublished`. */
  async backlog(manager: EntityManager, olderThanSeconds: number): Promise<OutboxBacklogRow> {
    const outbox = `"${manager.connection.driver.schema ?? 'public'}"."outbox"`;
    const rows = await manager.query<Array<{ count: number; oldest: number }>>(
      `SELECT count(*) FILTER (WHERE "created_at" < now() - make_interval(secs => $1))::int AS "count",
              coalesce(extract(epoch FROM now() - min("created_at")), 0)::float8 AS "oldest"
         FROM ${outbox} WHERE "published_at" IS NULL`,
      [olderThanSeconds],
    );
    const row = rows.at(0);
    return { count: row?.count ?? 0, oldestSeconds: Math.max(0, row?.oldest ?? 0) };
  }

  /**
   * Claims the oldest unpublished rows no other relay holds (SKIP LOCKED) — at most `limit` rows and `maxBytes` of
   * envelopes, and at least one row — and marks them published, in one statement of the caller's transaction: the
   * mark holds only if that transaction commits (after the rows were published), and a rollback leaves them
   * unpublished for the next run. Returned in outbox order.
   */
  async claimBatch(manager: EntityManager, limit: number, maxBytes: number): Promise<ClaimedMessage[]> {
    const outbox = `"${manager.connection.driver.schema ?? 'public'}"."outbox"`;
    const [rows] = await manager.query<[ClaimedMessage[], number]>(
      `WITH "locked" AS (
         SELECT "id", pg_column_size("envelope") AS "size" FROM ${outbox}
          WHERE "published_at" IS NULL ORDER BY "id" LIMIT $1 FOR UPDATE SKIP LOCKED),
       "batch" AS (
         SELECT "id", sum("size") OVER (ORDER BY "id") AS "bytes", min("id") OVER () AS "first" FROM "locked")
       UPDATE ${outbox} o SET "published_at" = now()
         FROM "batch" b
        WHERE o."id" = b."id" AND (b."bytes" <= $2 OR b."id" = b."first")
       RETURNING o."id", o."queue", o."envelope"`,
      [limit, maxBytes],
    );
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }
}
