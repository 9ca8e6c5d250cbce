import { Module } from '@nestjs/common';
import { PreviewProration } from './preview-proration.usecase';
import { PreviewSchedules } from './preview-schedules.usecase';
import { RevenuePreviewsController } from './revenue-previews.controller';

/** Revenue and proration previews: pure computations over the revenue engine, nothing stored. */
@Module({
  controllers: [RevenuePreviewsController],
  providers: [PreviewSchedules, PreviewProration],
})
export class RevenueModule {}
