import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SandboxClock, truncateToSecond } from './clock';
import { IdGenerator, toEighteenCharId } from './ids';
import type { ObjectDef } from './schema';
import { OBJECTS, objectDef } from './schema';
import { OrgTransaction } from './transaction';
import type { RecordValues } from './values';
import { ValidationRules } from './validation-rules';

export interface StoredRecord {
  object: string;
  values: RecordValues;
  deleted: boolean;
}

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

/** One record's change in a committed transaction, as Change Data Capture sees it. */
export interface RecordChange {
  object: string;
  id: string;
  changeType: ChangeType;
  /** For UPDATE: the fields whose value changed. */
  changedFields: string[];
  /** CREATE: every non-null field; UPDATE: the changed fields' new values; DELETE: none. */
  values: RecordValues;
}

export interface SessionContext {
  userId: string;
  /** `com/salesforce/api/rest/60.0;client=...`, from the API version and the Sforce-Call-Options header. */
  changeOrigin: string;
}

export interface CommittedTransaction {
  transactionKey: string;
  committedAt: Date;
  context: SessionContext;
  changes: RecordChange[];
}

export const ADMIN_USER_ID = toEighteenCharId('0055g00000AdmIN');
export const INTEGRATION_USER_ID = toEighteenCharId('0055g00000IntEG');

/** The org's records and numbering as plain data, to keep them across restarts. */
export interface OrgSnapshot {
  idsIssued: number;
  records: StoredRecord[];
  autoNumbers: Map<string, number>;
  standardPricebookId: string;
}

/**
 * The org's records, in memory. Writes go through a transaction (one REST call, or one composite call) that
 * validates every record before staging it and commits atomically; listeners (Change Data Capture) see each
 * committed transaction once, in commit order.
 */
@Injectable()
export class OrgStore {
  readonly ids = new IdGenerator();
  private records = new Map<string, StoredRecord>();
  private byObject = new Map<string, Set<string>>();
  /**
   * Record ids by a field's value, per object and field, each built on its first lookup and kept up to date by every
   * write after (as Salesforce indexes lookups, external ids and unique fields): a lookup by value does not scan
   * the object's records.
   */
  private valueIndexes = new Map<string, Map<string, Map<unknown, Set<string>>>>();
  private autoNumbers = new Map<string, number>();
  private listeners: Array<(tx: CommittedTransaction) => void> = [];
  standardPricebookId = '';
  /** Moves with every record written and every reset. */
  revision = 0;
  /** Validation rules an admin added (kept across a reset of the records, like the org's setup). */
  readonly validationRules = new ValidationRules();

  constructor(readonly clock: SandboxClock) {
    this.reset();
  }

  reset(): void {
    this.revision += 1;
    this.records = new Map();
    this.byObject = new Map(OBJECTS.map((o) => [o.name, new Set<string>()]));
    this.valueIndexes = new Map();
    this.autoNumbers = new Map();
    const now = truncateToSecond(this.clock.now()).toISOString();
    this.standardPricebookId = this.ids.next('01s');
    this.put({
      object: 'Pricebook2',
      deleted: false,
      values: {
        Id: this.standardPricebookId,
        Name: 'Standard Price Book',
        IsActive: true,
        IsStandard: true,
        Description: null,
        IsDeleted: false,
        CreatedDate: now,
        CreatedById: ADMIN_USER_ID,
        LastModifiedDate: now,
        LastModifiedById: ADMIN_USER_ID,
        SystemModstamp: now,
      },
    });
  }

  snapshot(): OrgSnapshot {
    return {
      idsIssued: this.ids.issued,
      records: [...this.records.values()],
      autoNumbers: new Map(this.autoNumbers),
      standardPricebookId: this.standardPricebookId,
    };
  }

  /** Replaces the records with a snapshot's; the id numbering continues after the snapshot's. */
  restore(snapshot: OrgSnapshot): void {
    this.revision += 1;
    this.records = new Map();
    this.byObject = new Map(OBJECTS.map((o) => [o.name, new Set<string>()]));
    this.valueIndexes = new Map();
    for (const record of snapshot.records) this.put(record);
    this.autoNumbers = new Map(snapshot.autoNumbers);
    this.standardPricebookId = snapshot.standardPricebookId;
    this.ids.continueAfter(snapshot.idsIssued);
  }

  onCommit(listener: (tx: CommittedTransaction) => void): void {
    this.listeners.push(listener);
  }

  get(id: string): StoredRecord | undefined {
    return this.records.get(id);
  }

  idsOf(object: string): ReadonlySet<string> {
    return this.byObject.get(object) ?? new Set();
  }

  /**
   * Ids of the records of `object` (deleted ones included) whose `field` holds `value` as committed: read each
   * through a transaction to see its own writes.
   */
  withValue(object: string, field: string, value: unknown): ReadonlySet<string> {
    let byField = this.valueIndexes.get(object);
    if (!byField) this.valueIndexes.set(object, (byField = new Map<string, Map<unknown, Set<string>>>()));
    let index = byField.get(field);
    if (!index) {
      byField.set(field, (index = new Map<unknown, Set<string>>()));
      for (const id of this.idsOf(object)) indexValue(index, this.records.get(id)?.values[field], id);
    }
    return index.get(value) ?? NONE;
  }

  nextAutoNumber(object: string, width: number): string {
    const n = (this.autoNumbers.get(object) ?? 99) + 1;
    this.autoNumbers.set(object, n);
    return String(n).padStart(width, '0');
  }

  begin(context: SessionContext): OrgTransaction {
    return new OrgTransaction(this, context, truncateToSecond(this.clock.now()));
  }

  /** Applies a transaction's staged records and tells the listeners. */
  commit(tx: OrgTransaction): CommittedTransaction {
    for (const [, record] of tx.staged) this.put(record);
    const committed: CommittedTransaction = {
      transactionKey: randomUUID(),
      committedAt: this.clock.now(),
      context: tx.context,
      changes: tx.changes(),
    };
    if (committed.changes.length > 0) for (const listener of this.listeners) listener(committed);
    return committed;
  }

  /**
   * Writes records as they are, outside any transaction: no validation, no Change Data Capture. For bulk
   * generation only (the records must be complete and consistent already).
   */
  load(records: Iterable<StoredRecord>): void {
    for (const record of records) this.put(record);
  }

  private put(record: StoredRecord): void {
    this.revision += 1;
    const id = record.values.Id as string;
    const previous = this.records.get(id);
    const def = objectDef(record.object) as ObjectDef;
    for (const [field, index] of this.valueIndexes.get(def.name) ?? []) {
      const before = previous?.values[field];
      const after = record.values[field];
      if (previous && before === after) continue;
      if (previous) index.get(before)?.delete(id);
      indexValue(index, after, id);
    }
    this.records.set(id, record);
    this.byObject.get(def.name)?.add(id);
  }
}

const NONE: ReadonlySet<string> = new Set();

function indexValue(index: Map<unknown, Set<string>>, value: unknown, id: string): void {
  if (value === null || value === undefined) return;
  let ids = index.get(value);
  if (!ids) index.set(value, (ids = new Set()));
  ids.add(id);
}
