import { Injectable } from '@nestjs/common';
import type { CrmIntegrationFields, CrmIntegrationStatus, CrmWriteBack } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import type { Envelope } from '@revline/messaging';
import { BusinessError, Inbox, JobHandler } from '@revline/messaging';
import { SALESFORCE_ID } from '../salesforce/soql';

const STATUSES: readonly CrmIntegrationStatus[] = ['not_synced', 'pending', 'in_progress', 'synced', 'error'];
const FIELDS: ReadonlyArray<keyof CrmIntegrationFields> = [
  'status',
  'message',
  'correlationId',
  'billingId',
  'erpId',
  'lastSyncedAt',
];

/** Checks a write-back command before anything is written; a bad one is parked, never retried. */
export function toWriteBack(envelope: Envelope<'crm.write-back'>): CrmWriteBack {
  const { objectType, recordId, fields, invoices } = envelope.payload;
  const kind: string = objectType;
  if (kind !== 'Order' && kind !== 'Account')
    throw new BusinessError('schema_violation', `objectType ${kind} cannot be written back`);
  if (!SALESFORCE_ID.test(recordId))
    throw new BusinessError('schema_violation', `recordId ${recordId} is not a Salesforce id`);
  const out: Partial<CrmIntegrationFields> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!FIELDS.includes(name as keyof CrmIntegrationFields))
      throw new BusinessError('schema_violation', `${name} is not a write-back field`);
    if (value !== null && typeof value !== 'string')
      throw new BusinessError('schema_violation', `${name} must be a string or null`);
    if (name === 'status' && value !== null && !STATUSES.includes(value as CrmIntegrationStatus)) {
      throw new BusinessError('schema_violation', `status ${value} is not one of ${STATUSES.join(', ')}`);
    }
    Object.assign(out, { [name]: value });
  }
  return {
    objectType,
    recordId,
    fields: out,
    invoices: invoices?.map((i) => ({
      invoiceId: i.invoiceId,
      number: i.number,
      amountMinor: i.amount.amountMinor,
      currency: i.amount.currency,
      issuedOn: i.issuedOn,
      status: i.status,
    })),
  };
}

/**
 * `crm.write-back`: integration status, correlation id, billing and ERP ids and invoices onto the Salesforce
 * record. Only differing values are written (a repeat writes nothing); the write goes out under Revline's client
 * name and touches only write-back fields, so change capture does not take it for a new change.
 */
@Injectable()
export class WriteBackHandler {
  constructor(
    private readonly crm: CrmPort,
    private readonly inbox: Inbox,
  ) {}

  @JobHandler('crm.write-back')
  async writeBack(envelope: Envelope<'crm.write-back'>): Promise<unknown> {
    const command = toWriteBack(envelope);
    const result = await this.crm.writeBack(command);
    await this.inbox.runOnce('system-salesforce.write-back', envelope, () => Promise.resolve(result));
    return result;
  }
}
