import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lineage rows are keyed by their recording sequence instead of a random uuid that nothing read: a booking records
 * about eighteen hops, and each one's key went into a random leaf of the uuid index; the sequence's index grows at
 * its right edge.
 */
export class LineageSequenceKey1764400002200 implements MigrationInterface {
  name = 'LineageSequenceKey1764400002200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."lineage" DROP CONSTRAINT "PK_lineage"`);
    await q.query(`ALTER TABLE "q2c"."lineage" DROP COLUMN "id"`);
    await q.query(`ALTER TABLE "q2c"."lineage" ADD CONSTRAINT "PK_lineage" PRIMARY KEY ("seq")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "q2c"."lineage" DROP CONSTRAINT "PK_lineage"`);
    await q.query(`ALTER TABLE "q2c"."lineage" ADD "id" uuid NOT NULL DEFAULT gen_random_uuid()`);
    await q.query(`ALTER TABLE "q2c"."lineage" ADD CONSTRAINT "PK_lineage" PRIMARY KEY ("id")`);
  }
}
