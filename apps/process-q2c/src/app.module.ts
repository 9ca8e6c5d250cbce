import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { CloseModule } from './close/close.module';
import { ContractsModule } from './contracts/contracts.module';
import { OverviewModule } from './overview/overview.module';
import { DATABASE } from './database';
import { EventsModule } from './events/events.module';
import { ExceptionsModule } from './exceptions/exceptions.module';
import { ExceptionsStoreModule } from './exceptions/exceptions-store.module';
import { LineageModule } from './lineage/lineage.module';
import { MappingsModule } from './mappings/mappings.module';
import { Q2cConfig } from './mappings/q2c.config';
import { NormalisationModule } from './normalisation/normalisation.module';
import { ReplaysModule } from './replays/replays.module';
import { RevenueRunsConfig } from './revenue-runs/revenue-runs.config';
import { ReconciliationConfig } from './reconciliation/reconciliation.config';
import { ReconciliationModule } from './reconciliation/reconciliation.module';
import { RevenueModule } from './revenue/revenue.module';
import { ScheduledConfig } from './scheduled/scheduled.config';
import { ScheduledModule } from './scheduled/scheduled.module';
import { FiscalCalendarConfig } from './shared/fiscal-calendar.config';
import { SagasConfig } from './shared/sagas.config';
import { SagasModule } from './sagas/sagas.module';
import { SlaModule } from './sla/sla.module';
import { UsageConfig } from './usage/usage.config';
import { UsageModule } from './usage/usage.module';
import { ValidationModule } from './validation/validation.module';
import { WaterfallModule } from './waterfall/waterfall.module';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [
        Q2cConfig,
        FiscalCalendarConfig,
        SagasConfig,
        ScheduledConfig,
        ReconciliationConfig,
        RevenueRunsConfig,
        UsageConfig,
      ],
      database: DATABASE,
      auth: {},
      messaging: {
        consumes: [
          'crm.changes',
          'crm.events',
          'billing.events',
          'erp.events',
          'system.exceptions',
          'q2c.scheduled',
        ],
        dashboard: true,
      },
    }),
    RevenueModule,
    MappingsModule,
    EventsModule,
    LineageModule,
    ExceptionsStoreModule,
    ExceptionsModule,
    SagasModule,
    NormalisationModule,
    ValidationModule,
    ReplaysModule,
    UsageModule,
    ScheduledModule,
    ReconciliationModule,
    CloseModule,
    ContractsModule,
    OverviewModule,
    WaterfallModule,
    SlaModule,
  ],
})
export class AppModule {}
