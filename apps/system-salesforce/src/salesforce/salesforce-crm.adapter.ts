import { Injectable, Logger } from '@nestjs/common';
import type {
  CrmAccount,
  CrmChangeNotice,
  CrmChangePage,
  CrmCursor,
  CrmOrder,
  CrmOrderLineRow,
  CrmProduct,
  CrmSubscription,
  CrmWriteBack,
  CrmWriteBackOutcome,
  CrmWriteBackResult,
  SubscribeOptions,
} from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { BusinessError } from '@revline/messaging';
import { SalesforceConfig } from '../config';
import {
  isoDateTime,
  STATUS_TO_SALESFORCE,
  toAccount,
  toOrder,
  toOrderLineRow,
  toProduct,
} from './order-mapper';
import type {
  CollectionWrite,
  SaveResult,
  SObjectRecord,
  StreamingClient,
  StreamingMessage,
} from './salesforce-api';
import { COLLECTION_MAX_RECORDS, SalesforceApi } from './salesforce-api';
import { accountSoql, activatedOrderLinesSoql, changedOrdersSoql, ordersByIdSoql, productSoql } from './soql';

const READ_BATCH = 150;
/** A feed batch stops at this many record ids (merged events count each id), so a backlog is taken in steps. */
const SIGNAL_RECORDS = 500;

/** How many of the oldest pending messages make one batch: at least one, then up to SIGNAL_RECORDS ids. */
function batchLength(pending: readonly ChangeEventData[]): number {
  let records = 0;
  let n = 0;
  while (n < pending.length) {
    records += pending[n]?.payload.ChangeEventHeader.recordIds.length ?? 0;
    if (n > 0 && records > SIGNAL_RECORDS) break;
    n += 1;
  }
  return n;
}

interface ChangeEventData {
  payload: {
    ChangeEventHeader: {
      entityName: string;
      recordIds: string[];
      changeType: string;
      changedFields?: string[];
      changeOrigin: string;
      commitTimestamp: number;
      commitUser: string;
    };
  };
  event: { replayId: number };
}

/** Salesforce's own code and fields of a refused save (the first error's), kept for the operator. */
function salesforceErrorDetails(
  errors: ReadonlyArray<{ statusCode?: string; errorCode?: string; fields?: string[] }>,
): Record<string, unknown> {
  const first = errors.at(0);
  return {
    errorCode: first?.statusCode ?? first?.errorCode ?? 'UNKNOWN_EXCEPTION',
    fields: errors.flatMap((e) => e.fields ?? []),
  };
}

/** Per-record codes that are the moment, not the record: the command is retried. */
const RECORD_TRANSIENT_CODES = new Set([
  'UNABLE_TO_LOCK_ROW',
  'REQUEST_LIMIT_EXCEEDED',
  'SERVER_UNAVAILABLE',
]);

/**
 * A record's refusal as its command's error: a retryable code stays a plain coded error (retried), any other refusal
 * is `write_back_rejected` with Salesforce's code and fields.
 */
function recordError(errors: SaveResult['errors']): unknown {
  const first = errors.at(0);
  const code = first?.statusCode ?? first?.errorCode ?? 'UNKNOWN_EXCEPTION';
  const message = errors.map((e) => e.message).join('; ') || 'rejected';
  if (RECORD_TRANSIENT_CODES.has(code) || /^ERROR_HTTP_(5\d\d|429)$/.test(code))
    return Object.assign(new Error(`Salesforce: ${message}`), { errorCode: code });
  return new BusinessError('write_back_rejected', message, salesforceErrorDetails(errors));
}

const INVOICE_OBJECT = 'Revline_Billing_Invoice__c';
const INVOICE_KEY = 'Revline_Invoice_Id__c';

/** The Salesforce fields a command sets, with their values. */
function wantedFields(command: CrmWriteBack): Record<string, unknown> {
  const wanted: Record<string, unknown> = {};
  const f = command.fields;
  if (f.status !== undefined)
    wanted.Revline_Integration_Status__c = f.status === null ? null : STATUS_TO_SALESFORCE[f.status];
  if (f.message !== undefined) wanted.Revline_Integration_Message__c = f.message;
  if (f.correlationId !== undefined) wanted.Revline_Correlation_Id__c = f.correlationId;
  if (f.billingId !== undefined) wanted.Revline_Billing_Id__c = f.billingId;
  if (f.erpId !== undefined) wanted.Revline_ERP_Id__c = f.erpId;
  if (f.lastSyncedAt !== undefined) wanted.Revline_Last_Synced_At__c = f.lastSyncedAt;
  return wanted;
}

