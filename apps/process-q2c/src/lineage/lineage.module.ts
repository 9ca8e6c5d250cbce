import { Module } from '@nestjs/common';
import { ContractLineage } from './contract-lineage.query';
import { LineageController } from './lineage.controller';
import { LineageRecorder } from './lineage-recorder';
import { LineageRetention } from './lineage.retention';

/**
 * Lineage hops and the contract lineage route; LineageRecorder for every step that wants to record one. Hops are
 * pruned after RETENTION_LINEAGE_DAYS.
 */
@Module({
  controllers: [LineageController],
  providers: [LineageRecorder, ContractLineage, LineageRetention],
  exports: [LineageRecorder],
})
export class LineageModule {}
