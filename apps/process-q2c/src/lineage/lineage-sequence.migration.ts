import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A recording sequence for lineage hops: hops written in one transaction share their timestamps, not their order. */
export class LineageSequence1764400000500 implements MigrationInterface {
  name = 'LineageSequence1764400000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."lineage" ADD "seq" BIGSERIAL NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."lineage" DROP COLUMN "seq"`);
  }
}
