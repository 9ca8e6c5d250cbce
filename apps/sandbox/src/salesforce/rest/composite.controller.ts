import { Body, Delete, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
 * Inside a Composite call with allOrNone, the call's transaction is used and committed by the call (`outer`).
 */
function runEach<T>(
  store: OrgStore,
  ctx: RestContext,
  allOrNone: boolean,
  items: T[],
  op: (tx: OrgTransaction, item: T) => SaveResult,
  outer?: OrgTransaction,
): SaveResult[] {
  const tx = outer ?? store.begin(ctx);
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
    if (outer) throw new CollectionRolledBack();
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
  if (!outer) store.commit(tx);
  return results;
}

/** An allOrNone collection failed inside a Composite call's transaction: the whole call rolls back. */
class CollectionRolledBack extends Error {}

/** `/services/data/vNN.N/composite/sobjects`: up to 200 records per call, in one transaction. */
@SalesforceRestController('services/data/:version/composite/sobjects')
export class CompositeController {
  constructor(private readonly store: OrgStore) {}

  @Post()
  sfCompositeCreate(@SfContext() ctx: RestContext, @Body() body: unknown): SaveResult[] {
    return collectionCreate(this.store, ctx, body);
  }

  @Patch()
  sfCompositeUpdate(@SfContext() ctx: RestContext, @Body() body: unknown): SaveResult[] {
    return collectionUpdate(this.store, ctx, body);
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
    return collectionRetrieve(this.store, ctx, sobject, body);
  }

  /** Upsert many by external id: `PATCH /composite/sobjects/{type}/{externalIdField}`. */
  @Patch(':sobject/:field')
  sfCompositeUpsert(
    @SfContext() ctx: RestContext,
    @Param('sobject') sobject: string,
    @Param('field') fieldName: string,
    @Body() body: unknown,
  ): SaveResult[] {
    return collectionUpsert(this.store, ctx, sobject, fieldName, body);
  }
}

function collectionRetrieve(
  store: OrgStore,
  ctx: RestContext,
  sobject: string,
  body: unknown,
  outer?: OrgTransaction,
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
  const tx = outer ?? store.begin(ctx);
  return (ids as string[]).map((id) => {
    try {
      return recordJson(ctx.apiVersion, def, tx.require(def, id), selected);
    } catch {
      return null;
    }
  });
}

function collectionCreate(
  store: OrgStore,
  ctx: RestContext,
  body: unknown,
  outer?: OrgTransaction,
): SaveResult[] {
  const { allOrNone, records } = parseCollection(body);
  return runEach(
    store,
    ctx,
    allOrNone,
    records,
    (tx, record) => ({ id: tx.create(typeOf(record), record), success: true, errors: [] }),
    outer,
  );
}

function collectionUpdate(
  store: OrgStore,
  ctx: RestContext,
  body: unknown,
  outer?: OrgTransaction,
): SaveResult[] {
  const { allOrNone, records } = parseCollection(body);
  return runEach(
    store,
    ctx,
    allOrNone,
    records,
    (tx, record) => {
      const id = record.id ?? record.Id;
      if (typeof id !== 'string')
        throw badRequest('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
      tx.update(typeOf(record), id, record);
      return { id: normaliseId(id) ?? id, success: true, errors: [] };
    },
    outer,
  );
}

function collectionUpsert(
  store: OrgStore,
  ctx: RestContext,
  sobject: string,
  fieldName: string,
  body: unknown,
  outer?: OrgTransaction,
): SaveResult[] {
  const def = objectDef(sobject);
  const field = def ? fieldDef(def, fieldName) : undefined;
  if (!def || !field?.externalId)
    throw notFound(`Provided external ID field does not exist or is not accessible: ${fieldName}`);
  const { allOrNone, records } = parseCollection(body);
  return runEach(
    store,
    ctx,
    allOrNone,
    records,
    (tx, record) => {
      const key = record[field.name];
      const existing = tx.withValue(def.name, field.name, key).at(0);
      if (existing) {
        tx.update(def.name, existing.values.Id as string, record);
        return { id: existing.values.Id as string, success: true, errors: [], created: false };
      }
      return { id: tx.create(def.name, record), success: true, errors: [], created: true };
    },
    outer,
  );
}

/** Composite's most subrequests in one call, and of them the most sObject Collections ones. */
const MAX_SUBREQUESTS = 25;
const MAX_COLLECTION_SUBREQUESTS = 5;

interface Subrequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
}

interface SubrequestResult {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

function parseComposite(body: unknown): { allOrNone: boolean; subrequests: Subrequest[] } {
  const { allOrNone, compositeRequest } = (body ?? {}) as { allOrNone?: unknown; compositeRequest?: unknown };
  if (!Array.isArray(compositeRequest) || compositeRequest.length === 0)
    throw badRequest('JSON_PARSER_ERROR', 'compositeRequest must be a non-empty array', ['compositeRequest']);
  if (allOrNone !== undefined && typeof allOrNone !== 'boolean')
    throw badRequest('JSON_PARSER_ERROR', 'allOrNone must be a boolean', ['allOrNone']);
  if (compositeRequest.length > MAX_SUBREQUESTS)
    throw badRequest(
      'LIMIT_EXCEEDED',
      `Limit of ${String(MAX_SUBREQUESTS)} subrequests exceeded: ${String(compositeRequest.length)}`,
    );
  const subrequests = compositeRequest.map((item: unknown, i): Subrequest => {
    const { method, url, referenceId, body: subBody } = (item ?? {}) as Record<string, unknown>;
    if (typeof method !== 'string' || typeof url !== 'string' || typeof referenceId !== 'string')
      throw badRequest(
        'JSON_PARSER_ERROR',
        `compositeRequest[${String(i)}] needs a method, a url and a referenceId`,
        ['compositeRequest'],
      );
    return { method, url, referenceId, body: subBody };
  });
  if (new Set(subrequests.map((r) => r.referenceId)).size < subrequests.length)
    throw badRequest('INVALID_INPUT', 'Duplicate referenceId in compositeRequest');
  if (
    subrequests.filter((r) => /\/composite\/sobjects(\/|$)/.test(r.url)).length > MAX_COLLECTION_SUBREQUESTS
  )
    throw badRequest(
      'LIMIT_EXCEEDED',
      `Limit of ${String(MAX_COLLECTION_SUBREQUESTS)} sObject Collections subrequests exceeded`,
    );
  return { allOrNone: allOrNone ?? false, subrequests };
}

const ROLLED_BACK: SubrequestResult['body'] = [
  {
    errorCode: 'PROCESSING_HALTED',
    message: 'The transaction was rolled back since another operation in the same transaction failed.',
  },
];

/**
 * `/services/data/vNN.N/composite`: up to 25 subrequests in one call, counted as ONE API request. The sandbox
 * answers sObject Collections subrequests (create, retrieve, update, upsert by external id); any other resource
 * answers its subrequest 404. Without allOrNone each subrequest stands alone; with it, one failure rolls every subrequest back
 * (the failed one keeps its error, the others answer PROCESSING_HALTED).
 */
@SalesforceRestController('services/data/:version/composite')
export class CompositeRequestController {
  constructor(private readonly store: OrgStore) {}

  @Post()
  @HttpCode(200)
  sfComposite(
    @SfContext() ctx: RestContext,
    @Body() body: unknown,
  ): { compositeResponse: SubrequestResult[] } {
    const { allOrNone, subrequests } = parseComposite(body);
    const shared = allOrNone ? this.store.begin(ctx) : undefined;
    let failed = false;
    const results: SubrequestResult[] = [];
    for (const sub of subrequests) {
      const answer = (httpStatusCode: number, answerBody: unknown): SubrequestResult => ({
        body: answerBody,
        httpHeaders: {},
        httpStatusCode,
        referenceId: sub.referenceId,
      });
      if (failed && shared) {
        results.push(answer(400, ROLLED_BACK));
        continue;
      }
      try {
        results.push(answer(200, this.run(ctx, sub, shared)));
      } catch (error) {
        failed = true;
        if (error instanceof CollectionRolledBack) results.push(answer(400, ROLLED_BACK));
        else if (error instanceof SalesforceApiError) results.push(answer(error.status, error.errors));
        else throw error;
      }
    }
    if (!shared) return { compositeResponse: results };
    if (!failed) {
      this.store.commit(shared);
      return { compositeResponse: results };
    }
    return {
      compositeResponse: results.map((r) =>
        r.httpStatusCode < 300 ? { ...r, httpStatusCode: 400, body: ROLLED_BACK } : r,
      ),
    };
  }

  private run(ctx: RestContext, sub: Subrequest, outer: OrgTransaction | undefined): unknown {
    const path = /^\/services\/data\/v(\d+\.\d)\/composite\/sobjects(?:\/([^/?]+)\/([^/?]+))?\/?$/.exec(
      sub.url,
    );
    if (path) {
      const [, , sobject, field] = path;
      if (sobject && field && sub.method === 'PATCH')
        return collectionUpsert(this.store, ctx, sobject, field, sub.body, outer);
      if (!sobject && sub.method === 'PATCH') return collectionUpdate(this.store, ctx, sub.body, outer);
      if (!sobject && sub.method === 'POST') return collectionCreate(this.store, ctx, sub.body, outer);
    }
    const retrieve = /^\/services\/data\/v\d+\.\d\/composite\/sobjects\/([^/?]+)\/?$/.exec(sub.url);
    if (retrieve?.[1] && sub.method === 'POST') {
      return collectionRetrieve(this.store, ctx, retrieve[1], sub.body, outer);
    }
    throw notFound(`The sandbox does not serve ${sub.method} ${sub.url} in a Composite call`);
  }
}