/** A command's invoices as Revline_Billing_Invoice__c rows, keyed by their Revline invoice id. */
function invoiceRows(command: CrmWriteBack): SObjectRecord[] {
  return (command.invoices ?? []).map((invoice) => ({
    attributes: { type: INVOICE_OBJECT },
    [INVOICE_KEY]: invoice.invoiceId,
    Revline_Invoice_Number__c: invoice.number,
    Revline_Amount__c: Number(invoice.amountMinor) / 10 ** exponent(invoice.currency),
    CurrencyIsoCode: invoice.currency,
    Revline_Issued_On__c: invoice.issuedOn,
    Revline_Status__c: invoice.status.charAt(0).toUpperCase() + invoice.status.slice(1),
    ...(command.objectType === 'Order'
      ? { Revline_Order__c: command.recordId }
      : { Revline_Account__c: command.recordId }),
  }));
}

/** The Salesforce adapter of the CRM port, through jsforce. */

@Injectable()
export class SalesforceCrmAdapter extends CrmPort {
  private readonly logger = new Logger('SalesforceCrm');

  constructor(
    private readonly api: SalesforceApi,
    private readonly config: SalesforceConfig,
  ) {
    super();
  }

  /**
   * One SOQL per batch of ids (the order with its items, account and products in one query), the batches in
   * parallel; the org-wide slots bound how many run at once.
   */
  async readOrders(ids: readonly string[], options?: { includeDeleted?: boolean }): Promise<CrmOrder[]> {
    const unique = [...new Set(ids)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += READ_BATCH) batches.push(unique.slice(i, i + READ_BATCH));
    const pages = await Promise.all(
      batches.map((batch) => this.api.query<SObjectRecord>(ordersByIdSoql(batch), options)),
    );
    return pages.flat().map(toOrder);
  }

  async readAccount(id: string): Promise<CrmAccount | null> {
    const record = (await this.api.query<SObjectRecord>(accountSoql(id))).at(0);
    return record ? toAccount(record) : null;
  }

  async readProduct(id: string): Promise<CrmProduct | null> {
    const record = (await this.api.query<SObjectRecord>(productSoql(id))).at(0);
    return record ? toProduct(record) : null;
  }

  async changedOrdersSince(cursor: CrmCursor, limit: number): Promise<CrmChangePage> {
    const rows = await this.api.query<{ Id: string; SystemModstamp: string; IsDeleted?: boolean }>(
      changedOrdersSoql(cursor.stamp, cursor.id, limit),
      { includeDeleted: true },
    );
    const changes = rows.map((r) => ({
      id: r.Id,
      stamp: isoDateTime(r.SystemModstamp) ?? cursor.stamp,
      deleted: r.IsDeleted === true,
    }));
    const last = changes.at(-1);
    return {
      changes,
      next: last ? { stamp: last.stamp, id: last.id } : cursor,
      done: rows.length < limit,
    };
  }

  /** One Bulk API 2.0 query over OrderItem with its order's fields, evaluated once by the org, read page by page. */
  async *activatedOrderLines(since: string): AsyncGenerator<CrmOrderLineRow[]> {
    for await (const page of this.api.bulkQuery(activatedOrderLinesSoql(since)))
      yield page.map(toOrderLineRow);
  }

