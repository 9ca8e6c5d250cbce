import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseConfig } from '@revline/config';
import type { MixedList } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

export interface PersistenceModuleOptions {
  schema: string;
  entities: MixedList<Function>;
  migrations: MixedList<Function>;
}

@Module({})
export class PersistenceModule {
  static forApp(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [DatabaseConfig],
          useFactory: (db: DatabaseConfig) =>
            dataSourceOptions({
              ...options,
              url: db.DATABASE_URL,
              poolSize: db.DATABASE_POOL_SIZE,
              planCacheMode: db.DATABASE_PLAN_CACHE_MODE,
            }),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
