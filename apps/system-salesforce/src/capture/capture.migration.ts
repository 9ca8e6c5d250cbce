import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Change capture state: CDC replay position, poller cursors, what was queued per record, backfills. */
export class SalesforceCaptureState1764300000000 implements MigrationInterface {
  name = 'SalesforceCaptureState1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'salesforce'}"`;
    await q.query(`CREATE TABLE ${s}."cdc_position" (
      "channel" text NOT NULL,
      "replay_id" text NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_cdc_position" PRIMARY KEY ("channel"))`);
    await q.query(`CREATE TABLE ${s}."poll_cursor" (
      "name" text NOT NULL,
      "stamp" TIMESTAMP WITH TIME ZONE NOT NULL,
      "record_id" text NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_poll_cursor" PRIMARY KEY ("name"))`);
    await q.query(`CREATE TABLE ${s}."captured_record" (
      "object_type" text NOT NULL,
      "record_id" text NOT NULL,
      "content_hash" text NOT NULL,
      "revision" integer NOT NULL,
      "change_stamp" TIMESTAMP WITH TIME ZONE NOT NULL,
      "captured_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_captured_record" PRIMARY KEY ("object_type", "record_id"))`);
    await q.query(`CREATE TABLE ${s}."backfill" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "from_stamp" TIMESTAMP WITH TIME ZONE NOT NULL,
      "status" text NOT NULL DEFAULT 'running',
      "orders_queued" integer NOT NULL DEFAULT 0,
      "requested_by" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_backfill" PRIMARY KEY ("id"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'salesforce'}"`;
    for (const table of ['backfill', 'captured_record', 'poll_cursor', 'cdc_position'])
      await q.query(`DROP TABLE ${s}."${table}"`);
  }
}
