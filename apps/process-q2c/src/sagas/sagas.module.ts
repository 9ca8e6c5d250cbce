import { Module } from '@nestjs/common';
import { LineageModule } from '../lineage/lineage.module';
import { MappingsModule } from '../mappings/mappings.module';
import { RampStepSchedule } from './ramp-step-schedule';
import { RevenueRunsModule } from '../revenue-runs/revenue-runs.module';
import { UsageModule } from '../usage/usage.module';
import { BillingEventsHandler } from './billing-events.handler';
import { CommandRefusalsHandler } from './command-refusals.handler';
import { ContractHistoryReader } from './contract-history.repository';
import { ErpEventsHandler } from './erp-events.handler';
import { RecordPayment } from './record-payment';
import { SagaCommands } from './saga-commands';
import { RefusedCommands } from './refused-commands.repository';
import { SagaEngine } from './saga-engine';
import { SagaRejections } from './saga-rejections';
import { SagaRunner } from './saga-runner';
import { SagaStepRetry } from './saga-step-retry';
import { SagaStore } from './saga-store';
import { SagaTimeouts } from './saga-timeouts';
import { StartSaga } from './start-saga';
import { SyncLatencyMetric } from './sync-latency.metric';
import { VoidInvoice } from './void-invoice';
import { VoidedInvoices } from './voided-invoices.repository';
import { ContractAssetPlanner } from './contract-asset/contract-asset.planner';
import { ContractAssetRepository } from './contract-asset/contract-asset.repository';
import { BillingDocumentsRepository } from './billing-documents.repository';
import { SagaCommandsRepository } from './saga-commands.repository';
import { SagasRepository } from './sagas.repository';
import { AwaitCreditNoteStep } from './steps/await-credit-note.step';
import { AwaitInvoiceStep } from './steps/await-invoice.step';
import { AwaitPhaseInvoiceStep } from './steps/await-phase-invoice.step';
import { BillingChangeStep } from './steps/billing-change.step';
import { BillingCreditStep } from './steps/billing-credit.step';
import { BillingDocumentClaims } from './steps/document-claims';
import { ErpDocumentsStep } from './steps/erp-documents.step';
import { SagaPredecessors } from './steps/predecessors';
import { RevenueStep } from './steps/revenue.step';
import { WriteBackStep } from './steps/write-back.step';

/** The quote-to-cash sagas: one per contract change, driven by the outbox and the billing, ERP and CRM events. */
@Module({
  imports: [LineageModule, UsageModule, MappingsModule, RevenueRunsModule],
  providers: [
    ContractHistoryReader,
    SagaCommands,
    SagaEngine,
    SagaStore,
    SagaRunner,
    StartSaga,
    RecordPayment,
    VoidInvoice,
    VoidedInvoices,
    BillingEventsHandler,
    ErpEventsHandler,
    CommandRefusalsHandler,
    SagaRejections,
    RefusedCommands,
    SagaStepRetry,
    SagaTimeouts,
    SyncLatencyMetric,
    RampStepSchedule,
    ContractAssetRepository,
    ContractAssetPlanner,
    SagasRepository,
    SagaCommandsRepository,
    BillingDocumentsRepository,
    BillingDocumentClaims,
    SagaPredecessors,
    BillingChangeStep,
    AwaitInvoiceStep,
    AwaitPhaseInvoiceStep,
    BillingCreditStep,
    AwaitCreditNoteStep,
    ErpDocumentsStep,
    RevenueStep,
    WriteBackStep,
  ],
  exports: [StartSaga, ContractHistoryReader, SagaStepRetry, ContractAssetPlanner],
})
export class SagasModule {}
