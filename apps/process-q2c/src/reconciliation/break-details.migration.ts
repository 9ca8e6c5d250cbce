import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a break needs to be read without its checkpoint's docs: the currency and customer, the unit its values are
 * in (money in minor units apart from quantities), both sides' source record ids and which side changed since
 * they last agreed; a run's contract or customer scope; and the indexes the open-breaks list pages on.
 */
export class BreakDetails1764400001400 implements MigrationInterface {
  name = 'BreakDetails1764400001400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."reconciliation_breaks"
      ADD COLUMN "currency" text,
      ADD COLUMN "customer_id" text,
      ADD COLUMN "unit" text NOT NULL DEFAULT 'text',
      ADD COLUMN "expected_source_id" text,
      ADD COLUMN "actual_source_id" text,
      ADD COLUMN "changed_side" text`);
    // A run may be scoped to one contract or one customer: runs of different scopes no longer refuse each other.
    await q.query(
      `ALTER TABLE "q2c"."reconciliation_runs" ADD COLUMN "contract_id" text, ADD COLUMN "customer_id" text`,
    );
    await q.query(`DROP INDEX "q2c"."reconciliation_runs_one_running"`);
    await q.query(
      `CREATE UNIQUE INDEX "reconciliation_runs_one_running" ON "q2c"."reconciliation_runs" ("scope", coalesce("contract_id", ''), coalesce("customer_id", '')) WHERE "status" = 'running'`,
    );
    await q.query(
      `CREATE INDEX "reconciliation_breaks_open_page" ON "q2c"."reconciliation_breaks" ("break_id") WHERE "status" = 'open'`,
    );
    await q.query(
      `CREATE INDEX "reconciliation_breaks_open_customer" ON "q2c"."reconciliation_breaks" ("customer_id", "break_id") WHERE "status" = 'open'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."reconciliation_runs_one_running"`);
    await q.query(
      `CREATE UNIQUE INDEX "reconciliation_runs_one_running" ON "q2c"."reconciliation_runs" ("scope") WHERE "status" = 'running'`,
    );
    await q.query(
      `ALTER TABLE "q2c"."reconciliation_runs" DROP COLUMN "contract_id", DROP COLUMN "customer_id"`,
    );
    await q.query(`DROP INDEX "q2c"."reconciliation_breaks_open_customer"`);
    await q.query(`DROP INDEX "q2c"."reconciliation_breaks_open_page"`);
    await q.query(`ALTER TABLE "q2c"."reconciliation_breaks"
      DROP COLUMN "currency", DROP COLUMN "customer_id", DROP COLUMN "unit", DROP COLUMN "expected_source_id",
      DROP COLUMN "actual_source_id", DROP COLUMN "changed_side"`);
  }
}
