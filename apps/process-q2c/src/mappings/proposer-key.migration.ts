import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The key a mapping version was proposed with, so maker-checker can compare its owner with the approver's. */
export class MappingProposerKey1764400001101 implements MigrationInterface {
  name = 'MappingProposerKey1764400001101';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."mapping_versions" ADD COLUMN "proposed_by_key_id" uuid`);
    await q.query(`UPDATE "q2c"."mapping_versions"
      SET "proposed_by_key_id" = substring("proposed_by" from '^api-key:([0-9a-f-]{36}) ')::uuid
      WHERE "proposed_by" ~ '^api-key:[0-9a-f-]{36} '`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."mapping_versions" DROP COLUMN "proposed_by_key_id"`);
  }
}
