import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { MappingsModule } from '../mappings/mappings.module';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { BookUsageInvoice } from './book-usage-invoice.usecase';
import { ParkedUsageRelay } from './parked-usage.relay';
import { ReportUsage } from './report-usage.usecase';
import { StreamedUsageBody } from './usage-body';
import { UsageController } from './usage.controller';
import { UsageRepository } from './usage.repository';

/** POST /v1/usage: bulk usage, streamed into a staging area, applied once per identifier and reported to billing. */
@Module({
  imports: [LineageModule, MappingsModule, RevenueRunsModule],
  controllers: [UsageController],
  providers: [ReportUsage, UsageRepository, StreamedUsageBody, BookUsageInvoice, ParkedUsageRelay],
  exports: [BookUsageInvoice],
})
export class UsageModule {}
