import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage summed per contract, customer, product and UTC day (usage_days), kept by each ingestion's move: a usage
 * invoice reads its customer's days there instead of every stored event. Filled from the events stored before.
 */
export class UsageDays1764400002000 implements MigrationInterface {
  name = 'UsageDays1764400002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."usage_days" ("contract_id" text NOT NULL, "customer_id" text NOT NULL,
      "product_code" text NOT NULL, "day" date NOT NULL, "quantity" numeric NOT NULL, "events" integer NOT NULL,
      CONSTRAINT "PK_usage_days" PRIMARY KEY ("contract_id", "customer_id", "product_code", "day"))`);
    await q.query(
      `CREATE INDEX "usage_days_customer" ON "q2c"."usage_days" ("customer_id", "product_code", "day")`,
    );
    await q.query(`INSERT INTO "q2c"."usage_days" ("contract_id", "customer_id", "product_code", "day", "quantity",
        "events")
      SELECT "contract_id", "customer_id", "product_code", ("occurred_at" AT TIME ZONE 'UTC')::date, sum("quantity"),
             count(*)
        FROM "q2c"."usage_events" GROUP BY 1, 2, 3, 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."usage_days"`);
  }
}
