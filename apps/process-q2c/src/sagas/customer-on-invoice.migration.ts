import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A booking's ERP customer rides on its invoice (no `erp_customer` step any more): a saga stored at that step moves
 * on to the billing change. A customer command it sent is still awaited and confirmed as before.
 */
export class CustomerOnInvoice1764400000980 implements MigrationInterface {
  name = 'CustomerOnInvoice1764400000980';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "q2c"."sagas" SET "step" = 'billing_change' WHERE "step" = 'erp_customer'`);
  }

  async down(): Promise<void> {
    // Nothing to undo: the billing change is where such a saga would have gone next.
  }
}
