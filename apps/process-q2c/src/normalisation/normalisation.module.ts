import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { ExceptionsModule } from '../exceptions/exceptions.module';
import { LineageModule } from '../lineage/lineage.module';
import { MappingsModule } from '../mappings/mappings.module';
import { SagasModule } from '../sagas/sagas.module';
import { NormaliseRecordChange } from './normalise-record.usecase';
import { ParkedEvents } from './parked-events';
import { ParkedEventsRelay } from './parked-events.relay';
import { RecordChangedHandler } from './record-changed.handler';

/** crm.record-changed → canonical events, with parking for out-of-order arrival. */
@Module({
  imports: [MappingsModule, EventsModule, LineageModule, ExceptionsModule, SagasModule],
  providers: [RecordChangedHandler, NormaliseRecordChange, ParkedEvents, ParkedEventsRelay],
})
export class NormalisationModule {}
