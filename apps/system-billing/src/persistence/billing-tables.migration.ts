import type { MigrationInterface, QueryRunner } from 'typeorm';

/** system-billing's own tables: planned Stripe requests, contract links, taken-in events and object states. */
export class BillingTables1764300000000 implements MigrationInterface {
  name = 'BillingTables1764300000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'billing'}"`;
    await q.query(`CREATE TABLE ${s}."stripe_requests" (
      "idempotency_key" text NOT NULL,
      "operation" text NOT NULL,
      "params" jsonb NOT NULL,
      "response" jsonb,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "completed_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_stripe_requests" PRIMARY KEY ("idempotency_key"))`);
    await q.query(`CREATE TABLE ${s}."contract_links" (
      "contract_id" text NOT NULL,
      "customer_id" text NOT NULL,
      "subscription_id" text NOT NULL,
      "schedule_id" text,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "UQ_contract_links_subscription_id" UNIQUE ("subscription_id"),
      CONSTRAINT "PK_contract_links" PRIMARY KEY ("contract_id"))`);
    await q.query(`CREATE TABLE ${s}."stripe_events" (
      "event_id" text NOT NULL,
      "type" text NOT NULL,
      "object_id" text NOT NULL,
      "created" bigint NOT NULL,
      "source" text NOT NULL,
      "stale" boolean NOT NULL,
      "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_stripe_events" PRIMARY KEY ("event_id"))`);
    await q.query(`CREATE TABLE ${s}."stripe_objects" (
      "object_id" text NOT NULL,
      "object_type" text NOT NULL,
      "event_id" text NOT NULL,
      "event_created" bigint NOT NULL,
      "data" jsonb NOT NULL,
      CONSTRAINT "PK_stripe_objects" PRIMARY KEY ("object_id"))`);
    await q.query(`CREATE TABLE ${s}."stripe_event_cursor" (
      "name" text NOT NULL,
      "last_created" bigint NOT NULL,
      "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_stripe_event_cursor" PRIMARY KEY ("name"))`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'billing'}"`;
    for (const table of [
      'stripe_event_cursor',
      'stripe_objects',
      'stripe_events',
      'contract_links',
      'stripe_requests',
    ])
      await q.query(`DROP TABLE ${s}."${table}"`);
  }
}
