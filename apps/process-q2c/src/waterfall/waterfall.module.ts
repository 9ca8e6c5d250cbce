import { Module } from '@nestjs/common';
import { RevenueWaterfall } from './revenue-waterfall.query';
import { WaterfallController } from './waterfall.controller';

/** The revenue waterfall: the engine's schedules of the stored contracts against what was billed. */
@Module({
  controllers: [WaterfallController],
  providers: [RevenueWaterfall],
})
export class WaterfallModule {}
