import { Module } from '@nestjs/common';
import { SlaController } from './sla.controller';
import { SlaFigures } from './sla-figures.query';

/** Service figures: sync latency percentiles from the sagas, exceptions by category. */
@Module({
  controllers: [SlaController],
  providers: [SlaFigures],
})
export class SlaModule {}