  /** One write-back alone: a batch of one. */
  async writeBack(command: CrmWriteBack): Promise<CrmWriteBackResult> {
    const outcome = (await this.writeBackMany([command])).at(0);
    if (!outcome) throw new Error('the write-back was not answered');
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /**
   * Write-backs of many records in as few calls as Salesforce allows: the records' current values read in one
   * sObject Collections retrieve (one Composite call when several object types are read), then only what differs
   * (so a repeat writes nothing, and a record Revline leaves as it is is not touched) written with the invoices,
   * upserted by their id, in one sObject Collections call, or one Composite call when updates and upserts are mixed
   * (allOrNone false: each record stands alone). Commands of one record (or one invoice) are merged into one write
   * in their order, the later values winning as they would one after the other, and share its answer. Each
   * command's outcome is its own records': a record Salesforce refused fails the commands that wrote it only.
   */
  async writeBackMany(commands: readonly CrmWriteBack[]): Promise<CrmWriteBackOutcome[]> {
    const wanted = commands.map(wantedFields);
    const current = await this.currentValues(commands, wanted);
    const refused = new Map<number, unknown>();
    const changedOf = new Map<number, string[]>();
    const updates = new Map<string, { record: SObjectRecord; plans: number[] }>();
    const upserts = new Map<string, { record: SObjectRecord; plans: number[] }>();
    const merge = (
      into: Map<string, { record: SObjectRecord; plans: number[] }>,
      key: string,
      record: SObjectRecord,
      plan: number,
    ): void => {
      const existing = into.get(key);
      if (!existing) into.set(key, { record, plans: [plan] });
      else {
        Object.assign(existing.record, record);
        if (!existing.plans.includes(plan)) existing.plans.push(plan);
      }
    };
    commands.forEach((command, index) => {
      const values = wanted[index] ?? {};
      const fields = Object.keys(values);
      const record = fields.length > 0 ? current.get(command.recordId) : { Id: command.recordId };
      if (!record) {
        refused.set(
          index,
          new BusinessError(
            'unknown_record',
            `${command.objectType} ${command.recordId} does not exist in Salesforce`,
          ),
        );
        return;
      }
      const changed = fields.filter((name) => {
        const value = values[name];
        const existing = record[name] ?? null;
        if (name === 'Revline_Last_Synced_At__c')
          return isoDateTime(existing) !== (value === null ? null : new Date(value as string).toISOString());
        return existing !== value;
      });
      changedOf.set(index, changed);
      if (changed.length > 0) {
        const update: SObjectRecord = { attributes: { type: command.objectType }, Id: command.recordId };
        for (const name of changed) {
          update[name] = values[name];
          // A later command of the same record compares with what this one writes.
          record[name] = values[name];
        }
        merge(updates, command.recordId, update, index);
      }
      for (const row of invoiceRows(command)) merge(upserts, String(row[INVOICE_KEY]), row, index);
    });

    const writes: Array<{ write: CollectionWrite; owners: number[][] }> = [];
    const chunks = <T>(items: T[]): T[][] =>
      Array.from({ length: Math.ceil(items.length / COLLECTION_MAX_RECORDS) }, (_, i) =>
        items.slice(i * COLLECTION_MAX_RECORDS, (i + 1) * COLLECTION_MAX_RECORDS),
      );
    for (const chunk of chunks([...updates.values()]))
      writes.push({
        write: { op: 'update', records: chunk.map((u) => u.record) },
        owners: chunk.map((u) => u.plans),
      });
    for (const chunk of chunks([...upserts.values()]))
      writes.push({
        write: {
          op: 'upsert',
          type: INVOICE_OBJECT,
          externalIdField: INVOICE_KEY,
          records: chunk.map((u) => u.record),
        },
        owners: chunk.map((u) => u.plans),
      });
    const outcomes = await this.api.saveCollections(writes.map((w) => w.write));
    const errorsOf = new Map<number, SaveResult['errors']>();
    writes.forEach(({ owners }, w) => {
      const outcome = outcomes.at(w);
      owners.forEach((plans, i) => {
        const errors =
          outcome === undefined
            ? [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'the write was not answered' }]
            : 'error' in outcome
              ? [
                  {
                    statusCode: outcome.error.errorCode,
                    message: outcome.error.message,
                    fields: outcome.error.fields,
                  },
                ]
              : outcome.results[i]?.success
                ? []
                : (outcome.results[i]?.errors ?? [{ statusCode: 'UNKNOWN_EXCEPTION', message: 'rejected' }]);
        if (errors.length > 0)
          for (const plan of plans) errorsOf.set(plan, [...(errorsOf.get(plan) ?? []), ...errors]);
      });
    });
    return commands.map((command, index): CrmWriteBackOutcome => {
      const before = refused.get(index);
      if (before !== undefined) return { ok: false, error: before };
      const errors = errorsOf.get(index);
      if (errors) return { ok: false, error: recordError(errors) };
      return {
        ok: true,
        value: { changedFields: changedOf.get(index) ?? [], invoicesWritten: command.invoices?.length ?? 0 },
      };
    });
  }

  /** The records' current write-back values, read in one call (see SalesforceApi.retrieveMany). */
  private async currentValues(
    commands: readonly CrmWriteBack[],
    wanted: ReadonlyArray<Record<string, unknown>>,
  ): Promise<Map<string, SObjectRecord>> {
    const byType = new Map<string, { ids: Set<string>; fields: Set<string> }>();
    commands.forEach((command, index) => {
      const fields = Object.keys(wanted[index] ?? {});
      if (fields.length === 0) return;
      const entry = byType.get(command.objectType) ?? { ids: new Set<string>(), fields: new Set<string>() };
      entry.ids.add(command.recordId);
      for (const f of fields) entry.fields.add(f);
      byType.set(command.objectType, entry);
    });
    const reads = [...byType].map(([type, { ids, fields }]) => ({
      type,
      ids: [...ids],
      fields: ['Id', ...fields],
    }));
    const current = new Map<string, SObjectRecord>();
    if (reads.length === 0) return current;
    const answers = await this.api.retrieveMany(reads);
    reads.forEach((read, r) => {
      read.ids.forEach((id, i) => {
        const record = answers[r]?.[i];
        if (record) current.set(id, { ...record });
      });
    });
    return current;
  }

