import { ensureDatabase, runMigrations } from '@revline/persistence';
import type { AppDatabase } from '@revline/platform';
import { appDataSourceOptions, PLATFORM_DATABASE } from '@revline/platform';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface TestDatabase {
  url: string;
  name: string;
  /** A DataSource on the app's schema (with the platform tables), for assertions and seeding. */
  dataSource: DataSource;
  drop(): Promise<void>;
}

/**
 * A fresh database for one suite, migrated like production (platform schema first, then the app's), so no
 * suite sees another's leftovers. `process.env.DATABASE_URL` is pointed at it for apps built afterwards.
 */
export async function createTestDatabase(app: AppDatabase): Promise<TestDatabase> {
  const name = `revline_test_${randomBytes(6).toString('hex')}`;
  const url = `${TEST_SERVER_URL}/${name}`;
  await ensureDatabase(url);
  await runMigrations(appDataSourceOptions(PLATFORM_DATABASE, url));
  await runMigrations(appDataSourceOptions(app, url));
  process.env.DATABASE_URL = url;
  const dataSource = await new DataSource({ ...appDataSourceOptions(app, url), poolSize: 4 }).initialize();
  return {
    url,
    name,
    dataSource,
    async drop() {
      await dataSource.destroy();
      const admin = new Client({ connectionString: `${TEST_SERVER_URL}/postgres` });
      await admin.connect();
      try {
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}
