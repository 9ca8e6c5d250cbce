import type { OrgStore, RecordChange, SessionContext, StoredRecord } from './org-store';
import { badRequest, notFound, SalesforceApiError } from './errors';
import { normaliseId } from './ids';
import { afterWrite, beforeDelete, beforeWrite } from './rules';
import type { ObjectDef } from './schema';
import { fieldDef, objectDef, objectForId } from './schema';
import type { RecordValues } from './values';
import { coerceValue } from './values';

const NOT_IN_EVENTS = new Set(['SystemModstamp', 'IsDeleted']);

/**
 * One Salesforce transaction. Each operation validates the whole record before it stages anything, so a failed
 * operation leaves the transaction as it was (what `allOrNone: false` needs); commit applies it all at once.
 */
export class OrgTransaction {
  /** The records this transaction wrote, by id, in their new state. */
  readonly staged = new Map<string, StoredRecord>();
  private readonly before = new Map<string, StoredRecord | undefined>();
  readonly stamp: string;

  constructor(
    readonly store: OrgStore,
    readonly context: SessionContext,
    readonly timestamp: Date,
  ) {
    this.stamp = timestamp.toISOString();
  }

  get(id: string): StoredRecord | undefined {
    return this.staged.get(id) ?? this.store.get(id);
  }

  /** A live (not deleted) record of the given object, or a NOT_FOUND error. */
  require(object: ObjectDef, rawId: string): StoredRecord {
    const id = normaliseId(rawId);
    if (!id)
      throw badRequest(
        'MALFORMED_ID',
        `Provided external ID field does not exist or is not accessible: ${rawId}`,
      );
    const record = this.get(id);
    if (!record || record.deleted || record.object !== object.name) throw notFound();
    return record;
  }

  /** Live records of `object` whose `field` holds `value`, including ones staged in this transaction. */
  withValue(object: string, field: string, value: unknown): StoredRecord[] {
    const ids = new Set(this.store.withValue(object, field, value));
    for (const [id, record] of this.staged) {
      if (record.object === object && record.values[field] === value) ids.add(id);
    }
    return [...ids]
      .map((id) => this.get(id))
      .filter((r): r is StoredRecord => !!r && !r.deleted && r.values[field] === value);
  }

  /** Live children of `parentId` through `object.field`, including ones staged in this transaction. */
  children(object: string, field: string, parentId: string): StoredRecord[] {
    return this.withValue(object, field, parentId);
  }

