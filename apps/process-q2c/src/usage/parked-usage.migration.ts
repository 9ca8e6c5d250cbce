import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage parked for its contract's booking (USAGE_UNKNOWN_CONTRACT=park): each event once per identifier, with the
 * ingestion it came in with, until the contract is booked and the events are ingested; and how many an ingestion
 * parked.
 */
export class ParkedUsage1764400000990 implements MigrationInterface {
  name = 'ParkedUsage1764400000990';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."parked_usage" (
      "identifier" text NOT NULL,
      "contract_id" text NOT NULL,
      "product_code" text NOT NULL,
      "quantity" numeric NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "ingestion_id" uuid NOT NULL,
      "parked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_parked_usage" PRIMARY KEY ("identifier"))`);
    await q.query(
      `CREATE INDEX "parked_usage_contract" ON "q2c"."parked_usage" ("contract_id", "identifier")`,
    );
    await q.query(`ALTER TABLE "q2c"."usage_ingestions" ADD "parked" bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."usage_ingestions" DROP COLUMN "parked"`);
    await q.query(`DROP TABLE "q2c"."parked_usage"`);
  }
}
