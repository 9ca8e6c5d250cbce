import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API key gets an owner (a person's id or a service name) and the owners of the keys that minted it, so
 * maker-checker compares people, not keys. Keys made before: a root key (bootstrap, service, seeded) is owned by what
 * created it; a key minted by a key is owned by its minter's owner, as minting always inherited until now.
 */
export class PlatformKeyOwners1764400001100 implements MigrationInterface {
  name = 'PlatformKeyOwners1764400001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."api_keys"
      ADD COLUMN "owner" text,
      ADD COLUMN "minted_by_owners" text array NOT NULL DEFAULT '{}'`);
    await q.query(`WITH RECURSIVE "chain" ("id", "owner") AS (
        SELECT "id", CASE "created_by" WHEN 'bootstrap' THEN 'bootstrap-admin' ELSE "created_by" END
          FROM "platform"."api_keys" WHERE "created_by" !~ '^api-key:[0-9a-f-]{36} '
        UNION ALL
        SELECT k."id", c."owner" FROM "platform"."api_keys" k
          JOIN "chain" c ON substring(k."created_by" from '^api-key:([0-9a-f-]{36}) ') = c."id"::text)
      UPDATE "platform"."api_keys" k SET "owner" = c."owner" FROM "chain" c WHERE c."id" = k."id"`);
    await q.query(
      `UPDATE "platform"."api_keys" SET "owner" = 'unknown-minter:' || "created_by" WHERE "owner" IS NULL`,
    );
    await q.query(`ALTER TABLE "platform"."api_keys" ALTER COLUMN "owner" SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "platform"."api_keys" DROP COLUMN "minted_by_owners", DROP COLUMN "owner"`);
  }
}
