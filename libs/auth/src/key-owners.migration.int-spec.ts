import { dataSourceOptions, ensureDatabase, runMigrations } from '@revline/persistence';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlatformKeyOwners1764400001100 } from './key-owners.migration';
import { PlatformAuth1764201600001 } from './platform.migration';

const server = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';
const name = `revline_test_${randomBytes(6).toString('hex')}`;
const url = `${server}/${name}`;
const options = (migrations: Function[]) =>
  dataSourceOptions({ schema: 'platform', entities: [], migrations, url });

describe('PlatformKeyOwners migration: owners for keys made before it', () => {
  const client = new Client({ connectionString: url });

  beforeAll(async () => {
    await ensureDatabase(url);
    await runMigrations(options([PlatformAuth1764201600001]));
    await client.connect();
  });

  afterAll(async () => {
    await client.end();
    const admin = new Client({ connectionString: `${server}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  });

  it('gives a root key its creator and a minted key, down any chain, its root minter’s owner', async () => {
    const insert = async (id: string, createdBy: string) => {
      await client.query(
        `INSERT INTO platform.api_keys (id, name, prefix, key_hash, roles, created_by) VALUES ($1::uuid, $1::text, 'rvl_', $1::text, '{integration.admin}', $2)`,
        [id, createdBy],
      );
    };
    const boot = '00000000-0000-4000-8000-000000000001';
    const minted = '00000000-0000-4000-8000-000000000002';
    const grandchild = '00000000-0000-4000-8000-000000000003';
    const service = '00000000-0000-4000-8000-000000000004';
    await insert(boot, 'bootstrap');
    await insert(minted, `api-key:${boot} (bootstrap admin)`);
    await insert(grandchild, `api-key:${minted} (${minted})`);
    await insert(service, 'experience-finance');
    await runMigrations(options([PlatformAuth1764201600001, PlatformKeyOwners1764400001100]));
    const rows = await client.query<{ id: string; owner: string; minted_by_owners: string[] }>(
      `SELECT id, owner, minted_by_owners FROM platform.api_keys ORDER BY id`,
    );
    expect(rows.rows).toEqual([
      { id: boot, owner: 'bootstrap-admin', minted_by_owners: [] },
      { id: minted, owner: 'bootstrap-admin', minted_by_owners: [] },
      { id: grandchild, owner: 'bootstrap-admin', minted_by_owners: [] },
      { id: service, owner: 'experience-finance', minted_by_owners: [] },
    ]);
  });
});