  create(objectName: string, input: unknown): string {
    const def = this.objectOrFail(objectName);
    const values = this.parseInput(def, input, 'create');
    for (const field of def.fields) {
      if (!(field.name in values) && field.defaultValue !== undefined)
        values[field.name] = field.defaultValue;
    }
    const missing = def.fields.filter((field) => field.required && (values[field.name] ?? null) === null);
    if (missing.length > 0) {
      const names = missing.map((m) => m.name);
      throw badRequest('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names);
    }
    const id = this.store.ids.next(def.keyPrefix);
    const record: RecordValues = {};
    for (const field of def.fields) record[field.name] = values[field.name] ?? null;
    Object.assign(record, {
      Id: id,
      IsDeleted: false,
      CreatedDate: this.stamp,
      CreatedById: this.context.userId,
      LastModifiedDate: this.stamp,
      LastModifiedById: this.context.userId,
      SystemModstamp: this.stamp,
    });
    this.checkReferences(def, record, values);
    beforeWrite(this, def, undefined, record);
    this.stage(id, { object: def.name, values: record, deleted: false });
    afterWrite(this, def, record);
    return id;
  }

  update(objectName: string, id: string, input: unknown): void {
    const def = this.objectOrFail(objectName);
    const current = this.require(def, id);
    const values = this.parseInput(def, input, 'update');
    const record: RecordValues = { ...current.values, ...values };
    for (const field of def.fields) {
      if (field.required && field.name in values && values[field.name] === null) {
        throw badRequest('REQUIRED_FIELD_MISSING', `Required fields are missing: [${field.name}]`, [
          field.name,
        ]);
      }
    }
    Object.assign(record, {
      LastModifiedDate: this.stamp,
      LastModifiedById: this.context.userId,
      SystemModstamp: this.stamp,
    });
    this.checkReferences(def, record, values);
    beforeWrite(this, def, current.values, record);
    this.stage(current.values.Id as string, { object: def.name, values: record, deleted: false });
    afterWrite(this, def, record);
  }

  delete(rawId: string): void {
    const id = normaliseId(rawId);
    const def = id ? objectForId(id) : undefined;
    if (!id || !def) throw badRequest('MALFORMED_ID', `malformed id ${rawId}`);
    const current = this.require(def, id);
    const cascade = beforeDelete(this, def, current);
    for (const record of [current, ...cascade]) {
      this.stage(record.values.Id as string, {
        object: record.object,
        deleted: true,
        values: { ...record.values, IsDeleted: true, SystemModstamp: this.stamp },
      });
    }
    afterWrite(this, def, current.values);
  }

  /** Stages a record written by a rule (a roll-up, a derived field) as part of this transaction. */
  stage(id: string, record: StoredRecord): void {
    if (!this.before.has(id)) this.before.set(id, this.store.get(id));
    this.staged.set(id, record);
  }

  /** The transaction's record changes, one per record, in the order records were first written. */
  changes(): RecordChange[] {
    const changes: RecordChange[] = [];
    for (const [id, after] of this.staged) {
      const before = this.before.get(id);
      const def = objectDef(after.object) as ObjectDef;
      if (!before || before.deleted) {
        if (after.deleted) continue;
        const values: RecordValues = {};
        for (const [k, v] of Object.entries(after.values))
          if (v !== null && !NOT_IN_EVENTS.has(k)) values[k] = v;
        changes.push({
          object: def.name,
          id,
          changeType: before ? 'UNDELETE' : 'CREATE',
          changedFields: [],
          values,
        });
      } else if (after.deleted) {
        changes.push({ object: def.name, id, changeType: 'DELETE', changedFields: [], values: {} });
      } else {
        const changed = def.fields
          .map((field) => field.name)
          .filter((name) => !NOT_IN_EVENTS.has(name) && before.values[name] !== after.values[name]);
        if (changed.length === 0) continue;
        const values: RecordValues = {};
        for (const name of changed) values[name] = after.values[name] ?? null;
        changes.push({ object: def.name, id, changeType: 'UPDATE', changedFields: changed, values });
      }
    }
    return changes;
  }

  private objectOrFail(name: string): ObjectDef {
    const def = objectDef(name);
    if (!def)
      throw notFound(`The requested resource does not exist: sObject type '${name}' is not supported.`);
    return def;
  }

  private parseInput(def: ObjectDef, input: unknown, mode: 'create' | 'update'): RecordValues {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw badRequest('JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    }
    const values: RecordValues = {};
    const readOnly: string[] = [];
    for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
      if (key === 'attributes' || key.toLowerCase() === 'id') continue;
      const field = fieldDef(def, key);
      if (!field) {
        throw badRequest('INVALID_FIELD', `No such column '${key}' on sobject of type ${def.name}`, [key]);
      }
      if (field.system || (mode === 'update' && field.createOnly)) {
        readOnly.push(field.name);
        continue;
      }
      values[field.name] = coerceValue(field, raw);
    }
    if (readOnly.length > 0) {
      throw badRequest(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
        readOnly,
      );
    }
    return values;
  }

  private checkReferences(def: ObjectDef, record: RecordValues, given: RecordValues): void {
    for (const name of Object.keys(given)) {
      const field = fieldDef(def, name);
      const value = record[name];
      if (!field?.referenceTo || typeof value !== 'string' || field.referenceTo === 'User') continue;
      const target = this.get(value);
      if (!target || target.deleted || target.object !== field.referenceTo) {
        throw new SalesforceApiError(400, [
          {
            errorCode: 'INVALID_CROSS_REFERENCE_KEY',
            message: `invalid cross reference id`,
            fields: [field.name],
          },
        ]);
      }
    }
  }
}
