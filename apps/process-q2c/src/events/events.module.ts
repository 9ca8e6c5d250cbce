import { Module } from '@nestjs/common';
import { ContractRegistry } from './contract-registry';
import { CustomerMaster } from './customer-master';
import { EventStore } from './event-store';

/** The canonical event store, the contracts it describes and the customer master view. */
@Module({
  providers: [EventStore, ContractRegistry, CustomerMaster],
  exports: [EventStore, ContractRegistry, CustomerMaster],
})
export class EventsModule {}
