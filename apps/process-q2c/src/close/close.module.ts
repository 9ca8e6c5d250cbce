import { Module } from '@nestjs/common';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { CloseController } from './close.controller';
import { CloseReadiness } from './close-readiness.query';

/** Close readiness of an accounting period, and its revenue runs. */
@Module({
  imports: [ReconciliationModule, RevenueRunsModule],
  controllers: [CloseController],
  providers: [CloseReadiness],
})
export class CloseModule {}
