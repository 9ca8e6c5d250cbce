import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { MappingsModule } from '../mappings/mappings.module';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { BookUsageInvoice } from './book-usage-invoice.usecase';
import { JsonLinesBody } from './ndjson-body';
import { ReportUsage } from './report-usage.usecase';
import { UsageController } from './usage.controller';

/** POST /v1/usage: bulk usage, staged once per identifier and reported to billing per customer. */
@Module({
  imports: [LineageModule, MappingsModule, RevenueRunsModule],
  controllers: [UsageController],
  providers: [ReportUsage, JsonLinesBody, BookUsageInvoice],
  exports: [BookUsageInvoice],
})
export class UsageModule {}
