import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The index retention finds expired lineage hops through. */
export class LineageRetention1764400001630 implements MigrationInterface {
  name = 'LineageRetention1764400001630';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "lineage_recorded_at" ON "q2c"."lineage" ("recorded_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."lineage_recorded_at"`);
  }
}
