import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The platform schema: API keys and the append-only audit log, shared by every app. */
export class PlatformAuth1764201600001 implements MigrationInterface {
  name = 'PlatformAuth1764201600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "platform"."api_keys" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "name" text NOT NULL,
      "prefix" text NOT NULL,
      "key_hash" text NOT NULL,
      "roles" text array NOT NULL,
      "created_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_api_keys" PRIMARY KEY ("id"))`);
    await q.query(`CREATE UNIQUE INDEX "api_keys_key_hash" ON "platform"."api_keys" ("key_hash")`);
    await q.query(`CREATE TABLE "platform"."audit_log" (
      "id" BIGSERIAL NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "actor" text NOT NULL,
      "action" text NOT NULL,
      "target" text NOT NULL,
      "before" jsonb,
      "after" jsonb,
      "correlation_id" text,
      "prev_hash" text NOT NULL,
      "hash" text NOT NULL,
      CONSTRAINT "UQ_audit_log_hash" UNIQUE ("hash"),
      CONSTRAINT "PK_audit_log" PRIMARY KEY ("id"))`);
    await q.query(`CREATE FUNCTION "platform"."audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END $$`);
    await q.query(`CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE OR TRUNCATE ON "platform"."audit_log"
      FOR EACH STATEMENT EXECUTE FUNCTION "platform"."audit_log_append_only"()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "platform"."audit_log"`);
    await q.query(`DROP FUNCTION "platform"."audit_log_append_only"()`);
    await q.query(`DROP TABLE "platform"."api_keys"`);
  }
}
