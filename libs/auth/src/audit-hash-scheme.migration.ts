import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit rows say how they were hashed. Rows written before are `legacy` (hashed over member orders jsonb does not
 * keep); the apps write `rfc8785-sha256` from now on. Adding the column rewrites no row.
 */
export class PlatformAuditHashScheme1764400001102 implements MigrationInterface {
  name = 'PlatformAuditHashScheme1764400001102';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "platform"."audit_log" ADD COLUMN "hash_scheme" text NOT NULL DEFAULT 'legacy'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."audit_log" DROP COLUMN "hash_scheme"`);
  }
}
