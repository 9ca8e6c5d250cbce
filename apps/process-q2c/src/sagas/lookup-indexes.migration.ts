import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lookups each booking makes that read a whole table without these, a cost that grows with every contract ever
 * booked: an issued invoice matched to its saga by subscription (billing_documents); a saga's contract-asset
 * figures from the billing documents its contract's sagas consumed (by saga), leaving out the contract's usage
 * invoices (saga_commands rows of step `usage_invoice`, by the contract their payload names — an expression index,
 * declared on the entity with `synchronize: false`).
 */
export class SagaLookupIndexes1764400002100 implements MigrationInterface {
  name = 'SagaLookupIndexes1764400002100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "billing_documents_subscription" ON "q2c"."billing_documents" ("subscription_id", "kind")`,
    );
    await q.query(`CREATE INDEX "billing_documents_saga" ON "q2c"."billing_documents" ("saga_id")`);
    await q.query(
      `CREATE INDEX "saga_commands_usage_invoice" ON "q2c"."saga_commands" (("payload"->>'contractId'))
        WHERE "step" = 'usage_invoice' AND "job" = 'erp.post-invoice'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."saga_commands_usage_invoice"`);
    await q.query(`DROP INDEX "q2c"."billing_documents_saga"`);
    await q.query(`DROP INDEX "q2c"."billing_documents_subscription"`);
  }
}
