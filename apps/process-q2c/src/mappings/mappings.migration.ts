import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_MAPPING } from './default-mapping';

/** Mapping versions, with version 1 (the defaults) seeded active. */
export class MappingVersions1764400000000 implements MigrationInterface {
  name = 'MappingVersions1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."mapping_versions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "version" integer NOT NULL,
      "status" text NOT NULL,
      "based_on_version" integer,
      "definition" jsonb NOT NULL,
      "summary" text NOT NULL,
      "proposed_by" text NOT NULL,
      "proposed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "decided_by" text,
      "decided_at" TIMESTAMP WITH TIME ZONE,
      "decision_reason" text,
      "activated_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_mapping_versions_version" UNIQUE ("version"),
      CONSTRAINT "PK_mapping_versions" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "mapping_versions_one_active" ON "q2c"."mapping_versions" ("status") WHERE "status" = 'active'`,
    );
    await q.query(
      `INSERT INTO "q2c"."mapping_versions"
         ("version", "status", "definition", "summary", "proposed_by", "proposed_at", "decided_by", "decided_at", "activated_at")
       VALUES (1, 'active', $1, 'Seed: standard and CPQ fields, starter catalogue', 'migration', now(), 'migration', now(), now())
       ON CONFLICT ("version") DO NOTHING`,
      [JSON.stringify(DEFAULT_MAPPING)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."mapping_versions"`);
  }
}
