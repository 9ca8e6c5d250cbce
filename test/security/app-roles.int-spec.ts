import { runMigrations } from '@revline/persistence';
import { applyAppRoles, appDataSourceOptions } from '@revline/platform';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase, TEST_SERVER_URL } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE as Q2C } from '../../apps/process-q2c/src/database';
import { DATABASE as BILLING } from '../../apps/system-billing/src/database';

const suffix = randomBytes(4).toString('hex');
const Q2C_ROLE = `revline_t_q2c_${suffix}`;
const BILLING_ROLE = `revline_t_billing_${suffix}`;

function urlAs(db: TestDatabase, role: string, password?: string): string {
  const url = new URL(db.url);
  url.username = role;
  url.password = password ?? '';
  return url.toString();
}

async function as<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The SQLSTATE a statement fails with, or `ok`. */
async function outcome(client: Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

const AUDIT_ROW = `INSERT INTO platform.audit_log ("at", "actor", "action", "target", "prev_hash", "hash")
  VALUES (now(), 'key:test', 'test.action', 'target-1', 'genesis', '${'ab'.repeat(32)}')`;

describe('one database role per app', () => {
  let db: TestDatabase;
  let q2cUrl: string;

  beforeAll(async () => {
    db = await createTestDatabase(Q2C);
    await runMigrations(appDataSourceOptions(BILLING, db.url));
    q2cUrl = urlAs(db, Q2C_ROLE, 'q2c-role-password-for-the-test');
    const granted = await applyAppRoles(db.url, [
      { schema: 'q2c', url: q2cUrl },
      { schema: 'billing', url: urlAs(db, BILLING_ROLE) },
    ]);
    expect(granted).toEqual([`${Q2C_ROLE}→q2c`, `${BILLING_ROLE}→billing`]);
  });

  afterAll(async () => {
    await db.drop();
    await as(`${TEST_SERVER_URL}/postgres`, async (admin) => {
      for (const role of [Q2C_ROLE, BILLING_ROLE]) await admin.query(`DROP ROLE IF EXISTS ${role}`);
    });
  });

  it("owns its schema and every object in it, and nothing in another app's or the platform's", async () => {
    const owned = await db.dataSource.query<{ nspname: string; objects: string }[]>(
      `SELECT n.nspname, count(c.oid)::text AS objects FROM pg_namespace n
         LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)
        WHERE n.nspname IN ('q2c', 'billing', 'platform') AND (n.nspowner = (SELECT oid FROM pg_roles WHERE rolname = $1) OR c.oid IS NOT NULL)
        GROUP BY n.nspname`,
      [Q2C_ROLE],
    );
    expect(owned.map((row) => row.nspname)).toEqual(['q2c']);
    const notOwned = await db.dataSource.query<{ relname: string }[]>(
      `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'q2c' AND c.relkind IN ('r', 'S', 'v') AND pg_get_userbyid(c.relowner) <> $1`,
      [Q2C_ROLE],
    );
    expect(notOwned).toEqual([]);
  });

  it("works in its own schema (and can migrate it) but cannot read another app's", async () => {
    await as(q2cUrl, async (client) => {
      expect(await outcome(client, 'SELECT count(*) FROM q2c.migrations')).toBe('ok');
      expect(await outcome(client, 'CREATE TABLE q2c.role_probe (id int)')).toBe('ok');
      expect(await outcome(client, 'DROP TABLE q2c.role_probe')).toBe('ok');
      expect(await outcome(client, 'SELECT count(*) FROM billing.migrations')).toBe('42501');
      expect(await outcome(client, 'CREATE TABLE billing.role_probe (id int)')).toBe('42501');
      expect(await outcome(client, 'CREATE TABLE platform.role_probe (id int)')).toBe('42501');
    });
  });

  it('appends to the audit log and reads it, but can never update, delete or truncate it', async () => {
    await as(q2cUrl, async (client) => {
      expect(await outcome(client, AUDIT_ROW)).toBe('ok');
      expect(await outcome(client, 'SELECT "hash" FROM platform.audit_log ORDER BY "id" DESC LIMIT 1')).toBe(
        'ok',
      );
      expect(await outcome(client, `UPDATE platform.audit_log SET "actor" = 'someone-else'`)).toBe('42501');
      expect(await outcome(client, 'DELETE FROM platform.audit_log')).toBe('42501');
      expect(await outcome(client, 'TRUNCATE platform.audit_log')).toBe('42501');
      expect(await outcome(client, 'ALTER TABLE platform.audit_log DISABLE TRIGGER ALL')).toBe('42501');
    });
    const rows = await db.dataSource.query<{ actor: string }[]>(`SELECT "actor" FROM platform.audit_log`);
    expect(rows.map((r) => r.actor)).toEqual(['key:test']);
  });

  it('reads, mints and revokes API keys, but cannot delete one', async () => {
    await as(q2cUrl, async (client) => {
      const insert = `INSERT INTO platform.api_keys ("name", "prefix", "key_hash", "roles", "created_by", "owner")
        VALUES ('probe', 'rvl_', '${'cd'.repeat(32)}', '{finance.viewer}', 'test', 'person:probe')`;
      expect(await outcome(client, insert)).toBe('ok');
      expect(
        await outcome(client, `UPDATE platform.api_keys SET "revoked_at" = now() WHERE "name" = 'probe'`),
      ).toBe('ok');
      expect(await outcome(client, `DELETE FROM platform.api_keys WHERE "name" = 'probe'`)).toBe('42501');
    });
  });

  it('runs again without change, and refuses a superuser or one role for two apps', async () => {
    await expect(applyAppRoles(db.url, [{ schema: 'q2c', url: q2cUrl }])).resolves.toEqual([
      `${Q2C_ROLE}→q2c`,
    ]);
    await expect(applyAppRoles(db.url, [{ schema: 'q2c', url: urlAs(db, 'postgres') }])).rejects.toThrow(
      /role postgres \(for q2c\) is a superuser or the migrating role/,
    );
    const shared = [
      { schema: 'q2c', url: q2cUrl },
      { schema: 'billing', url: q2cUrl },
    ];
    await expect(applyAppRoles(db.url, shared)).rejects.toThrow(
      `role ${Q2C_ROLE} is given to both q2c and billing`,
    );
  });
});
