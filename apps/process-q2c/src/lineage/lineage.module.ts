import { Module } from '@nestjs/common';
import { ContractLineage } from './contract-lineage.query';
import { LineageController } from './lineage.controller';
import { LineageRecorder } from './lineage-recorder';

/** Lineage hops and the contract lineage route; LineageRecorder for every step that wants to record one. */
@Module({
  controllers: [LineageController],
  providers: [LineageRecorder, ContractLineage],
  exports: [LineageRecorder],
})
export class LineageModule {}
