import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The indexes retention finds expired outbox and inbox rows through. */
export class MessagingRetention1764400001610 implements MigrationInterface {
  name = 'MessagingRetention1764400001610';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(
      `CREATE INDEX "outbox_delivered" ON ${s}."outbox" ("delivered_at") WHERE "delivered_at" IS NOT NULL`,
    );
    await q.query(`CREATE INDEX "inbox_processed_at" ON ${s}."inbox" ("processed_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`DROP INDEX ${s}."inbox_processed_at"`);
    await q.query(`DROP INDEX ${s}."outbox_delivered"`);
  }
}
