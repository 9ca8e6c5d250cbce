import type { AppDatabase } from '@revline/platform';
import { CanonicalEventEntity } from './events/canonical-event.entity';
import { ContractEntity, ContractRefEntity } from './events/contract.entity';
import { CustomerEntity } from './events/customer.entity';
import { CanonicalEvents1764400000100 } from './events/events.migration';
import { LineageHopEntity } from './lineage/lineage-hop.entity';
import { LineageRetention1764400001630 } from './lineage/lineage-retention.migration';
import { Lineage1764400000300 } from './lineage/lineage.migration';
import { LineageSequenceKey1764400002200 } from './lineage/lineage-sequence-key.migration';
import { LineageSequence1764400000500 } from './lineage/lineage-sequence.migration';
import { MappingVersionEntity } from './mappings/mapping-version.entity';
import { MappingVersions1764400000000 } from './mappings/mappings.migration';
import { MappingProposerKey1764400001101 } from './mappings/proposer-key.migration';
import { ReconciliationBreakEntity, ReconciliationRunEntity } from './reconciliation/reconciliation.entities';
import { Reconciliation1764400000700 } from './reconciliation/reconciliation.migration';
import { ParkedEventEntity } from './normalisation/parked-event.entity';
import { ParkedEvents1764400000200 } from './normalisation/parked-events.migration';
import { BillingDocumentEntity, SagaCommandEntity, SagaEntity } from './sagas/saga.entity';
import { SagaWaitIndexes1764400000710 } from './sagas/saga-waits.migration';
import { Sagas1764400000400 } from './sagas/sagas.migration';
import { VoidedInvoiceEntity } from './sagas/voided-invoice.entity';
import { ParkedUsage1764400000990 } from './usage/parked-usage.migration';
import { BreakDetails1764400001400 } from './reconciliation/break-details.migration';
import {
  ContractListIndexes1764400001410,
  RefusedCaptureIndex1764400001800,
} from './contracts/contract-list.migration';
import { CustomerOnInvoice1764400000980 } from './sagas/customer-on-invoice.migration';
import { VoidedInvoices1764400000850 } from './sagas/voided-invoices.migration';
import { RevenueRuns1764400000900 } from './revenue-runs/revenue-runs.migration';
import { FiscalCalendars1764400000950 } from './revenue-runs/fiscal-calendar.migration';
import { UsageDayEntity } from './usage/usage-day.entity';
import { UsageDays1764400002000 } from './usage/usage-days.migration';
import { SagaLookupIndexes1764400002100 } from './sagas/lookup-indexes.migration';
import { UsageEventEntity } from './usage/usage-event.entity';
import { UsageIngestions1764400000970 } from './usage/usage-ingestions.migration';
import { UsageEventsIndexes1764400001900 } from './usage/usage-events-indexes.migration';
import { UsageEvents1764400000600 } from './usage/usage.migration';

/** The `q2c` schema: the tables only process-q2c reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'q2c',
  entities: [
    MappingVersionEntity,
    CanonicalEventEntity,
    ContractEntity,
    ContractRefEntity,
    CustomerEntity,
    ParkedEventEntity,
    LineageHopEntity,
    SagaEntity,
    SagaCommandEntity,
    BillingDocumentEntity,
    VoidedInvoiceEntity,
    UsageEventEntity,
    UsageDayEntity,
    ReconciliationRunEntity,
    ReconciliationBreakEntity,
  ],
  migrations: [
    MappingVersions1764400000000,
    CanonicalEvents1764400000100,
    ParkedEvents1764400000200,
    Lineage1764400000300,
    Sagas1764400000400,
    LineageSequence1764400000500,
    UsageEvents1764400000600,
    Reconciliation1764400000700,
    SagaWaitIndexes1764400000710,
    VoidedInvoices1764400000850,
    RevenueRuns1764400000900,
    FiscalCalendars1764400000950,
    UsageIngestions1764400000970,
    CustomerOnInvoice1764400000980,
    ParkedUsage1764400000990,
    MappingProposerKey1764400001101,
    BreakDetails1764400001400,
    ContractListIndexes1764400001410,
    LineageRetention1764400001630,
    RefusedCaptureIndex1764400001800,
    UsageEventsIndexes1764400001900,
    UsageDays1764400002000,
    SagaLookupIndexes1764400002100,
    LineageSequenceKey1764400002200,
  ],
  messaging: true,
};
