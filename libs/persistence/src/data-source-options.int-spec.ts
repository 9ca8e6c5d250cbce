import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { dataSourceOptions } from './data-source-options';
import { prepared } from './lean-reads';

const url = `${process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432'}/postgres`;

async function planCacheModeOf(planCacheMode?: string): Promise<string> {
  const dataSource = await new DataSource(
    dataSourceOptions({ schema: 'public', entities: [], migrations: [], url, poolSize: 1, planCacheMode }),
  ).initialize();
  try {
    // On a pooled connection, as the apps' named prepared statements run.
    const { rows } = await prepared<{ plan_cache_mode: string }>(dataSource, 'SHOW plan_cache_mode', []);
    return rows[0].plan_cache_mode;
  } finally {
    await dataSource.destroy();
  }
}

describe('dataSourceOptions', () => {
  it("sets Postgres's plan_cache_mode on every connection of the pool when given one, and leaves the server's otherwise", async () => {
    const server = await planCacheModeOf();
    expect(await planCacheModeOf('force_generic_plan')).toBe('force_generic_plan');
    expect(await planCacheModeOf('force_custom_plan')).toBe('force_custom_plan');
    expect(await planCacheModeOf('')).toBe(server);
  });
});
