import type { CrmWriteBack } from '@revline/crm-port';
import { isBusinessError } from '@revline/messaging';
import { describe, expect, it } from 'vitest';
import { SalesforceConfig } from '../config';
import { classifyWriteBackFailure } from '../write-back/write-back-refusal';
import type { CollectionOutcome, CollectionWrite, SaveResult, SObjectRecord } from './salesforce-api';
import { SalesforceApi } from './salesforce-api';
import { SalesforceCrmAdapter } from './salesforce-crm.adapter';

/** Records the collection writes and answers each record by a rule: a refusal for the ids it names. */
class FakeApi extends SalesforceApi {
  readonly calls: CollectionWrite[][] = [];
  constructor(
    private readonly answer: (record: SObjectRecord) => SaveResult = (r) => ({
      id: String(r.Id ?? r.Revline_Invoice_Id__c),
      success: true,
      errors: [],
    }),
    private readonly whole?: (write: CollectionWrite) => CollectionOutcome | undefined,
  ) {
    super();
  }
  saveCollections(writes: CollectionWrite[]): Promise<CollectionOutcome[]> {
    this.calls.push(writes);
    return Promise.resolve(
      writes.map((w) => this.whole?.(w) ?? { results: w.records.map((r) => this.answer(r)) }),
    );
  }
  /** What the org holds now, by id; an id not in it is no record. */
  readonly org = new Map<string, SObjectRecord>();
  readonly reads: Array<Array<{ type: string; ids: string[]; fields: string[] }>> = [];
  retrieveMany(
    reads: Array<{ type: string; ids: string[]; fields: string[] }>,
  ): Promise<Array<Array<SObjectRecord | null>>> {
    this.reads.push(reads);
    return Promise.resolve(
      reads.map((r) => r.ids.map((id) => (id.startsWith('gone') ? null : { Id: id, ...this.org.get(id) }))),
    );
  }
  query(): Promise<never[]> {
    throw new Error('no SOQL in a write-back');
  }
  bulkQuery(): AsyncIterable<never[]> {
    throw new Error('unused');
  }
  update(): Promise<SaveResult[]> {
    throw new Error('write-backs go through saveCollections');
  }
  upsert(): Promise<SaveResult[]> {
    throw new Error('write-backs go through saveCollections');
  }
  get(): Promise<never> {
    throw new Error('no REST reads in a write-back');
  }
  streamingClient(): Promise<never> {
    throw new Error('unused');
  }
  apiUsage(): undefined {
    return undefined;
  }
}

const order = (n: number): string => `8015g00000AbC${String(n).padStart(3, '0')}AAZ`;
const writeBack = (recordId: string, extra: Partial<CrmWriteBack> = {}): CrmWriteBack => ({
  objectType: 'Order',
  recordId,
  fields: { status: 'synced', billingId: `sub_${recordId}` },
  ...extra,
});
const invoice = (invoiceId: string) => ({
  invoiceId,
  number: invoiceId.toUpperCase(),
  amountMinor: '120000',
  currency: 'USD',
  issuedOn: '2026-01-01',
  status: 'open' as const,
});

