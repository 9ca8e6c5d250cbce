import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Period close: each contract obligation's latest revenue schedule as the sagas computed it, the usage revenue of
 * each usage invoice by month of use, and the revenue runs
 * that post a period's revenue to the ERP in summarised journals, with their contract-level lines.
 */
export class RevenueRuns1764400000900 implements MigrationInterface {
  name = 'RevenueRuns1764400000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "q2c"."revenue_schedules" (
      "contract_id" text NOT NULL,
      "obligation_id" text NOT NULL,
      "schedule_version" integer NOT NULL,
      "currency" text NOT NULL,
      "subsidiary" text NOT NULL,
      "product_class" text NOT NULL,
      "periods" jsonb NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_revenue_schedules" PRIMARY KEY ("contract_id", "obligation_id"))`);
    await q.query(`CREATE TABLE "q2c"."usage_revenue" (
      "document_id" text NOT NULL,
      "contract_id" text NOT NULL,
      "obligation_id" text NOT NULL,
      "period" text NOT NULL,
      "currency" text NOT NULL,
      "subsidiary" text NOT NULL,
      "product_class" text NOT NULL,
      "amount_minor" bigint NOT NULL,
      CONSTRAINT "PK_usage_revenue" PRIMARY KEY ("document_id", "contract_id", "obligation_id", "period"))`);
    // Usage revenue booked before: each usage invoice's journals carried the cumulative amount of their month, so
    // an invoice's own amount is its journal's less the version before it.
    await q.query(`INSERT INTO "q2c"."usage_revenue" ("document_id", "contract_id", "obligation_id", "period",
        "currency", "subsidiary", "product_class", "amount_minor")
      SELECT split_part("idempotency_key", ':', 2), "payload"->>'contractId', "payload"->>'obligationId',
             "payload"->>'period', upper("payload"->'amount'->>'currency'), "payload"->>'subsidiary',
             "payload"->>'productClass',
             ("payload"->'amount'->>'amountMinor')::bigint - coalesce(lag(("payload"->'amount'->>'amountMinor')::bigint)
               OVER (PARTITION BY "payload"->>'contractId', "payload"->>'obligationId', "payload"->>'period'
                     ORDER BY ("payload"->>'scheduleVersion')::int), 0)
        FROM "q2c"."saga_commands" WHERE "step" = 'usage_invoice' AND "job" = 'erp.post-revenue-journal'
      ON CONFLICT DO NOTHING`);
    await q.query(`CREATE TABLE "q2c"."revenue_runs" (
      "run_id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "period" text NOT NULL,
      "sequence" integer NOT NULL,
      "mode" text NOT NULL,
      "state" text NOT NULL,
      "requested_by" text NOT NULL,
      "correlation_id" text NOT NULL,
      "contracts" integer NOT NULL DEFAULT 0,
      "lines" integer NOT NULL DEFAULT 0,
      "reason" text,
      "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "finished_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_revenue_runs" PRIMARY KEY ("run_id"),
      CONSTRAINT "UQ_revenue_runs_period_sequence" UNIQUE ("period", "sequence"),
      CONSTRAINT "CHK_revenue_runs_state" CHECK ("state" IN ('posting', 'posted', 'failed')))`);
    await q.query(`CREATE TABLE "q2c"."revenue_run_journals" (
      "external_id" text NOT NULL,
      "run_id" uuid NOT NULL REFERENCES "q2c"."revenue_runs" ("run_id"),
      "subsidiary" text NOT NULL,
      "currency" text NOT NULL,
      "chunk" integer NOT NULL,
      "lines" integer NOT NULL,
      "debit_minor" bigint NOT NULL,
      "status" text NOT NULL,
      "erp_id" text,
      "error" text,
      CONSTRAINT "PK_revenue_run_journals" PRIMARY KEY ("external_id"),
      CONSTRAINT "CHK_revenue_run_journals_status" CHECK ("status" IN ('sent', 'posted', 'rejected')))`);
    await q.query(`CREATE INDEX "IDX_revenue_run_journals_run" ON "q2c"."revenue_run_journals" ("run_id")`);
    await q.query(`CREATE TABLE "q2c"."revenue_run_lines" (
      "run_id" uuid NOT NULL REFERENCES "q2c"."revenue_runs" ("run_id"),
      "contract_id" text NOT NULL,
      "obligation_id" text NOT NULL,
      "subsidiary" text NOT NULL,
      "currency" text NOT NULL,
      "product_class" text NOT NULL,
      "recognised_to_date_minor" bigint NOT NULL,
      "billed_to_date_minor" bigint NOT NULL,
      "revenue_minor" bigint NOT NULL,
      "unbilled_minor" bigint NOT NULL,
      "journal_external_id" text REFERENCES "q2c"."revenue_run_journals" ("external_id"),
      CONSTRAINT "PK_revenue_run_lines" PRIMARY KEY ("run_id", "contract_id", "obligation_id"))`);
    await q.query(
      `CREATE INDEX "IDX_revenue_run_lines_contract" ON "q2c"."revenue_run_lines" ("contract_id", "obligation_id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "q2c"."revenue_run_lines"`);
    await q.query(`DROP TABLE "q2c"."revenue_run_journals"`);
    await q.query(`DROP TABLE "q2c"."revenue_runs"`);
    await q.query(`DROP TABLE "q2c"."usage_revenue"`);
    await q.query(`DROP TABLE "q2c"."revenue_schedules"`);
  }
}
