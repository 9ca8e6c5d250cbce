import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { SalesforceGenerateController } from './admin/generate.controller';
import { SandboxAdminController } from './admin/sandbox-admin.controller';
import { OAuthController } from './auth/oauth.controller';
import { TokenStore } from './auth/token-store';
import { ChangeEventLog } from './cdc/change-event-log';
import { CometdServer } from './cdc/cometd-server';
import { CpqService } from './cpq/cpq.service';
import { FaultSwitches } from './faults';
import { SandboxClock } from './org/clock';
import { OrgStore } from './org/org-store';
import { ApiUsageInterceptor } from './rest/api-usage.interceptor';
import { BulkQueryController } from './rest/bulk-query.controller';
import { CompositeController, CompositeRequestController } from './rest/composite.controller';
import { QueryController } from './rest/query.controller';
import { SalesforceSessionGuard } from './rest/session';
import { SObjectsController } from './rest/sobjects.controller';
import { VersionsController } from './rest/versions.controller';
import { SalesforceSandboxConfig } from './sandbox-config';
import { SalesforceStateKeeper } from './salesforce-state.keeper';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';
import { SandboxProfileConfig } from '../profile/sandbox-profile.config';
import { ValidationRulesController } from './admin/validation-rules.controller';
import { AbsentFields } from './org/absent-fields';
import { ToolingQueryController } from './rest/tooling-query.controller';

/**
 * The Salesforce stand-in. It checks Salesforce's own credentials, not Revline API keys: OAuth 2, sObject REST,
 * composite collections, SOQL, Bulk API 2.0 queries, Change Data Capture over CometD, CPQ's contract/amend/renew, and fault switches.
 */
@Module({
  imports: [
    PlatformModule.forApp({ config: [SalesforceSandboxConfig, SandboxStateConfig, SandboxProfileConfig] }),
  ],
  controllers: [
    OAuthController,
    VersionsController,
    SObjectsController,
    CompositeController,
    CompositeRequestController,
    QueryController,
    BulkQueryController,
    SandboxAdminController,
    SalesforceGenerateController,
    ValidationRulesController,
    ToolingQueryController,
  ],
  providers: [
    SandboxClock,
    FaultSwitches,
    OrgStore,
    TokenStore,
    ChangeEventLog,
    CometdServer,
    CpqService,
    SalesforceSessionGuard,
    ApiUsageInterceptor,
    SalesforceStateKeeper,
    AbsentFields,
  ],
})
export class SalesforceSandboxModule {}
