import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `outbox.delivered_at`: when the consumer confirmed it applied the message (not when Redis accepted it), with the
 * partial index the re-drive and the backlog read. Rows published before this migration and more than an hour ago
 * count as delivered (the contract of their time); younger ones are checked against Redis like any other.
 */
export class OutboxDelivery1764400001600 implements MigrationInterface {
  name = 'OutboxDelivery1764400001600';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`ALTER TABLE ${s}."outbox" ADD "delivered_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(
      `UPDATE ${s}."outbox" SET "delivered_at" = "published_at" WHERE "published_at" < now() - interval '1 hour'`,
    );
    await q.query(
      `CREATE INDEX "outbox_undelivered" ON ${s}."outbox" ("published_at") WHERE "delivered_at" IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`DROP INDEX ${s}."outbox_undelivered"`);
    await q.query(`ALTER TABLE ${s}."outbox" DROP COLUMN "delivered_at"`);
  }
}
