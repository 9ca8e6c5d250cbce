import type { Pool, QueryResultRow } from 'pg';
import { createHash } from 'node:crypto';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

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
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const name = `rl_${createHash('sha1').update(sql).digest('base64url')}`;
  const result = await pool.query<T>({ name, text: sql, values: [...params] });
  return result.rows;
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
