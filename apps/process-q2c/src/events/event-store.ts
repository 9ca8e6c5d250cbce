import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { CustomerRecord } from './customer-master';

export type StoredEvent = ContractBooked | ContractAmended;

/** An event row's insert parameters, $1 to $10 of both appends (the payload as JSON text). */
function eventValues(event: StoredEvent, contractId: string): unknown[] {
  return [
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
  ];
}

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
      eventValues(event, contractId),
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * `append`, for an event normalised with the version it names (`mappingVersion`), which the same statement confirms
   * is the active one: nothing is written when another version is active (`activeVersion` says which is). With
   * `heldCurrency`, nothing is written either when the customer master holds a currency for that account (not empty)
   * other than `currency`: `conflicting` answers its record. Otherwise stored is false when the source key is stored.
   */
  async appendUnderMapping(
    manager: EntityManager,
    event: StoredEvent,
    contractId: string,
    heldCurrency: { salesforceAccountId: string; currency: string } | null,
  ): Promise<{ stored: boolean; activeVersion: number | null; conflicting: CustomerRecord | null }> {
    const { rows } = await prepared<{
      active: number | null;
      stored: boolean;
      conflicting: CustomerRecord | null;
    }>(
      manager,
      `WITH "active" AS (SELECT "version" FROM "q2c"."mapping_versions" WHERE "status" = 'active'),
       "held" AS (
         SELECT "billing_customer_id" AS "billingCustomerId", "erp_customer_id" AS "erpCustomerId", "currency",
                "recorded_from" AS "recordedFrom"
           FROM "q2c"."customers"
          WHERE "salesforce_account_id" = $11::text AND "currency" <> '' AND "currency" <> $12::text),
       "stored" AS (
         INSERT INTO "q2c"."canonical_events"
           ("event_id", "source_key", "event_type", "schema_version", "contract_id", "mapping_version",
            "correlation_id", "causation_id", "occurred_at", "payload")
         SELECT $1::uuid, $2::text, $3::text, $4::text, $5::text, $6::int, $7::text, $8::text, $9::timestamptz,
                $10::jsonb
           FROM "active" WHERE "active"."version" = $6::int AND NOT EXISTS (SELECT 1 FROM "held")
         ON CONFLICT DO NOTHING
         RETURNING "event_id")
       SELECT (SELECT "version" FROM "active") AS "active", EXISTS (SELECT 1 FROM "stored") AS "stored",
              (SELECT to_jsonb("held") FROM "held") AS "conflicting"`,
      [
        ...eventValues(event, contractId),
        heldCurrency?.salesforceAccountId ?? null,
        heldCurrency?.currency ?? null,
      ],
    );
    // The statement always answers one row (its SELECT has no FROM).
    const [row] = rows as [{ active: number | null; stored: boolean; conflicting: CustomerRecord | null }];
    return { stored: row.stored, activeVersion: row.active, conflicting: row.conflicting };
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
