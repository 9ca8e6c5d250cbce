import { Module } from '@nestjs/common';
import { ReconciliationModule } from '../reconciliation/reconciliation.module';
import { CloseController } from './close.controller';
import { CloseReadiness } from './close-readiness.query';

/** Close readiness of an accounting period. */
@Module({
  imports: [ReconciliationModule],
  controllers: [CloseController],
  providers: [CloseReadiness],
})
export class CloseModule {}
