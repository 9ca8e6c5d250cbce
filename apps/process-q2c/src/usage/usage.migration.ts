import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Usage events staged by POST /v1/usage, unique by the sender's identifier. */
export class UsageEvents1764400000600 implements MigrationInterface {
  name = 'UsageEvents1764400000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."usage_events" (
      "identifier" text NOT NULL,
      "contract_id" text NOT NULL,
      "customer_id" text NOT NULL,
      "product_code" text NOT NULL,
      "quantity" numeric NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "command_key" text NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_usage_events" PRIMARY KEY ("identifier"))`);
    await q.query(
      `CREATE INDEX "usage_events_contract" ON "q2c"."usage_events" ("contract_id", "occurred_at")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."usage_events"`);
  }
}
