import { formatDateTime } from '../org/clock';
import { badRequest } from '../org/errors';
import { normaliseId } from '../org/ids';
import type { OrgStore, StoredRecord } from '../org/org-store';
import type { FieldDef, ObjectDef } from '../org/schema';
import { childRelationship, fieldDef, objectDef, relationshipField } from '../org/schema';
import type { FieldValue } from '../org/values';
import type { Condition, Literal, Query } from './ast';
import { malformed } from './parser';

export interface QueryContext {
  store: OrgStore;
  apiVersion: string;
  includeDeleted: boolean;
}

export interface QueryResult {
  totalSize: number;
  records: Array<Record<string, unknown>>;
}

interface Resolved {
  /** The relationship hop, when the path is `Relationship.Field`. */
  via?: FieldDef;
  object: ObjectDef;
  field: FieldDef;
}

function invalidField(name: string, object: ObjectDef): Error {
  return badRequest(
    'INVALID_FIELD',
    `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name.`,
  );
}

function resolve(root: ObjectDef, path: string[]): Resolved {
  if (path.length === 1) {
    const field = fieldDef(root, path[0]);
    if (!field) throw invalidField(path[0], root);
    return { object: root, field };
  }
  if (path.length === 2) {
    const via = relationshipField(root, path[0]);
    const target = via?.referenceTo ? objectDef(via.referenceTo) : undefined;
    if (!via || !target) throw invalidField(path.join('.'), root);
    const field = fieldDef(target, path[1]);
    if (!field) throw invalidField(path.join('.'), root);
    return { via, object: target, field };
  }
  throw malformed(`relationships are supported one level deep: ${path.join('.')}`);
}

function read(store: OrgStore, record: StoredRecord, r: Resolved): FieldValue {
  if (!r.via) return record.values[r.field.name] ?? null;
  const parentId = record.values[r.via.name];
  if (typeof parentId !== 'string') return null;
  return store.get(parentId)?.values[r.field.name] ?? null;
}

/** Coerces a literal to the field's type for comparison; a literal of the wrong type is Salesforce's 400. */
function literalFor(r: Resolved, literal: Literal): FieldValue {
  const type = r.field.type;
  if (literal.kind === 'null') return null;
  const wrong = (expected: string): Error =>
    badRequest(
      'INVALID_QUERY_FILTER_OPERATOR',
      `value of filter criterion for field '${r.field.name}' must be of type ${expected} and should not be enclosed in quotes`,
    );
  switch (type) {
    case 'datetime':
      if (literal.kind !== 'datetime') throw wrong('dateTime');
      return literal.value;
    case 'date':
      if (literal.kind !== 'date') throw wrong('date');
      return literal.value;
    case 'double':
    case 'currency':
    case 'int':
      if (literal.kind !== 'number') throw wrong('double');
      return literal.value;
    case 'boolean':
      if (literal.kind !== 'boolean') throw wrong('boolean');
      return literal.value;
    case 'id':
    case 'reference': {
      if (literal.kind !== 'string') throw wrong('id');
      return normaliseId(literal.value) ?? literal.value;
    }
    case 'string':
    case 'textarea':
    case 'url':
    case 'picklist':
      if (literal.kind !== 'string') throw wrong('string');
      return literal.value;
  }
}

function comparable(r: Resolved, value: FieldValue): FieldValue {
  if (value === null) return null;
  if (r.field.type === 'datetime') return new Date(value as string).getTime();
  return value;
}

/** Ids and references compare exactly (they sort in creation order); text compares case-insensitively. */
function compare(r: Resolved, a: FieldValue, b: FieldValue): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (
    typeof a === 'string' &&
    typeof b === 'string' &&
    r.field.type !== 'id' &&
    r.field.type !== 'reference'
  ) {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x === y ? 0 : x < y ? -1 : 1;
  }
  return a < b ? -1 : 1;
}

function likeToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${escaped}$`, 'is');
}

type Predicate = (record: StoredRecord) => boolean;

function compile(store: OrgStore, root: ObjectDef, condition: Condition): Predicate {
  switch (condition.kind) {
    case 'and': {
      const parts = condition.items.map((c) => compile(store, root, c));
      return (r) => parts.every((p) => p(r));
    }
    case 'or': {
      const parts = condition.items.map((c) => compile(store, root, c));
      return (r) => parts.some((p) => p(r));
    }
    case 'not': {
      const inner = compile(store, root, condition.item);
      return (r) => !inner(r);
    }
    case 'in': {
      const resolved = resolve(root, condition.path);
      const values = condition.values.map((v) => comparable(resolved, literalFor(resolved, v)));
      return (record) => {
        const value = comparable(resolved, read(store, record, resolved));
        const found = values.some((v) => compare(resolved, value, v) === 0);
        return condition.negate ? !found : found;
      };
    }
    case 'compare': {
      const resolved = resolve(root, condition.path);
      const target = comparable(resolved, literalFor(resolved, condition.value));
      const { op } = condition;
      if (op === 'LIKE') {
        if (typeof target !== 'string') throw malformed('LIKE needs a string');
        const regexp = likeToRegExp(target);
        return (record) => {
          const value = read(store, record, resolved);
          return typeof value === 'string' && regexp.test(value);
        };
      }
      return (record) => {
        const value = comparable(resolved, read(store, record, resolved));
        if (op === '=') return compare(resolved, value, target) === 0;
        if (op === '!=') return compare(resolved, value, target) !== 0;
        if (value === null || target === null) return false;
        const c = compare(resolved, value, target);
        return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
      };
    }
  }
}

/** `WHERE Id = '…'` or `WHERE Id IN (…)` at the top level: look the records up instead of scanning. */
function candidateIds(store: OrgStore, root: ObjectDef, where: Condition | undefined): Iterable<string> {
  const direct = (c: Condition): string[] | undefined => {
    if (c.kind === 'compare' && c.op === '=' && c.path.length === 1 && c.path[0]?.toLowerCase() === 'id') {
      return c.value.kind === 'string' ? [normaliseId(c.value.value) ?? c.value.value] : [];
    }
    if (c.kind === 'in' && !c.negate && c.path.length === 1 && c.path[0]?.toLowerCase() === 'id') {
      return c.values.map((v) => (v.kind === 'string' ? (normaliseId(v.value) ?? v.value) : ''));
    }
    return undefined;
  };
  if (where) {
    const ids = direct(where) ?? (where.kind === 'and' ? where.items.map(direct).find((x) => x) : undefined);
    if (ids) return new Set(ids);
  }
  return store.idsOf(root.name);
}

function output(value: FieldValue, field: FieldDef): unknown {
  if (value !== null && field.type === 'datetime') return formatDateTime(new Date(value as string));
  return value;
}

function attributes(ctx: QueryContext, object: string, id: string): { type: string; url: string } {
  return { type: object, url: `/services/data/v${ctx.apiVersion}/sobjects/${object}/${id}` };
}

function shape(
  ctx: QueryContext,
  root: ObjectDef,
  query: Query,
  record: StoredRecord,
): Record<string, unknown> {
  const id = record.values.Id as string;
  const out: Record<string, unknown> = { attributes: attributes(ctx, root.name, id) };
  for (const item of query.select) {
    if (item.kind === 'count') continue;
    if (item.kind === 'subquery') {
      const rel = childRelationship(root, item.query.from);
      if (!rel)
        throw malformed(`Didn't understand relationship '${item.query.from}' in FROM part of query call.`);
      const child = objectDef(rel.childSObject) as ObjectDef;
      const ids = ctx.store.withValue(child.name, rel.field, id);
      const result = select(ctx, child, item.query, ids);
      out[rel.relationshipName] =
        result.records.length === 0
          ? null
          : { totalSize: result.totalSize, done: true, records: result.records };
      continue;
    }
    const resolved = resolve(root, item.path);
    if (!resolved.via) {
      out[resolved.field.name] = output(record.values[resolved.field.name] ?? null, resolved.field);
      continue;
    }
    const relName = resolved.via.relationshipName as string;
    const parentId = record.values[resolved.via.name];
    const parent = typeof parentId === 'string' ? ctx.store.get(parentId) : undefined;
    if (!parent) {
      out[relName] = null;
      continue;
    }
    const nested = (out[relName] as Record<string, unknown> | undefined) ?? {
      attributes: attributes(ctx, resolved.object.name, parentId as string),
    };
    nested[resolved.field.name] = output(parent.values[resolved.field.name] ?? null, resolved.field);
    out[relName] = nested;
  }
  return out;
}

