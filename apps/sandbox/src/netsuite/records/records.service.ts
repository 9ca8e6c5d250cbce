import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { invalidContent, NetSuiteError } from '../errors/netsuite-error';
import { GeneralLedger } from '../ledger/general-ledger';
import { PrepareRecord } from './prepare-record';
import type { AnyRecordBody, RecordType } from './record-schemas';
import { EXTERNAL_ID_PATTERN, isRecordType, LEGACY_TAX_FIELDS, RECORD_SCHEMAS } from './record-schemas';
import type { StoredRecord } from './record-store';
import { RecordStore } from './record-store';

export interface WriteResult {
  record: StoredRecord;
  created: boolean;
}

/** One problem of a body the way NetSuite describes it: the field path and what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): { detail: string; path: string | undefined } {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const field = [path, key].filter(Boolean).join('.');
    if (path.startsWith('item.items.') && LEGACY_TAX_FIELDS.has(key))
      return {
        detail:
          `Invalid field ${field}: REST web services do not support legacy tax fields. Tax a line through SuiteTax: ` +
          'taxDetailsOverride with a taxDetails line naming the item line by taxDetailsReference.',
        path: field,
      };
    if (/^apply\.items\.\d+\.doc$/.test(path))
      return {
        detail: `Invalid field ${field}: an apply line names its document by internal id (doc: { id }) and line.`,
        path: field,
      };
    return { detail: `Invalid field ${field}: the record has no such field.`, path: field };
  }
  return {
    detail: `Invalid value for field ${path || '(body)'}: ${issue.message}.`,
    path: path || undefined,
  };
}

/**
 * Refuses a body with every problem found, each its own error detail; a field the record does not have is named
 * first (as NetSuite does), before what is missing or wrong.
 */
function refuseBody(error: z.ZodError): NetSuiteError {
  const issues = [
    ...error.issues.filter((i) => i.code === 'unrecognized_keys'),
    ...error.issues.filter((i) => i.code !== 'unrecognized_keys'),
  ].map(describeIssue);
  const first = issues.at(0);
  const rest = issues.slice(1);
  if (!first) return invalidContent('Invalid content in the request body.');
  return new NetSuiteError(
    400,
    'INVALID_CONTENT',
    first.detail,
    first.path,
    rest.map((d) => ({ ...d, code: 'INVALID_CONTENT' })),
  );
}

/**
 * Records of the account: create, read, update, delete and upsert by external id. Every write is validated and
 * prepared in full (references, amounts, ledger lines, open period) before anything is stored, so a refused
 * request leaves nothing behind; the store and the ledger then change together.
 */
@Injectable()
export class RecordsService {
  constructor(
    private readonly store: RecordStore,
    private readonly ledger: GeneralLedger,
    private readonly preparer: PrepareRecord,
  ) {}

  recordType(type: string): RecordType {
    if (!isRecordType(type)) {
      throw new NetSuiteError(404, 'INVALID_RCRD_TYPE', `Record type '${type}' is not supported.`);
    }
    return type;
  }

  find(type: RecordType, key: string): StoredRecord {
    const record = key.startsWith('eid:')
      ? this.store.findByExternalId(type, key.slice(4))
      : this.store.get(type, key);
    if (!record) {
      throw new NetSuiteError(
        404,
        'NONEXISTENT_ID',
        `The record instance does not exist. Provide a valid record instance ID.`,
      );
    }
    return record;
  }

  create(type: RecordType, raw: unknown): WriteResult {
    refuseCreatedFrom(raw);
    return this.createRecord(type, raw);
  }

  /** A record made by a transformation: the one way a body may carry `createdFrom`. */
  createTransformed(type: RecordType, body: Record<string, unknown>): WriteResult {
    return this.createRecord(type, body);
  }

  private createRecord(type: RecordType, raw: unknown): WriteResult {
    const body = this.parse(type, raw);
    const externalId = body.externalId ?? null;
    if (externalId !== null && this.store.findByExternalId(type, externalId)) {
      throw new NetSuiteError(
        400,
        'DUP_RCRD',
        `A ${type} record with the external ID ${externalId} already exists. Use an upsert (PUT …/${type}/eid:${externalId}) to update it.`,
        'externalId',
      );
    }
    return { record: this.save(type, this.store.allocateId(), externalId, body, null), created: true };
  }

