import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops usage_events' index on (ingestion_id, command_key): an ingestion reads its billing commands and lineage back
 * from the aggregates its move returns (a temporary table of its transaction), not from q2c.usage_events, so the
 * index only cost every insert its upkeep.
 */
export class UsageEventsIngestionIndex1764400001900 implements MigrationInterface {
  name = 'UsageEventsIngestionIndex1764400001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."usage_events_ingestion"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "usage_events_ingestion" ON "q2c"."usage_events" ("ingestion_id", "command_key")`,
    );
  }
}