describe('write-backs of many records in one Salesforce call', () => {
  it('updates of both object types go out as ONE sObject Collections update, each record typed', async () => {
    const api = new FakeApi();
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    const outcomes = await adapter.writeBackMany([
      writeBack(order(1)),
      { objectType: 'Account', recordId: '0015g00000AbCdEAAZ', fields: { erpId: 'C-1' } },
    ]);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]).toEqual([
      {
        op: 'update',
        records: [
          {
            attributes: { type: 'Order' },
            Id: order(1),
            Revline_Integration_Status__c: 'Synced',
            Revline_Billing_Id__c: `sub_${order(1)}`,
          },
          { attributes: { type: 'Account' }, Id: '0015g00000AbCdEAAZ', Revline_ERP_Id__c: 'C-1' },
        ],
      },
    ]);
    expect(outcomes).toEqual([
      {
        ok: true,
        value: {
          changedFields: ['Revline_Integration_Status__c', 'Revline_Billing_Id__c'],
          invoicesWritten: 0,
        },
      },
      { ok: true, value: { changedFields: ['Revline_ERP_Id__c'], invoicesWritten: 0 } },
    ]);
  });

  it('updates and invoice upserts mixed are two writes of one call (a Composite call in the jsforce api)', async () => {
    const api = new FakeApi();
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    await adapter.writeBackMany([writeBack(order(1), { invoices: [invoice('in_1')] }), writeBack(order(2))]);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.map((w) => [w.op, w.records.length])).toEqual([
      ['update', 2],
      ['upsert', 1],
    ]);
    expect(api.calls[0]?.[1]).toMatchObject({
      type: 'Revline_Billing_Invoice__c',
      externalIdField: 'Revline_Invoice_Id__c',
      records: [
        {
          attributes: { type: 'Revline_Billing_Invoice__c' },
          Revline_Invoice_Id__c: 'in_1',
          Revline_Amount__c: 1200,
          Revline_Order__c: order(1),
        },
      ],
    });
  });

  it('maps each record’s result to its own command: a refused record fails its command only', async () => {
    const api = new FakeApi((r) =>
      r.Id === order(2)
        ? {
            success: false,
            errors: [
              {
                statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
                message: 'No.',
                fields: ['Revline_Billing_Id__c'],
              },
            ],
          }
        : r.Id === order(3)
          ? { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' }] }
          : { id: String(r.Id), success: true, errors: [] },
    );
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    const outcomes = await adapter.writeBackMany([
      writeBack(order(1)),
      writeBack(order(2)),
      writeBack(order(3)),
    ]);
    expect(outcomes[0]).toMatchObject({ ok: true });
    const refused = outcomes[1];
    if (refused.ok) throw new Error('order 2 should be refused');
    expect(classifyWriteBackFailure(refused.error)).toEqual({
      kind: 'refused',
      errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: 'No.',
      field: 'Revline_Billing_Id__c',
    });
    // A lock on one record is that command's moment, retried, never a refusal.
    const locked = outcomes[2];
    if (locked.ok) throw new Error('order 3 should fail');
    expect(isBusinessError(locked.error)).toBe(false);
    expect(classifyWriteBackFailure(locked.error).kind).toBe('transient');
  });

  it('an invoice refused fails its own command; a write Salesforce refused whole fails every command in it', async () => {
    const api = new FakeApi((r) =>
      r.Revline_Invoice_Id__c === 'in_bad'
        ? {
            success: false,
            errors: [
              {
                statusCode: 'INVALID_CROSS_REFERENCE_KEY',
                message: 'bad order',
                fields: ['Revline_Order__c'],
              },
            ],
          }
        : { id: 'x', success: true, errors: [] },
    );
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    const outcomes = await adapter.writeBackMany([
      writeBack(order(1), { invoices: [invoice('in_bad')] }),
      writeBack(order(2), { invoices: [invoice('in_good')] }),
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([false, true]);

    const wholeRefused = new FakeApi(undefined, (w) =>
      w.op === 'upsert' ? { error: { errorCode: 'INVALID_FIELD', message: 'No such column' } } : undefined,
    );
    const again = await new SalesforceCrmAdapter(wholeRefused, new SalesforceConfig()).writeBackMany([
      writeBack(order(1), { invoices: [invoice('in_1')] }),
      writeBack(order(2)),
    ]);
    expect(again.map((o) => o.ok)).toEqual([false, true]);
  });

  it('reads the records first in one call, writes only what differs, and refuses an id that names no record', async () => {
    const api = new FakeApi();
    api.org.set(order(1), {
      Revline_Integration_Status__c: 'Synced',
      Revline_Billing_Id__c: `sub_${order(1)}`,
    });
    api.org.set(order(2), { Revline_Integration_Status__c: 'Synced', Revline_Billing_Id__c: 'sub_old' });
    const outcomes = await new SalesforceCrmAdapter(api, new SalesforceConfig()).writeBackMany([
      writeBack(order(1)),
      writeBack(order(2)),
      writeBack('gone-1'),
      { objectType: 'Account', recordId: '0015g00000AbCdEAAZ', fields: { erpId: 'C-1' } },
    ]);
    expect(api.reads).toEqual([
      [
        {
          type: 'Order',
          ids: [order(1), order(2), 'gone-1'],
          fields: ['Id', 'Revline_Integration_Status__c', 'Revline_Billing_Id__c'],
        },
        { type: 'Account', ids: ['0015g00000AbCdEAAZ'], fields: ['Id', 'Revline_ERP_Id__c'] },
      ],
    ]);
    // Order 1 already holds these values: a repeat writes nothing.
    expect(api.calls[0]?.[0]?.records).toEqual([
      { attributes: { type: 'Order' }, Id: order(2), Revline_Billing_Id__c: `sub_${order(2)}` },
      { attributes: { type: 'Account' }, Id: '0015g00000AbCdEAAZ', Revline_ERP_Id__c: 'C-1' },
    ]);
    expect(outcomes[0]).toEqual({ ok: true, value: { changedFields: [], invoicesWritten: 0 } });
    expect(outcomes[1]).toEqual({
      ok: true,
      value: { changedFields: ['Revline_Billing_Id__c'], invoicesWritten: 0 },
    });
    const gone = outcomes[2];
    if (gone.ok || !isBusinessError(gone.error)) throw new Error('should be refused');
    expect(gone.error.category).toBe('unknown_record');
  });

  it('merges commands of one record into one write, the later values winning, and both share its answer', async () => {
    const api = new FakeApi();
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    const outcomes = await adapter.writeBackMany([
      { objectType: 'Order', recordId: order(1), fields: { status: 'in_progress', correlationId: 'c1' } },
      { objectType: 'Order', recordId: order(1), fields: { status: 'synced' } },
    ]);
    expect(api.calls[0]).toEqual([
      {
        op: 'update',
        records: [
          {
            attributes: { type: 'Order' },
            Id: order(1),
            Revline_Integration_Status__c: 'Synced',
            Revline_Correlation_Id__c: 'c1',
          },
        ],
      },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, true]);
  });

  it('splits more than 200 records into writes of at most 200 (the sObject Collections limit)', async () => {
    const api = new FakeApi();
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    const commands = Array.from({ length: 201 }, (_, i) => writeBack(order(i)));
    const outcomes = await adapter.writeBackMany(commands);
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]?.map((w) => w.records.length)).toEqual([200, 1]);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  });

  it('a failed call (transport, 429) rejects the batch: no command’s outcome is known', async () => {
    const api = new FakeApi();
    api.saveCollections = () =>
      Promise.reject(Object.assign(new Error('Too Many Requests'), { errorCode: 'ERROR_HTTP_429' }));
    const adapter = new SalesforceCrmAdapter(api, new SalesforceConfig());
    await expect(adapter.writeBackMany([writeBack(order(1))])).rejects.toMatchObject({
      errorCode: 'ERROR_HTTP_429',
    });
  });
});
