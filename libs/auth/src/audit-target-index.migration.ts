import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The audit log read by what an action was done to (an exception's history in the workbench), newest last. */
export class PlatformAuditTargetIndex1764400001700 implements MigrationInterface {
  name = 'PlatformAuditTargetIndex1764400001700';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_audit_log_target" ON "platform"."audit_log" ("target", "id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "platform"."IDX_audit_log_target"`);
  }
}
