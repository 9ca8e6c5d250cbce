import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/**
 * Runs one schema's pending migrations under an advisory lock, so many processes starting together run them
 * once. The schema is created first: TypeORM keeps its migrations table inside it.
 */
export async function runMigrations(options: PostgresConnectionOptions): Promise<string[]> {
  const dataSource = new DataSource({ ...options, poolSize: 3 });
  await dataSource.initialize();
  try {
    const schema = options.schema ?? 'public';
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [`revline-migrations:${schema}`]);
      await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [`revline-migrations:${schema}`]);
      await runner.release();
    }
  } finally {
    await dataSource.destroy();
  }
}
