import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The index retention finds expired processed Stripe events through. */
export class StripeEventsRetention1764400001620 implements MigrationInterface {
  name = 'StripeEventsRetention1764400001620';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'public'}"`;
    await q.query(`CREATE INDEX "stripe_events_received_at" ON ${s}."stripe_events" ("received_at")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "${q.connection.driver.schema ?? 'public'}"."stripe_events_received_at"`);
  }
}