  /**
   * Change Data Capture over CometD with the replay extension. Messages are handed on in order, one batch at a
   * time; merged events are fanned out to one notice per record id; gap and overflow events ask for a poll.
   */
  async subscribe(options: SubscribeOptions): Promise<CrmSubscription> {
    const channel = this.config.SALESFORCE_CDC_CHANNEL;
    let position = options.from;
    let client: StreamingClient | undefined;
    let closed = false;
    const pending: ChangeEventData[] = [];
    let draining: Promise<void> = Promise.resolve();
    let reconnecting = false;

    const drain = async (): Promise<void> => {
      while (pending.length > 0 && !closed) {
        const batch = pending.splice(0, batchLength(pending));
        const notices: CrmChangeNotice[] = [];
        let gap: string | undefined;
        for (const message of batch) {
          const header = message.payload.ChangeEventHeader;
          const replayId = String(message.event.replayId);
          if (header.changeType === 'GAP_OVERFLOW')
            gap = `GAP_OVERFLOW on ${header.entityName} at replay ${replayId}`;
          for (const recordId of header.changeType === 'GAP_OVERFLOW' ? [] : header.recordIds) {
            notices.push({
              objectType: header.entityName,
              recordId,
              changeType: header.changeType.replace(/^GAP_/, '') as CrmChangeNotice['changeType'],
              changedFields: header.changeType.startsWith('GAP_') ? [] : (header.changedFields ?? []),
              commitTimestamp: new Date(header.commitTimestamp).toISOString(),
              ownWrite: this.isOwnWrite(header.changeOrigin, header.commitUser),
              position: replayId,
            });
          }
        }
        const last = String(batch.at(-1)?.event.replayId ?? position);
        await options.onSignal({ kind: 'changes', notices, position: last });
        if (gap) await options.onSignal({ kind: 'gap', reason: gap, position: last });
        position = last;
      }
    };

    const connect = async (from: string | null): Promise<void> => {
      const replayFrom = from === null ? -1 : Number(from);
      const replayExtension = {
        outgoing: (message: StreamingMessage, callback: (m: StreamingMessage) => void): void => {
          if (message.channel === '/meta/subscribe')
            message.ext = {
              ...message.ext,
              replay: { [channel]: position === null ? replayFrom : Number(position) },
            };
          callback(message);
        },
        incoming: (message: StreamingMessage, callback: (m: StreamingMessage) => void): void => {
          const authFailed =
            (message.channel === '/meta/handshake' || message.channel === '/meta/connect') &&
            message.advice?.reconnect === 'none';
          if (authFailed && !closed) void reconnect();
          callback(message);
        },
      };
      client = await this.api.streamingClient([replayExtension]);
      const subscription = client.subscribe(channel, (data: unknown) => {
        pending.push(data as ChangeEventData);
        draining = draining.then(drain).catch((error: unknown) => {
          this.logger.error({
            msg: 'change capture batch failed; resubscribing from the last stored position',
            err: error,
          });
          pending.length = 0;
          void reconnect();
        });
      });
      await new Promise<void>((resolve, reject) => {
        subscription.then(resolve, (error: unknown) => {
          reject(new Error((error as { message: string }).message));
        });
      }).catch(async (error: unknown) => {
        const message = (error as Error).message;
        if (!/replayId .* invalid/i.test(message)) throw error;
        this.logger.warn({
          msg: 'stored replay id is past retention; backfilling by polling',
          replayId: position,
        });
        client?.disconnect();
        position = null;
        await connect(null);
        await options.onPositionExpired();
      });
    };

    const reconnect = async (): Promise<void> => {
      if (reconnecting || closed) return;
      reconnecting = true;
      try {
        client?.disconnect();
        await draining;
        await connect(position);
      } catch (error) {
        this.logger.warn({ msg: 'change capture reconnect failed', err: error });
      } finally {
        reconnecting = false;
      }
    };

    await connect(position);
    return {
      close: async () => {
        closed = true;
        client?.disconnect();
        await draining;
      },
    };
  }

  private isOwnWrite(changeOrigin: string, commitUser: string): boolean {
    return (
      changeOrigin.includes(`client=${this.config.SALESFORCE_CLIENT_NAME}`) ||
      (this.config.SALESFORCE_INTEGRATION_USER_ID !== undefined &&
        commitUser === this.config.SALESFORCE_INTEGRATION_USER_ID)
    );
  }
}

function exponent(currency: string): number {
  return ['JPY', 'KRW'].includes(currency) ? 0 : ['KWD', 'BHD', 'JOD'].includes(currency) ? 3 : 2;
}