  update(type: RecordType, key: string, raw: unknown): WriteResult {
    const existing = this.find(type, key);
    if (!isObject(raw)) throw invalidContent('The request body must be a JSON object.');
    refuseCreatedFrom(raw);
    const merged = {
      ...(existing.body as Record<string, unknown>),
      externalId: existing.externalId ?? undefined,
      ...raw,
    };
    const body = this.parse(type, merged);
    const externalId = body.externalId ?? null;
    const clash = externalId === null ? undefined : this.store.findByExternalId(type, externalId);
    if (clash && clash.id !== existing.id) {
      throw new NetSuiteError(
        400,
        'DUP_RCRD',
        `A ${type} record with the external ID ${externalId ?? ''} already exists.`,
        'externalId',
      );
    }
    return { record: this.save(type, existing.id, externalId, body, existing), created: false };
  }

  upsert(type: RecordType, key: string, raw: unknown): WriteResult {
    if (!key.startsWith('eid:')) {
      throw new NetSuiteError(
        405,
        'INVALID_REQUEST',
        'PUT is supported only with an external id: …/<type>/eid:<externalId>.',
      );
    }
    const externalId = key.slice(4);
    if (!EXTERNAL_ID_PATTERN.test(externalId) || externalId.length > 255) {
      throw invalidContent('An external ID may contain only letters, digits, _ and -.', 'externalId');
    }
    if (!isObject(raw)) throw invalidContent('The request body must be a JSON object.');
    refuseCreatedFrom(raw);
    if (raw.externalId !== undefined && raw.externalId !== externalId) {
      throw invalidContent('The externalId in the body differs from the one in the URL.', 'externalId');
    }
    const existing = this.store.findByExternalId(type, externalId);
    // A customer's primary currency, once set, stays when an upsert leaves it out (it defaults only on creation).
    // A credit memo made from an invoice stays linked to it when an upsert rewrites it.
    const existingBody = existing?.body as { currency?: unknown; createdFrom?: unknown } | undefined;
    const kept = {
      ...(type === 'customer' && existingBody && raw.currency === undefined
        ? { currency: existingBody.currency }
        : {}),
      ...(existingBody?.createdFrom ? { createdFrom: existingBody.createdFrom } : {}),
    };
    const body = this.parse(type, { ...raw, ...kept, externalId });
    const id = existing?.id ?? this.store.allocateId();
    return { record: this.save(type, id, externalId, body, existing ?? null), created: !existing };
  }

  delete(type: RecordType, key: string): void {
    const record = this.find(type, key);
    if (type === 'customer' && this.ledger.lines().some((l) => l.entity === record.id)) {
      throw new NetSuiteError(
        400,
        'THIS_RECORD_CANNOT_BE_DELETED',
        'This record cannot be deleted because it has dependent records.',
      );
    }
    this.ledger.checkRemovable(record.id);
    this.ledger.remove(record.id);
    this.store.delete(record);
  }

  private parse(type: RecordType, raw: unknown): AnyRecordBody {
    if (!isObject(raw)) throw invalidContent('The request body must be a JSON object.');
    const result = RECORD_SCHEMAS[type].safeParse(raw);
    if (!result.success) throw refuseBody(result.error);
    return result.data;
  }

  private save(
    type: RecordType,
    id: string,
    externalId: string | null,
    parsed: AnyRecordBody,
    existing: StoredRecord | null,
  ): StoredRecord {
    const fields: Partial<AnyRecordBody> = { ...parsed };
    delete fields.externalId;
    const prepared = this.preparer.prepare(type, fields as AnyRecordBody, id, externalId);
    if (prepared.lines) this.ledger.check(id, prepared.lines);
    const now = new Date().toISOString();
    const record: StoredRecord = {
      id,
      type,
      externalId,
      body: prepared.body,
      createdDate: existing?.createdDate ?? now,
      lastModifiedDate: now,
    };
    if (prepared.lines) this.ledger.post(id, prepared.lines);
    this.store.put(record);
    return record;
  }
}

/**
 * `createdFrom` is read-only to a request body: a credit memo is linked to (and applied to) its invoice by
 * transforming the invoice, `POST invoice/<id>/!transform/creditMemo`.
 */
function refuseCreatedFrom(raw: unknown): void {
  if (isObject(raw) && raw.createdFrom !== undefined)
    throw invalidContent(
      'Invalid field createdFrom: it is set by transforming the source record (POST invoice/<id>/!transform/creditMemo).',
      'createdFrom',
    );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
