import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresQueryRunner } from 'typeorm/driver/postgres/PostgresQueryRunner';

/**
 * The rows of a read run as a named prepared statement, on a connection of the DataSource's pool. Postgres parses
 * a named statement once per connection and, after a few runs, keeps a generic plan when it costs no more than the
 * custom ones, where an unnamed statement is parsed and planned on every call: for the hot list routes, whose text
 * comes from a handful of shapes (one statement per shape and connection). Give a LIMIT as a literal, not a
 * parameter, so the generic plan knows it. Values are parsed by the driver, as TypeORM's raw queries are.
 */
export async function preparedRows<T extends QueryResultRow>(
  dataSource: DataSource,
  sql: string,
  params: readonly unknown[],
): Promise<T[]> {
  return (await prepared<T>(dataSource, sql, params)).rows;
}

const statementNames = new Map<string, string>();

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `rl_${createHash('sha1').update(sql).digest('base64url')}`;
    statementNames.set(sql, name);
  }
  return name;
}

/**
 * A statement of fixed text (lists go in as arrays, `= ANY($1)` or `unnest`, never spliced in) run as a named
 * prepared statement straight on node-postgres: on the transaction's connection when given an EntityManager inside
 * one, on the pool otherwise. For the statements every message runs (inbox, outbox, saga rows): it skips TypeORM's
 * query building and Postgres's parse and plan of each call. Errors are node-postgres's `DatabaseError` (with its
 * `code`), not TypeORM's `QueryFailedError`.
 */
export async function prepared<T extends QueryResultRow = QueryResultRow>(
  target: DataSource | EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<QueryResult<T>> {
  const config = { name: statementName(sql), text: sql, values: [...params] };
  let dataSource: DataSource;
  if (target instanceof EntityManager) {
    const runner = target.queryRunner as PostgresQueryRunner | undefined;
    if (runner && !runner.isReleased && runner.isTransactionActive) {
      const connection = (await runner.connect()) as PoolClient;
      return connection.query<T>(config);
    }
    dataSource = target.connection;
  } else dataSource = target;
  return ((dataSource.driver as PostgresDriver).master as Pool).query<T>(config);
}

/**
 * A LIMIT clause for preparedRows: the number written into the text (a generic plan then knows it), after checking
 * it is a whole number, so nothing else can be written there.
 */
export function literalLimit(rows: number): string {
  if (!Number.isSafeInteger(rows) || rows < 0)
    throw new RangeError(`A row limit must be a whole number: ${rows}`);
  return `LIMIT ${String(rows)}`;
}

/** Adds a value to a statement's parameters and answers its placeholder (`$n`). */
export type Bind = (value: unknown) => string;

export function binder(params: unknown[]): Bind {
  return (value) => {
    params.push(value);
    return `$${String(params.length)}`;
  };
}

const selectLists = new WeakMap<object, Map<string, string>>();

/**
 * The select list of an entity's columns on `alias`, each named by its property (`"b"."opened_at" AS "openedAt"`),
 * so a raw row reads as the entity would, without TypeORM's hydration of each row: for entities whose columns have
 * no value transformer (refused otherwise) and no relations. Columns named in `omit` (properties) are left out.
 */
export function entityColumns<T extends ObjectLiteral>(
  dataSource: DataSource,
  entity: EntityTarget<T>,
  alias: string,
  omit: ReadonlyArray<keyof T & string> = [],
): string {
  const metadata = dataSource.getMetadata(entity);
  const key = `${alias}|${omit.join(',')}`;
  let lists = selectLists.get(metadata);
  if (!lists) {
    lists = new Map<string, string>();
    selectLists.set(metadata, lists);
  }
  const known = lists.get(key);
  if (known !== undefined) return known;
  const list = metadata.columns
    .filter((column) => !omit.includes(column.propertyName as keyof T & string))
    .map((column) => {
      if (column.transformer)
        throw new Error(
          `${metadata.name}.${column.propertyName} has a value transformer: read it through TypeORM`,
        );
      return `"${alias}"."${column.databaseName}" AS "${column.propertyName}"`;
    })
    .join(', ');
  lists.set(key, list);
  return list;
}
