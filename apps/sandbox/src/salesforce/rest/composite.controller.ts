import { Body, Delete, Param, Patch, Post, Query } from '@nestjs/common';
import { badRequest, notFound, SalesforceApiError } from '../org/errors';
import { normaliseId } from '../org/ids';
import { OrgStore } from '../org/org-store';
import type { OrgTransaction } from '../org/transaction';
import { fieldDef, objectDef } from '../org/schema';
import { recordJson } from './serialise';
import { SalesforceRestController } from './salesforce-controller';
import type { RestContext } from './session';
import { SfContext } from './session';
import { selectedFields } from './sobjects.controller';

const MAX_RECORDS = 200;

/** Composite collection results use `statusCode` where single-record errors use `errorCode`. */
interface SaveResult {
  id?: string;
  success: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
  created?: boolean;
}

interface CollectionBody {
  allOrNone: boolean;
  records: Array<Record<string, unknown>>;
}

function parseCollection(body: unknown): CollectionBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('JSON_PARSER_ERROR', 'The request body must be an object with a records array');
  }
  const { allOrNone, records } = body as { allOrNone?: unknown; records?: unknown };
  if (
    !Array.isArray(records) ||
    records.some((r) => typeof r !== 'object' || r === null || Array.isArray(r))
  ) {
    throw badRequest('JSON_PARSER_ERROR', 'records must be an array of objects', ['records']);
  }
  if (records.length > MAX_RECORDS) {
    throw badRequest(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${String(MAX_RECORDS)} records into this call`,
    );
  }
  if (allOrNone !== undefined && typeof allOrNone !== 'boolean') {
    throw badRequest('JSON_PARSER_ERROR', 'allOrNone must be a boolean', ['allOrNone']);
  }
  return { allOrNone: allOrNone ?? false, records: records as Array<Record<string, unknown>> };
}

function typeOf(record: Record<string, unknown>): string {
  const type = (record.attributes as { type?: unknown } | undefined)?.type;
  if (typeof type !== 'string') throw badRequest('INVALID_TYPE', 'Must send a concrete entity type.');
  return type;
}

/**
 * Runs one operation per record in a single transaction. With allOrNone, the first failure rolls everything back
 * and every record reports it (the others `ALL_OR_NONE_OPERATION_ROLLED_BACK`); without, each record stands alone.
 */
function runEach<T>(
  store: OrgStore,
  ctx: RestContext,
  allOrNone: boolean,
  items: T[],
  op: (tx: OrgTransaction, item: T) => SaveResult,
): SaveResult[] {
  const tx = store.begin(ctx);
  const results = items.map((item): SaveResult => {
    try {
      return op(tx, item);
    } catch (error) {
      if (!(error instanceof SalesforceApiError)) throw error;
      return {
        success: false,
        errors: error.errors.map((e) => ({
          statusCode: e.errorCode,
          message: e.message,
          fields: e.fields ?? [],
        })),
      };
    }
  });
  if (allOrNone && results.some((r) => !r.success)) {
    return results.map((r) =>
      r.success
        ? {
            success: false,
            errors: [
              {
                statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                message:
                  'Record rolled back because not all records were valid and the request was using AllOrNone header',
                fields: [],
              },
            ],
          }
        : { ...r, id: undefined },
    );
  }
  store.commit(tx);
  return results;
}

/** `/services/data/vNN.N/composite/sobjects`: up to 200 records per call, in one transaction. */
@SalesforceRestController('services/data/:version/composite/sobjects')
export class CompositeController {
  constructor(private readonly store: OrgStore) {}

  @Post()
  sfCompositeCreate(@SfContext() ctx: RestContext, @Body() body: unknown): SaveResult[] {
    const { allOrNone, records } = parseCollection(body);
    return runEach(this.store, ctx, allOrNone, records, (tx, record) => ({
      id: tx.create(typeOf(record), record),
      success: true,
      errors: [],
    }));
  }

  @Patch()
  sfCompositeUpdate(@SfContext() ctx: RestContext, @Body() body: unknown): SaveResult[] {
    const { allOrNone, records } = parseCollection(body);
    return runEach(this.store, ctx, allOrNone, records, (tx, record) => {
      const id = record.id ?? record.Id;
      if (typeof id !== 'string')
        throw badRequest('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
      tx.update(typeOf(record), id, record);
      return { id: normaliseId(id) ?? id, success: true, errors: [] };
    });
  }

  @Delete()
  sfCompositeDelete(
    @SfContext() ctx: RestContext,
    @Query('ids') ids?: string,
    @Query('allOrNone') allOrNone?: string,
  ): SaveResult[] {
    const list = (ids ?? '').split(',').filter((id) => id !== '');
    if (list.length === 0) throw badRequest('MISSING_ARGUMENT', 'ids is required');
    if (list.length > MAX_RECORDS)
      throw badRequest('EXCEEDED_ID_LIMIT', 'cannot delete more than 200 records');
    return runEach(this.store, ctx, allOrNone === 'true', list, (tx, id) => {
      tx.delete(id);
      return { id, success: true, errors: [] };
    });
  }

  /** Retrieve many: `POST /composite/sobjects/{type}` with `{ids, fields}`; unknown ids answer null. */
  @Post(':sobject')
  sfCompositeRetrieve(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Body() body: unknown,
  ): Array<Record<string, unknown> | null> {
    const def = objectDef(sobject);
    if (!def) throw notFound(`sObject type '${sobject}' is not supported.`);
    const { ids, fields } = (body ?? {}) as { ids?: unknown; fields?: unknown };
    if (
      !Array.isArray(ids) ||
      !Array.isArray(fields) ||
      ![...(ids as unknown[]), ...(fields as unknown[])].every((x) => typeof x === 'string')
    ) {
      throw badRequest('JSON_PARSER_ERROR', 'ids and fields must be arrays of strings');
    }
    const selected = selectedFields(def, (fields as string[]).join(','));
    const tx = this.store.begin(ctx);
    return (ids as string[]).map((id) => {
      try {
        return recordJson(ctx.apiVersion, def, tx.require(def, id), selected);
      } catch {
        return null;
      }
    });
  }

  /** Upsert many by external id: `PATCH /composite/sobjects/{type}/{externalIdField}`. */
  @Patch(':sobject/:field')
  sfCompositeUpsert(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Param('field') fieldName: string,
    @Body() body: unknown,
  ): SaveResult[] {
    const def = objectDef(sobject);
    const field = def ? fieldDef(def, fieldName) : undefined;
    if (!def || !field?.externalId)
      throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
    const { allOrNone, records } = parseCollection(body);
    return runEach(this.store, ctx, allOrNone, records, (tx, record) => {
      const key = record[field.name];
      const existing = [...this.store.idsOf(def.name)]
        .map((id) => tx.get(id))
        .find((r) => r && !r.deleted && r.values[field.name] === key);
      if (existing) {
        tx.update(def.name, existing.values.Id as string, record);
        return { id: existing.values.Id as string, success: true, errors: [], created: false };
      }
      return { id: tx.create(def.name, record), success: true, errors: [], created: true };
    });
  }
}
