import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { ReconcileHandler } from './reconcile.handler';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationMetrics } from './reconciliation-metrics';
import { ReconciliationQueries } from './reconciliation-queries';
import { ReconciliationRunner } from './reconciliation-runner';
import { ReconciliationSchedule } from './reconciliation-schedule';
import { ServiceApiKey } from './service-key';
import { HttpSystemApis, SystemApis } from './system-apis';

/** Reconciliation runs (scheduled and on demand), their breaks, and the reads of the system APIs they need. */
@Module({
  imports: [HttpModule, RevenueRunsModule],
  controllers: [ReconciliationController],
  providers: [
    ReconciliationRunner,
    ReconcileHandler,
    ReconciliationQueries,
    ReconciliationMetrics,
    ReconciliationSchedule,
    ServiceApiKey,
    { provide: SystemApis, useClass: HttpSystemApis },
  ],
  exports: [ReconciliationRunner, ReconciliationQueries, SystemApis],
})
export class ReconciliationModule {}
