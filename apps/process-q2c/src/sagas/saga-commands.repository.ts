import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { CommandWrite } from '../lineage/lineage-recorder';
import { flushTransactionWrites, transactionWrites } from '../lineage/lineage-recorder';

/** A command row as a saga records it when sending (the payload as JSON text, serialised once, by the caller). */
export type SagaCommandRow = CommandWrite;

/** Writes the transaction's kept command rows first, so a statement on saga_commands sees them. */
async function settled(manager: EntityManager): Promise<void> {
  const writes = transactionWrites(manager);
  if (writes && (writes.commands.length > 0 || writes.confirmations.size > 0))
    await flushTransactionWrites(manager);
}

/** The saga_commands rows: each command a saga sent, by its idempotency key, and the answer that came back. */
@Injectable()
export class SagaCommandsRepository {
  /**
   * Records sent commands, in one statement; a key recorded already keeps its row. Inside a lineage batch the rows
   * are kept for the batch's statement at its end.
   */
  async insert(manager: EntityManager, rows: readonly SagaCommandRow[]): Promise<void> {
    if (rows.length === 0) return;
    const writes = transactionWrites(manager);
    if (writes) {
      // A key confirmed in the same batch is written in order: its confirmation first.
      if (rows.some((r) => writes.confirmations.has(r.key))) await flushTransactionWrites(manager);
      writes.commands.push(...rows);
      return;
    }
    await prepared(
      manager,
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
    await settled(manager);
    // Through a CTE: the driver answers a bare UPDATE ... RETURNING with its affected count beside the rows.
    const { rows } = await prepared<{ key: string; external_id: string | null }>(
      manager,
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

  /**
   * Marks commands confirmed as `confirm` does, when the caller needs no answer: inside a lineage batch, in the
   * batch's statement at its end.
   */
  async confirmLater(
    manager: EntityManager,
    confirmations: ReadonlyArray<{ key: string; targetId: string | null }>,
  ): Promise<void> {
    if (confirmations.length === 0) return;
    const writes = transactionWrites(manager);
    if (!writes) {
      await this.confirm(manager, confirmations);
      return;
    }
    // A row sent in the same batch is written before it is confirmed.
    if (writes.commands.some((c) => confirmations.some((k) => k.key === c.key)))
      await flushTransactionWrites(manager);
    for (const c of confirmations) writes.confirmations.set(c.key, c.targetId);
  }

  /** Marks still-sent commands rejected (a confirmed one stays posted). */
  async rejectSent(manager: EntityManager, keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await settled(manager);
    await manager.query(
      `UPDATE "q2c"."saga_commands" SET "status" = 'rejected'
        WHERE "idempotency_key" = ANY($1::text[]) AND "status" = 'sent'`,
      [keys],
    );
  }

  /** The saga that sent a command, and the command's job, by the command's idempotency key. */
  async sentBy(manager: EntityManager, key: string): Promise<{ sagaId: string; job: string } | null> {
    await settled(manager);
    const { rows } = await prepared<{ saga_id: string; job: string }>(
      manager,
      `SELECT "saga_id", "job" FROM "q2c"."saga_commands" WHERE "idempotency_key" = $1`,
      [key],
    );
    const row = rows.at(0);
    return row ? { sagaId: row.saga_id, job: row.job } : null;
  }

  /** A command's envelope as the saga sent it (its outbox row), by the command's idempotency key. */
  async sentEnvelope(manager: EntityManager, key: string): Promise<Envelope | null> {
    const rows = await manager.query<Array<{ envelope: Envelope }>>(
      `SELECT "envelope" FROM "q2c"."outbox" WHERE "idempotency_key" = $1 LIMIT 1`,
      [key],
    );
    return rows.at(0)?.envelope ?? null;
  }

  /** Whether a command of the saga stands refused. */
  async hasRejected(manager: EntityManager, sagaId: string): Promise<boolean> {
    await settled(manager);
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM "q2c"."saga_commands" WHERE "saga_id" = $1 AND "status" = 'rejected' LIMIT 1`,
      [sagaId],
    );
    return rows.length > 0;
  }
}
