import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The finance console's sessions (see ConsoleSessionEntity). */
export class ConsoleSessions1764400001500 implements MigrationInterface {
  name = 'ConsoleSessions1764400001500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "experience"."console_sessions" (
      "id" uuid NOT NULL DEFAULT gen_random_uuid(),
      "token_hash" text NOT NULL,
      "key_id" uuid NOT NULL,
      "csrf_token" text NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "revoked_at" TIMESTAMP WITH TIME ZONE,
      CONSTRAINT "PK_console_sessions" PRIMARY KEY ("id"))`);
    await q.query(
      `CREATE UNIQUE INDEX "console_sessions_token_hash" ON "experience"."console_sessions" ("token_hash")`,
    );
    await q.query(`CREATE INDEX "console_sessions_key_id" ON "experience"."console_sessions" ("key_id")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "experience"."console_sessions"`);
  }
}
