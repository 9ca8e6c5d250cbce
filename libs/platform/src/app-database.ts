import {
  AUTH_ENTITIES,
  PLATFORM_SCHEMA,
  PlatformAuth1764201600001,
  PlatformAuditHashScheme1764400001102,
  PlatformKeyOwners1764400001100,
} from '@revline/auth';
import { DatabaseConfig, loadConfig } from '@revline/config';
import {
  MESSAGING_ENTITIES,
  MessagingRetention1764400001610,
  MessagingTables1764201600000,
  OutboxDelivery1764400001600,
} from '@revline/messaging';
import { dataSourceOptions } from '@revline/persistence';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

/** One app's database: the schema it owns, its entities and migrations, and whether it has the message tables. */
export interface AppDatabase {
  schema: string;
  entities?: Function[];
  migrations?: Function[];
  messaging?: boolean;
}

/** The platform schema (API keys, audit log) that every app reads and the migrate command creates first. */
export const PLATFORM_DATABASE: AppDatabase = {
  schema: PLATFORM_SCHEMA,
  entities: AUTH_ENTITIES,
  migrations: [
    PlatformAuth1764201600001,
    PlatformKeyOwners1764400001100,
    PlatformAuditHashScheme1764400001102,
  ],
};

export function appEntities(db: AppDatabase): Function[] {
  return [...AUTH_ENTITIES, ...(db.messaging ? MESSAGING_ENTITIES : []), ...(db.entities ?? [])];
}

export function appMigrations(db: AppDatabase): Function[] {
  return [
    ...(db.messaging
      ? [MessagingTables1764201600000, OutboxDelivery1764400001600, MessagingRetention1764400001610]
      : []),
    ...(db.migrations ?? []),
  ];
}

/** The DataSource options of an app, the same for Nest, the TypeORM CLI and the migrate command. */
export function appDataSourceOptions(
  db: AppDatabase,
  url = loadConfig(DatabaseConfig).DATABASE_URL,
): PostgresConnectionOptions {
  const migrations = db.schema === PLATFORM_SCHEMA ? (db.migrations ?? []) : appMigrations(db);
  return dataSourceOptions({ schema: db.schema, entities: appEntities(db), migrations, url });
}
