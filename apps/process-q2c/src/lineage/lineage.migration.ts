import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lineage: every hop of a contract change through Salesforce, Revline, billing and the ERP. */
export class Lineage1764400000300 implements MigrationInterface {
  name = 'Lineage1764400000300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."lineage" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "contract_id" text,
      "system" text NOT NULL,
      "object_type" text NOT NULL,
      "external_id" text NOT NULL,
      "status" text NOT NULL,
      "correlation_id" text NOT NULL,
      "causation_id" text,
      "detail" text,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_lineage" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "lineage_hop" ON "q2c"."lineage" ("correlation_id", "system", "object_type", "external_id", "status")`,
    );
    await q.query(`CREATE INDEX "lineage_contract" ON "q2c"."lineage" ("contract_id", "occurred_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."lineage"`);
  }
}
