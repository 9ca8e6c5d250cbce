import type { MigrationInterface, QueryRunner } from 'typeorm';

/** system-erp's record of the ERP customers it upserted: one row per external id (one per CRM account). */
export class ErpCustomers1765000000000 implements MigrationInterface {
  name = 'ErpCustomers1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'erp'}"`;
    await q.query(`CREATE TABLE ${s}."customers" (
      "external_id" text NOT NULL,
      "erp_id" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_erp_customers" PRIMARY KEY ("external_id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'erp'}"`;
    await q.query(`DROP TABLE ${s}."customers"`);
  }
}
