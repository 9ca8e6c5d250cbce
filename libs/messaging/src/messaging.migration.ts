import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox, inbox and exceptions tables, which every app that sends or consumes messages owns in its own
 * schema. One definition, instantiated per schema by each app's migration list.
 */
export class MessagingTables1764201600000 implements MigrationInterface {
  name = 'MessagingTables1764201600000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`CREATE TABLE ${s}."outbox" (
      "id" BIGSERIAL NOT NULL,
      "message_id" uuid NOT NULL,
      "queue" text NOT NULL,
      "job" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "published_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_outbox_message_id" UNIQUE ("message_id"),
      CONSTRAINT "PK_outbox" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "outbox_job_idempotency_key" ON ${s}."outbox" ("job", "idempotency_key")`,
    );
    await q.query(`CREATE INDEX "outbox_unpublished" ON ${s}."outbox" ("id") WHERE "published_at" IS NULL`);
    await q.query(`CREATE TABLE ${s}."inbox" (
      "consumer" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "message_id" uuid NOT NULL,
      "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_inbox" PRIMARY KEY ("consumer", "idempotency_key"))`);
    await q.query(`CREATE TABLE ${s}."exceptions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "category" text NOT NULL,
      "reason" text NOT NULL,
      "status" text NOT NULL DEFAULT 'open',
      "queue" text NOT NULL,
      "job" text NOT NULL,
      "idempotency_key" text NOT NULL,
      "correlation_id" text NOT NULL,
      "envelope" jsonb NOT NULL,
      "details" jsonb NOT NULL DEFAULT '{}',
      "occurrences" integer NOT NULL DEFAULT 1,
      "first_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "last_seen_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "resolved_at" TIMESTAMP WITH TIME ZONE,
      "resolution" text,
      CONSTRAINT "PK_exceptions" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "exceptions_job_idempotency_key" ON ${s}."exceptions" ("job", "idempotency_key")`,
    );
    await q.query(
      `CREATE INDEX "exceptions_open" ON ${s}."exceptions" ("category", "first_seen_at") WHERE "status" <> 'resolved'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`DROP TABLE ${s}."exceptions"`);
    await q.query(`DROP TABLE ${s}."inbox"`);
    await q.query(`DROP TABLE ${s}."outbox"`);
  }
}