function select(ctx: QueryContext, root: ObjectDef, query: Query, ids?: Iterable<string>): QueryResult {
  const limited = matching(ctx, root, query, ids);
  if (query.select.some((s) => s.kind === 'count')) {
    if (query.select.length > 1) throw malformed('COUNT() must be the only element in the SELECT list');
    return { totalSize: limited.length, records: [] };
  }
  return { totalSize: limited.length, records: limited.map((r) => shape(ctx, root, query, r)) };
}

/** The records a query selects, filtered, ordered and limited. */
function matching(ctx: QueryContext, root: ObjectDef, query: Query, ids?: Iterable<string>): StoredRecord[] {
  for (const item of query.select) {
    if (item.kind === 'field') resolve(root, item.path);
  }
  const predicate = query.where ? compile(ctx.store, root, query.where) : () => true;
  const matches: StoredRecord[] = [];
  for (const id of ids ?? candidateIds(ctx.store, root, query.where)) {
    const record = ctx.store.get(id);
    if (!record || record.object !== root.name) continue;
    if (record.deleted && !ctx.includeDeleted) continue;
    if (predicate(record)) matches.push(record);
  }
  const keys = query.orderBy.map((o) => ({ ...o, resolved: resolve(root, o.path) }));
  matches.sort((a, b) => {
    for (const key of keys) {
      const x = comparable(key.resolved, read(ctx.store, a, key.resolved));
      const y = comparable(key.resolved, read(ctx.store, b, key.resolved));
      if (x === y) continue;
      if (x === null) return key.nullsLast ? 1 : -1;
      if (y === null) return key.nullsLast ? -1 : 1;
      const c = compare(key.resolved, x, y);
      if (c !== 0) return key.descending ? -c : c;
    }
    return 0;
  });
  const start = query.offset ?? 0;
  return matches.slice(start, query.limit === undefined ? undefined : start + query.limit);
}

function rootOf(query: Query): ObjectDef {
  const root = objectDef(query.from);
  if (!root) {
    throw badRequest(
      'INVALID_TYPE',
      `sObject type '${query.from}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name.`,
    );
  }
  return root;
}

/** Runs a parsed query against the org. */
export function runQuery(ctx: QueryContext, query: Query): QueryResult {
  return select(ctx, rootOf(query), query);
}

function flatFields(root: ObjectDef, query: Query): Array<{ name: string; resolved: Resolved }> {
  return query.select.map((item) => {
    if (item.kind !== 'field')
      throw malformed('Bulk API 2.0 queries select fields only: no subqueries or COUNT()');
    return { name: item.path.join('.'), resolved: resolve(root, item.path) };
  });
}

/** Checks a flat query's object and fields without running it (Salesforce's 400 when a job is created). */
export function checkFlatQuery(query: Query): void {
  const root = rootOf(query);
  flatFields(root, query);
  for (const key of query.orderBy) resolve(root, key.path);
  if (query.where) compileCheck(root, query.where);
}

function compileCheck(root: ObjectDef, condition: Condition): void {
  if (condition.kind === 'and' || condition.kind === 'or')
    condition.items.forEach((c) => {
      compileCheck(root, c);
    });
  else if (condition.kind === 'not') compileCheck(root, condition.item);
  else resolve(root, condition.path);
}

/** A query's answer as a table: one column per selected field (named as in the query), one row per record. */
export interface FlatResult {
  columns: string[];
  rows: FieldValue[][];
  /** Each column's field type (a datetime is stored as ISO 8601). */
  types: FieldDef['type'][];
}

/**
 * Runs a parsed query whose SELECT lists fields only (own fields and parent relationship fields, no
 * subqueries or aggregates), answering rows of values rather than nested records: Bulk API 2.0's shape.
 */
export function runFlatQuery(ctx: QueryContext, query: Query): FlatResult {
  const root = rootOf(query);
  const fields = flatFields(root, query);
  const records = matching(ctx, root, query);
  return {
    columns: fields.map((f) => f.name),
    types: fields.map((f) => f.resolved.field.type),
    rows: records.map((record) => fields.map((f) => read(ctx.store, record, f.resolved))),
  };
}
