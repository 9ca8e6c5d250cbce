import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Invoices the billing platform voided or marked uncollectible, with the ERP reversal asked for each. */
export class VoidedInvoices1764400000850 implements MigrationInterface {
  name = 'VoidedInvoices1764400000850';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."voided_invoices" (
      "invoice_id" text NOT NULL,
      "status" text NOT NULL,
      "customer_id" text NOT NULL,
      "total_minor" bigint NOT NULL,
      "currency" text NOT NULL,
      "voided_on" date NOT NULL,
      "saga_id" uuid,
      "reversal_external_id" text,
      "reversal_on" date,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_voided_invoices" PRIMARY KEY ("invoice_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."voided_invoices"`);
  }
}
