import { Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PlatformModule } from '@revline/platform';
import type { FastifyInstance } from 'fastify';
import { AccountRunner } from './account/account-runner';
import { NetSuiteGenerateController } from './admin/generate.controller';
import { ConcurrencyGate } from './account/concurrency-gate';
import { FaultSwitches } from './account/fault-switches';
import { SandboxAdminController } from './admin/sandbox-admin.controller';
import { RolePermissions } from './auth/role-permissions';
import { TbaGuard } from './auth/tba.guard';
import { MALFORMED_JSON } from './errors/malformed-json';
import { GeneralLedger } from './ledger/general-ledger';
import { NetSuiteSandboxConfig } from './netsuite-sandbox.config';
import { SandboxProfileConfig } from '../profile/sandbox-profile.config';
import { PrepareRecord } from './records/prepare-record';
import { RecordStore } from './records/record-store';
import { MetadataCatalogController } from './records/metadata-catalog.controller';
import { GovernanceLimitsController } from './system/governance-limits.controller';
import { RecordsController } from './records/records.controller';
import { RecordsService } from './records/records.service';
import { ReferenceResolver } from './records/reference-resolver';
import { TransformRecord } from './records/transform-record';
import { SuiteQlController } from './suiteql/suiteql.controller';
import { SuiteQlSandboxConfig } from './suiteql/suiteql.config';
import { SuiteQlTables } from './suiteql/suiteql-tables';
import { NetSuiteStateKeeper } from './netsuite-state.keeper';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';

/**
 * The NetSuite stand-in. It checks NetSuite's own credentials (OAuth 1.0a TBA), not Revline API keys, and keeps
 * its account (records, general ledger, periods) in memory, in a file too when `SANDBOX_STATE_DIR` is set.
 */
@Module({
  imports: [
    PlatformModule.forApp({
      config: [NetSuiteSandboxConfig, SandboxStateConfig, SandboxProfileConfig, SuiteQlSandboxConfig],
    }),
  ],
  controllers: [
    RecordsController,
    MetadataCatalogController,
    GovernanceLimitsController,
    SuiteQlController,
    SandboxAdminController,
    NetSuiteGenerateController,
  ],
  providers: [
    TbaGuard,
    RolePermissions,
    ConcurrencyGate,
    FaultSwitches,
    AccountRunner,
    GeneralLedger,
    RecordStore,
    ReferenceResolver,
    PrepareRecord,
    RecordsService,
    TransformRecord,
    SuiteQlTables,
    NetSuiteStateKeeper,
  ],
})
export class NetSuiteSandboxModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * A malformed JSON body reaches the route as a marker, so it is refused NetSuite's way (400 INVALID_CONTENT)
   * rather than by the platform's problem+json handler, which runs before any route filter.
   */
  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.removeContentTypeParser('application/json');
    fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (text.trim() === '') {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(text) as unknown);
      } catch (error) {
        if (request.url.startsWith('/services/')) done(null, MALFORMED_JSON);
        else done(Object.assign(error as Error, { statusCode: 400 }), undefined);
      }
    });
  }
}
