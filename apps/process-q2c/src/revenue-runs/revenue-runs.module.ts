import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { ClosePeriod } from './close-period.usecase';
import { RevenueRunsRepository } from './revenue-runs.repository';

/** Period close's revenue runs, and the stored schedules and usage revenue they read. */
@Module({
  imports: [LineageModule],
  providers: [ClosePeriod, RevenueRunsRepository, FiscalPeriods],
  exports: [ClosePeriod, RevenueRunsRepository, FiscalPeriods],
})
export class RevenueRunsModule {}
