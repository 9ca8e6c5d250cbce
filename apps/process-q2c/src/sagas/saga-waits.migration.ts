import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds the saga a billing document is for without reading every saga: an issued invoice looks a saga up by the
 * invoice it awaits, by the renewal period it awaits, or by the step it waits in and its subscription (see
 * billing-events.handler). Expression indexes, declared on the entity with `synchronize: false`.
 */
export class SagaWaitIndexes1764400000710 implements MigrationInterface {
  name = 'SagaWaitIndexes1764400000710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "sagas_awaiting_invoice" ON "q2c"."sagas" (("data"->>'awaitingInvoiceId'))
        WHERE "data"->>'awaitingInvoiceId' IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "sagas_awaiting_renewal" ON "q2c"."sagas" (("data"->>'awaitingRenewalFrom'), ("data"->>'subscriptionId'))
        WHERE "data"->>'awaitingRenewalFrom' IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX "sagas_step_subscription" ON "q2c"."sagas" ("step", ("data"->>'subscriptionId'))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."sagas_step_subscription"`);
    await q.query(`DROP INDEX "q2c"."sagas_awaiting_renewal"`);
    await q.query(`DROP INDEX "q2c"."sagas_awaiting_invoice"`);
  }
}
