import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { RampStepSchedule } from '../scheduled/ramp-step-schedule';
import { UsageModule } from '../usage/usage.module';
import { BillingEventsHandler } from './billing-events.handler';
import { ContractHistoryReader } from './contract-history';
import { ErpEventsHandler } from './erp-events.handler';
import { RecordPayment } from './record-payment';
import { SagaCommands } from './saga-commands';
import { SagaEngine } from './saga-engine';
import { SagaRunner } from './saga-runner';
import { SagaStore } from './saga-store';
import { SagaTimeouts } from './saga-timeouts';
import { StartSaga } from './start-saga';
import { SyncLatencyMetric } from './sync-latency.metric';
import { ContractAssetPlanner } from '../revenue/contract-asset/contract-asset.planner';
import { ContractAssetRepository } from '../revenue/contract-asset/contract-asset.repository';

/** The quote-to-cash sagas: one per contract change, driven by the outbox and the billing and ERP events. */
@Module({
  imports: [LineageModule, UsageModule],
  providers: [
    ContractHistoryReader,
    SagaCommands,
    SagaEngine,
    SagaStore,
    SagaRunner,
    StartSaga,
    RecordPayment,
    BillingEventsHandler,
    ErpEventsHandler,
    SagaTimeouts,
    SyncLatencyMetric,
    RampStepSchedule,
    ContractAssetRepository,
    ContractAssetPlanner,
  ],
  exports: [StartSaga, ContractHistoryReader, ContractAssetPlanner],
})
export class SagasModule {}
