import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';

export type StoredEvent = ContractBooked | ContractAmended;

/** The append-only canonical event store. */
@Injectable()
export class EventStore {
  /** Appends in the caller's transaction; false when an event with that id or source key is already stored. */
  async append(manager: EntityManager, event: StoredEvent, contractId: string): Promise<boolean> {
    const { rowCount } = await prepared(
      manager,
      `INSERT INTO "q2c"."canonical_events"
         ("event_id", "source_key", "event_type", "schema_version", "contract_id", "mapping_version",
          "correlation_id", "causation_id", "occurred_at", "payload")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
       ON CONFLICT DO NOTHING
       RETURNING "event_id"`,
      [
        event.messageId,
        event.idempotencyKey,
        event.eventType,
        event.schemaVersion,
        contractId,
        event.mappingVersion ?? 0,
        event.correlationId,
        event.causationId,
        event.occurredAt,
        JSON.stringify(event),
      ],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * `append`, for an event normalised with the version it names (`mappingVersion`), which the same statement confirms
   * is the active one: stored is false when the event's source key is stored already, or when another version is
   * active (then nothing is written and `activeVersion` says which is).
   */
  async appendUnderMapping(
    manager: EntityManager,
    event: StoredEvent,
    contractId: string,
  ): Promise<{ stored: boolean; activeVersion: number | null }> {
    const { rows } = await prepared<{ active: number | null; stored: boolean }>(
      manager,
      `WITH "active" AS (SELECT "version" FROM "q2c"."mapping_versions" WHERE "status" = 'active'),
       "stored" AS (
         INSERT INTO "q2c"."canonical_events"
           ("event_id", "source_key", "event_type", "schema_version", "contract_id", "mapping_version",
            "correlation_id", "causation_id", "occurred_at", "payload")
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::int, $7::text, $8::text, $9::timestamptz,
                $10::jsonb
           FROM "active" WHERE "active"."version" = $6::int
         ON CONFLICT DO NOTHING
         RETURNING "event_id")
       SELECT (SELECT "version" FROM "active") AS "active", EXISTS (SELECT 1 FROM "stored") AS "stored"`,
      [
        event.messageId,
        event.idempotencyKey,
        event.eventType,
        event.schemaVersion,
        contractId,
        event.mappingVersion ?? 0,
        event.correlationId,
        event.causationId,
        event.occurredAt,
        JSON.stringify(event),
      ],
    );
    // The statement always answers one row (its SELECT has no FROM).
    const [row] = rows as [{ active: number | null; stored: boolean }];
    return { stored: row.stored, activeVersion: row.active };
  }

  async hasSource(manager: EntityManager, sourceKey: string): Promise<boolean> {
    const { rowCount } = await prepared(
      manager,
      `SELECT 1 FROM "q2c"."canonical_events" WHERE "source_key" = $1`,
      [sourceKey],
    );
    return (rowCount ?? 0) > 0;
  }
}
