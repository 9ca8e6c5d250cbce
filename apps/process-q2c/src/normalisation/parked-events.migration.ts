import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Messages waiting for something that has not arrived yet (an amendment waiting for its booking). */
export class ParkedEvents1764400000200 implements MigrationInterface {
  name = 'ParkedEvents1764400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."parked_events" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "wait_key" text NOT NULL,
      "job" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "correlation_id" text NOT NULL,
      "reason" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "status" text NOT NULL DEFAULT 'parked',
      "parked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "released_at" TIMESTAMP WITH TIME ZONE,
      "republished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_parked_events" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "parked_events_job_idempotency_key" ON "q2c"."parked_events" ("job", "idempotency_key")`,
    );
    await q.query(
      `CREATE INDEX "parked_events_waiting" ON "q2c"."parked_events" ("wait_key") WHERE "status" = 'parked'`,
    );
    await q.query(
      `CREATE INDEX "parked_events_to_republish" ON "q2c"."parked_events" ("released_at") WHERE "status" = 'released' AND "republished_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."parked_events"`);
  }
}
