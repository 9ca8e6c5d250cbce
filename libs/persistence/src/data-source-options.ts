import type { MixedList } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

export interface AppDataSourceSpec {
  /** The Postgres schema the app owns; its tables and its migrations table live there. */
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
  url: string;
  poolSize?: number;
  applicationName?: string;
  /** Postgres's plan_cache_mode for the pool's connections, set at connect (DATABASE_PLAN_CACHE_MODE). */
  planCacheMode?: string;
}

/**
 * The one DataSource definition: Nest's TypeOrmModule and the TypeORM CLI both build from it.
 * `synchronize` is off everywhere; the schema only changes through migrations.
 */
export function dataSourceOptions(spec: AppDataSourceSpec): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url: spec.url,
    schema: spec.schema,
    entities: spec.entities,
    migrations: spec.migrations,
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    applicationName: spec.applicationName ?? `revline-${spec.schema}`,
    poolSize: spec.poolSize ?? 10,
    // bigint columns come back as strings, never as lossy numbers.
    parseInt8: false,
    ...(spec.planCacheMode ? { extra: { options: `-c plan_cache_mode=${spec.planCacheMode}` } } : {}),
  };
}
