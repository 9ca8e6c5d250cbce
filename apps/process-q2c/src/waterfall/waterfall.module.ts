import { Module } from '@nestjs/common';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { RevenueWaterfall } from './revenue-waterfall.query';
import { WaterfallController } from './waterfall.controller';

/** The revenue waterfall: the engine's schedules of the stored contracts against what was billed. */
@Module({
  imports: [RevenueRunsModule],
  controllers: [WaterfallController],
  providers: [RevenueWaterfall],
})
export class WaterfallModule {}
