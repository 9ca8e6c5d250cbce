import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A command row as a saga records it when sending. */
export interface SagaCommandRow {
  key: string;
  sagaId: string;
  step: string;
  job: string;
  status: 'sent' | 'confirmed';
  externalId: string | null;
  /** The payload as JSON text (serialised once, by the caller). */
  payload: string;
}

/** The saga_commands rows: each command a saga sent, by its idempotency key, and the answer that came back. */
@Injectable()
export class SagaCommandsRepository {
  /** Records sent commands, in one statement; a key recorded already keeps its row. */
  async insert(manager: EntityManager, rows: readonly SagaCommandRow[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       SELECT u."key", u."saga_id"::uuid, u."step", u."job", u."status", u."external_id", u."payload"::jsonb
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS u("key", "saga_id", "step", "job", "status", "external_id", "payload")
       ON CONFLICT ("idempotency_key") DO NOTHING`,
      [
        rows.map((r) => r.key),
        rows.map((r) => r.sagaId),
        rows.map((r) => r.step),
        rows.map((r) => r.job),
        rows.map((r) => r.status),
        rows.map((r) => r.externalId),
        rows.map((r) => r.payload),
      ],
    );
  }

  /**
   * Marks commands confirmed with the target id each was given, in one statement; answers the external id each
   * was sent under, by key (a key with no row is absent).
   */
  async confirm(
    manager: EntityManager,
    confirmations: ReadonlyArray<{ key: string; targetId: string | null }>,
  ): Promise<Map<string, string | null>> {
    if (confirmations.length === 0) return new Map();
    // Through a CTE: the driver answers a bare UPDATE ... RETURNING with its affected count beside the rows.
    const rows = await manager.query<Array<{ key: string; external_id: string | null }>>(
      `WITH done AS (
         UPDATE "q2c"."saga_commands" c SET "status" = 'confirmed', "confirmed_at" = now(), "target_id" = u."target_id"
           FROM unnest($1::text[], $2::text[]) AS u("key", "target_id")
          WHERE c."idempotency_key" = u."key"
          RETURNING c."idempotency_key" AS "key", c."external_id")
       SELECT "key", "external_id" FROM done`,
      [confirmations.map((c) => c.key), confirmations.map((c) => c.targetId)],
    );
    return new Map(rows.map((r) => [r.key, r.external_id]));
  }

  /** Marks still-sent commands rejected (a confirmed one stays posted). */
  async rejectSent(manager: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await manager.query(
      `UPDATE "q2c"."saga_commands" SET "status" = 'rejected'
        WHERE "idempotency_key" = ANY($1::text[]) AND "status" = 'sent'`,
      [keys],
    );
  }

  /** The saga that sent a command, and the command's job, by the command's idempotency key. */
  async sentBy(manager: EntityManager, key: string): Promise<{ sagaId: string; job: string } | null> {
    const rows = await manager.query<Array<{ saga_id: string; job: string }>>(
      `SELECT "saga_id", "job" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1`,
      [key],
    );
    const row = rows.at(0);
    return row ? { sagaId: row.saga_id, job: row.job } : null;
  }

  /** Whether a command of the saga stands refused. */
  async hasRejected(manager: EntityManager, sagaId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM "q2c"."saga_commands" WHERE "saga_id" = $1 AND "status" = 'rejected' LIMIT 1`,
      [sagaId],
    );
    return rows.length > 0;
  }
}
