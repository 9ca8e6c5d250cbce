import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Reconciliation runs and the breaks they find. */
export class Reconciliation1764400000700 implements MigrationInterface {
  name = 'Reconciliation1764400000700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."reconciliation_runs" (
      "run_id" uuid NOT NULL,
      "scope" text NOT NULL,
      "period" text NOT NULL,
      "trigger" text NOT NULL,
      "status" text NOT NULL,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "finished_at" TIMESTAMP WITH TIME ZONE,
      "error" text,
      "checkpoints" jsonb NOT NULL DEFAULT '[]',
      CONSTRAINT "PK_reconciliation_runs" PRIMARY KEY ("run_id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "reconciliation_runs_one_running" ON "q2c"."reconciliation_runs" ("scope") WHERE "status" = 'running'`,
    );
    await q.query(`CREATE INDEX "reconciliation_runs_started" ON "q2c"."reconciliation_runs" ("started_at")`);
    await q.query(`CREATE TABLE "q2c"."reconciliation_breaks" (
      "break_id" uuid NOT NULL,
      "checkpoint" text NOT NULL,
      "category" text NOT NULL,
      "period" text,
      "contract_id" text,
      "object_type" text NOT NULL,
      "object_id" text NOT NULL,
      "field" text NOT NULL DEFAULT '',
      "expected" text,
      "actual" text,
      "difference" text,
      "correlation_id" text,
      "first_run_id" uuid NOT NULL,
      "last_run_id" uuid NOT NULL,
      "status" text NOT NULL,
      "opened_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "closed_at" TIMESTAMP WITH TIME ZONE,
      "closed_by_run_id" uuid,
      CONSTRAINT "PK_reconciliation_breaks" PRIMARY KEY ("break_id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "reconciliation_breaks_open_key" ON "q2c"."reconciliation_breaks" ("checkpoint", "category", "object_type", "object_id", "field") WHERE "status" = 'open'`,
    );
    await q.query(
      `CREATE INDEX "reconciliation_breaks_contract" ON "q2c"."reconciliation_breaks" ("contract_id")`,
    );
    await q.query(
      `CREATE INDEX "reconciliation_breaks_opened" ON "q2c"."reconciliation_breaks" ("opened_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."reconciliation_breaks"`);
    await q.query(`DROP TABLE "q2c"."reconciliation_runs"`);
  }
}
