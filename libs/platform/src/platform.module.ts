import type { DynamicModule, ModuleMetadata } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AuthModule } from '@revline/auth';
import type { ConfigClass } from '@revline/config';
import {
  AuthConfig,
  DatabaseConfig,
  HttpConfig,
  LogConfig,
  QueueDashboardConfig,
  RedisConfig,
  RetentionConfig,
  RevlineConfigModule,
  TenantConfig,
  WorkerConfig,
} from '@revline/config';
import type { ForwardingSystem, QueueName } from '@revline/messaging';
import { MessagingModule } from '@revline/messaging';
import { MetricsService } from '@revline/observability';
import { PersistenceModule } from '@revline/persistence';
import type { AppDatabase } from './app-database';
import { appEntities, appMigrations } from './app-database';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { DashboardSessions } from './dashboard-session';
import { QueueDashboard } from './queue-dashboard';

export interface PlatformOptions {
  /** The app's own config namespaces, validated at start with the shared ones. */
  config?: ConfigClass<object>[];
  /** The Postgres schema the app owns, with its entities and migrations. Omit for an app with no database. */
  database?: AppDatabase;
  /** API keys and the deny-by-default guard; `manageKeys` serves /v1/api-keys from this app. */
  auth?: { manageKeys?: boolean };
  /** Queues: the ones this app consumes (its workers); it may produce to any. */
  messaging?: {
    consumes: QueueName[];
    dashboard?: boolean;
    forwardExceptions?: ForwardingSystem;
    /** Jobs in hand at once for a queue, where it is not WORKER_CONCURRENCY (a handler that batches its jobs). */
    concurrency?: Partial<Record<QueueName, number>>;
  };
}

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
class MetricsModule {}

/** Everything an app shares with the others: config, logs, metrics, health, persistence, auth, messaging. */
@Module({})
export class PlatformModule {
  static forApp(options: PlatformOptions): DynamicModule {
    const imports: NonNullable<ModuleMetadata['imports']> = [MetricsModule, TerminusModule];
    const providers: NonNullable<ModuleMetadata['providers']> = [];
    const config: ConfigClass<object>[] = [HttpConfig, LogConfig, ...(options.config ?? [])];
    if (options.database) {
      config.push(DatabaseConfig);
      const db = { ...options.database, messaging: Boolean(options.messaging) };
      imports.push(
        PersistenceModule.forApp({
          schema: db.schema,
          entities: appEntities(db),
          migrations: appMigrations(db),
        }),
      );
    }
    if (options.auth) {
      config.push(AuthConfig, RedisConfig);
      imports.push(AuthModule.forRoot({ manageKeys: options.auth.manageKeys }));
    }
    if (options.messaging) {
      if (!config.includes(RedisConfig)) config.push(RedisConfig);
      config.push(WorkerConfig, TenantConfig, RetentionConfig);
      imports.push(
        MessagingModule.forApp({
          consumes: options.messaging.consumes,
          forwardExceptions: options.messaging.forwardExceptions,
          concurrency: options.messaging.concurrency,
        }),
      );
      if (options.messaging.dashboard) {
        config.push(QueueDashboardConfig);
        providers.push(DashboardSessions, QueueDashboard);
      }
    }
    imports.unshift(RevlineConfigModule.forRoot(config));
    return { module: PlatformModule, imports, providers, controllers: [HealthController, MetricsController] };
  }
}
