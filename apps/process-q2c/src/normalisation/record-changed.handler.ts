import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import type { NormaliseOutcome } from './normalise-record.usecase';
import { NormaliseRecordChange } from './normalise-record.usecase';

/** The crm.changes queue: Salesforce record changes captured by system-salesforce. */
@Injectable()
export class RecordChangedHandler {
  constructor(private readonly normalise: NormaliseRecordChange) {}

  @JobHandler('crm.record-changed')
  handleRecordChanged(envelope: Envelope<'crm.record-changed'>): Promise<NormaliseOutcome> {
    return this.normalise.execute(envelope);
  }
}
