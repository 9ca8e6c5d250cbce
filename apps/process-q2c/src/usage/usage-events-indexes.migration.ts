import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops usage_events' secondary indexes, which only cost every insert their upkeep: an ingestion reads its billing
 * commands and lineage back from the sums its move returns (a temporary table of its transaction), not by
 * (ingestion_id, command_key), and no query reads usage events by (contract_id, occurred_at). The primary key
 * (identifier) stays: it is how a repeat is found.
 */
export class UsageEventsIndexes1764400001900 implements MigrationInterface {
  name = 'UsageEventsIndexes1764400001900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."usage_events_ingestion"`);
    await q.query(`DROP INDEX "q2c"."usage_events_contract"`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "usage_events_contract" ON "q2c"."usage_events" ("contract_id", "occurred_at")`,
    );
    await q.query(
      `CREATE INDEX "usage_events_ingestion" ON "q2c"."usage_events" ("ingestion_id", "command_key")`,
    );
  }
}
