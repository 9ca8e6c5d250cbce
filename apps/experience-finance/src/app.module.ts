import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { AuditLogModule } from './audit-log/audit-log.module';
import { CloseModule } from './close/close.module';
import { ConsoleConfig } from './console/console.config';
import { ConsoleModule } from './console/console.module';
import { ContractsModule } from './contracts/contracts.module';
import { DATABASE } from './database';
import { ExceptionsModule } from './exceptions/exceptions.module';
import { MappingsModule } from './mappings/mappings.module';
import { OverviewModule } from './overview/overview.module';
import { ProcessQ2cConfig } from './process-q2c/process-q2c.config';
import { ProcessQ2cModule } from './process-q2c/process-q2c.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { RevenueModule } from './revenue/revenue.module';
import { SharedModule } from './shared/shared.module';
import { SlaModule } from './sla/sla.module';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [ProcessQ2cConfig, ConsoleConfig],
      database: DATABASE,
      auth: { manageKeys: true },
    }),
    SharedModule,
    ConsoleModule,
    ProcessQ2cModule,
    ContractsModule,
    ExceptionsModule,
    ReconciliationModule,
    CloseModule,
    RevenueModule,
    SlaModule,
    AuditLogModule,
    MappingsModule,
    OverviewModule,
  ],
})
export class AppModule {}
