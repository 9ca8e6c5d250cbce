import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';
import { runMigrations } from './run-migrations';

const server = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `revline_test_${randomBytes(6).toString('hex')}`;
const url = `${server}/${name}`;

class CreateWidgets1764201600900 implements MigrationInterface {
  name = 'CreateWidgets1764201600900';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "persistence_spec"."widgets" ("id" serial PRIMARY KEY)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "persistence_spec"."widgets"`);
  }
}

describe('runMigrations', () => {
  afterAll(async () => {
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('creates the database and the schema, and applies each migration once when many processes race', async () => {
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    const options = dataSourceOptions({
      schema: 'persistence_spec',
      entities: [],
      migrations: [CreateWidgets1764201600900],
      url,
    });
    const runs = await Promise.all([runMigrations(options), runMigrations(options), runMigrations(options)]);
    expect(runs.flat()).toEqual(['CreateWidgets1764201600900']);
    const client = new Client({ connectionString: url });
    await client.connect();
    const applied = await client.query('SELECT name FROM persistence_spec.migrations');
    await client.end();
    expect(applied.rows).toEqual([{ name: 'CreateWidgets1764201600900' }]);
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(ensureDatabase(`${server}/bad-name;drop`)).rejects.toThrow(/must be letters, digits and _/);
  });
});
