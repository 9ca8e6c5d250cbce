import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage ingestions: one record per POST /v1/usage (lines read, accepted, rejected with the first reasons, state),
 * and the ingestion each staged usage event came in with (its billing commands are read back by it).
 */
export class UsageIngestions1764400000970 implements MigrationInterface {
  name = 'UsageIngestions1764400000970';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."usage_ingestions" (
      "ingestion_id" uuid NOT NULL,
      "mode" text NOT NULL,
      "state" text NOT NULL,
      "content_type" text NOT NULL,
      "requested_by" text NOT NULL,
      "lines_read" bigint NOT NULL DEFAULT 0,
      "accepted" bigint NOT NULL DEFAULT 0,
      "duplicates" bigint NOT NULL DEFAULT 0,
      "rejected" bigint NOT NULL DEFAULT 0,
      "rejects" jsonb NOT NULL DEFAULT '[]',
      "detail" text,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "finished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_usage_ingestions" PRIMARY KEY ("ingestion_id"),
      CONSTRAINT "CHK_usage_ingestions_mode" CHECK ("mode" IN ('whole', 'partial')),
      CONSTRAINT "CHK_usage_ingestions_state" CHECK ("state" IN ('running', 'applied', 'rejected', 'failed')))`);
    await q.query(`ALTER TABLE "q2c"."usage_events" ADD "ingestion_id" uuid`);
    await q.query(
      `CREATE INDEX "usage_events_ingestion" ON "q2c"."usage_events" ("ingestion_id", "command_key")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."usage_events_ingestion"`);
    await q.query(`ALTER TABLE "q2c"."usage_events" DROP COLUMN "ingestion_id"`);
    await q.query(`DROP TABLE "q2c"."usage_ingestions"`);
  }
}
