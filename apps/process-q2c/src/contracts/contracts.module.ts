import { Module } from '@nestjs/common';
import { ContractLifecycle } from './contract-lifecycle.query';
import { ContractsController } from './contracts.controller';
import { ListContracts } from './list-contracts.query';
import { RevenueScheduleVersions } from './revenue-schedule-versions.query';
import { UnbookedChanges } from './unbooked-changes';

/** Contracts and their lifecycle across the three systems, read from the contracts, sagas and lineage. */
@Module({
  controllers: [ContractsController],
  providers: [ListContracts, ContractLifecycle, UnbookedChanges, RevenueScheduleVersions],
  exports: [ListContracts],
})
export class ContractsModule {}
