import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeysController } from './api-keys.controller';
import { ApiKeys } from './api-keys.service';
import { AuditHead } from './audit-head';
import { AuditLogRepository } from './audit-log.repository';
import { AuditLog } from './audit-log.service';
import { MakerChecker } from './maker-checker';

export interface AuthModuleOptions {
  /** Serve the key-management routes (`/v1/api-keys`) from this app. */
  manageKeys?: boolean;
}

@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions = {}): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      controllers: options.manageKeys ? [ApiKeysController] : [],
      providers: [
        ApiKeys,
        AuditLog,
        AuditLogRepository,
        AuditHead,
        MakerChecker,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
      ],
      exports: [ApiKeys, AuditLog, MakerChecker],
    };
  }
}
