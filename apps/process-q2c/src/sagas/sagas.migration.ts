import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Sagas, the commands they sent, and the billing documents they consume. */
export class Sagas1764400000400 implements MigrationInterface {
  name = 'Sagas1764400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."sagas" (
      "saga_id" uuid NOT NULL,
      "event_id" uuid NOT NULL,
      "kind" text NOT NULL,
      "contract_id" text NOT NULL,
      "status" text NOT NULL,
      "step" text NOT NULL,
      "correlation_id" text NOT NULL,
      "committed_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "sla_deadline" TIMESTAMP WITH TIME ZONE,
      "data" jsonb NOT NULL,
      "last_error" text,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "UQ_sagas_event_id" UNIQUE ("event_id"),
      CONSTRAINT "PK_sagas" PRIMARY KEY ("saga_id"))`);
    await q.query(`CREATE INDEX "sagas_contract" ON "q2c"."sagas" ("contract_id", "started_at")`);
    await q.query(`CREATE INDEX "sagas_deadline" ON "q2c"."sagas" ("status", "sla_deadline")`);
    await q.query(`CREATE TABLE "q2c"."saga_commands" (
      "idempotency_key" text NOT NULL,
      "saga_id" uuid NOT NULL,
      "step" text NOT NULL,
      "job" text NOT NULL,
      "status" text NOT NULL,
      "external_id" text,
      "target_id" text,
      "payload" jsonb NOT NULL,
      "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "confirmed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_saga_commands" PRIMARY KEY ("idempotency_key"))`);
    await q.query(`CREATE INDEX "saga_commands_saga" ON "q2c"."saga_commands" ("saga_id")`);
    await q.query(`CREATE TABLE "q2c"."billing_documents" (
      "document_id" text NOT NULL,
      "kind" text NOT NULL,
      "customer_id" text NOT NULL,
      "subscription_id" text,
      "saga_id" uuid,
      "payload" jsonb NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_billing_documents" PRIMARY KEY ("document_id"))`);
    await q.query(
      `CREATE INDEX "billing_documents_customer" ON "q2c"."billing_documents" ("customer_id", "kind")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."billing_documents"`);
    await q.query(`DROP TABLE "q2c"."saga_commands"`);
    await q.query(`DROP TABLE "q2c"."sagas"`);
  }
}
