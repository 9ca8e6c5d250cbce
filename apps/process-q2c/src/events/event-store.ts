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

  async hasSource(manager: EntityManager, sourceKey: string): Promise<boolean> {
    const { rowCount } = await prepared(
      manager,
      `SELECT 1 FROM "q2c"."canonical_events" WHERE "source_key" = $1`,
      [sourceKey],
    );
    return (rowCount ?? 0) > 0;
  }
}
