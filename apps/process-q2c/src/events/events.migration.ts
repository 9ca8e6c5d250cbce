import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only canonical event store, the contracts it describes, and the customer master view. */
export class CanonicalEvents1764400000100 implements MigrationInterface {
  name = 'CanonicalEvents1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."canonical_events" (
      "event_id" uuid NOT NULL,
      "source_key" text NOT NULL,
      "event_type" text NOT NULL,
      "schema_version" text NOT NULL,
      "contract_id" text NOT NULL,
      "mapping_version" integer NOT NULL,
      "correlation_id" text NOT NULL,
      "causation_id" text,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "payload" jsonb NOT NULL,
      CONSTRAINT "UQ_canonical_events_source_key" UNIQUE ("source_key"),
      CONSTRAINT "PK_canonical_events" PRIMARY KEY ("event_id"))`);
    await q.query(
      `CREATE INDEX "canonical_events_contract" ON "q2c"."canonical_events" ("contract_id", "recorded_at")`,
    );
    await q.query(`CREATE FUNCTION "q2c"."canonical_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'canonical_events is append-only: % refused', TG_OP; END $$`);
    await q.query(`CREATE TRIGGER "canonical_events_append_only"
      BEFORE UPDATE OR DELETE OR TRUNCATE ON "q2c"."canonical_events"
      FOR EACH STATEMENT EXECUTE FUNCTION "q2c"."canonical_events_append_only"()`);
    await q.query(`CREATE TABLE "q2c"."contracts" (
      "contract_id" text NOT NULL,
      "salesforce_account_id" text NOT NULL,
      "currency" text NOT NULL,
      "term_start" date NOT NULL,
      "term_end" date NOT NULL,
      "status" text NOT NULL,
      "lines" jsonb NOT NULL,
      "last_event_id" uuid NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_contracts" PRIMARY KEY ("contract_id"))`);
    await q.query(`CREATE TABLE "q2c"."contract_refs" (
      "salesforce_contract_id" text NOT NULL,
      "contract_id" text NOT NULL,
      "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_contract_refs" PRIMARY KEY ("salesforce_contract_id"))`);
    await q.query(`CREATE TABLE "q2c"."customers" (
      "salesforce_account_id" text NOT NULL,
      "billing_customer_id" text,
      "erp_customer_id" text,
      "currency" text,
      "recorded_from" text NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_customers" PRIMARY KEY ("salesforce_account_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."customers"`);
    await q.query(`DROP TABLE "q2c"."contract_refs"`);
    await q.query(`DROP TABLE "q2c"."contracts"`);
    await q.query(`DROP TABLE "q2c"."canonical_events"`);
    await q.query(`DROP FUNCTION "q2c"."canonical_events_append_only"()`);
  }
}
