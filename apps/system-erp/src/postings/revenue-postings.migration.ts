import type { MigrationInterface, QueryRunner } from 'typeorm';

/** system-erp's record of revenue journals posted per contract, obligation, period and schedule version. */
export class ErpRevenuePostings1764300000000 implements MigrationInterface {
  name = 'ErpRevenuePostings1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'erp'}"`;
    await q.query(`CREATE TABLE ${s}."revenue_postings" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "contract_id" text NOT NULL,
      "obligation_id" text NOT NULL,
      "period" text NOT NULL,
      "schedule_version" integer NOT NULL,
      "currency" text NOT NULL,
      "period_amount_minor" bigint NOT NULL,
      "posted_amount_minor" bigint NOT NULL,
      "product_class" text NOT NULL,
      "subsidiary" text NOT NULL,
      "external_id" text NOT NULL,
      "erp_id" text,
      "outcome" text NOT NULL,
      "command_key" text NOT NULL,
      "posted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_revenue_postings" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "revenue_postings_version" ON ${s}."revenue_postings" ("contract_id", "obligation_id", "period", "schedule_version")`,
    );
    await q.query(`CREATE INDEX "revenue_postings_period" ON ${s}."revenue_postings" ("period")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'erp'}"`;
    await q.query(`DROP TABLE ${s}."revenue_postings"`);
  }
}
