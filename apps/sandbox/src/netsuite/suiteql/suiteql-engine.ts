import { formatScaled, pow10 } from '@revline/canonical';
import type { Condition, Literal, SuiteQlQuery } from './suiteql-parser';
import { SuiteQlSyntaxError } from './suiteql-parser';

/** An exact amount: integer minor units and the currency's exponent. */
export interface Amount {
  minor: bigint;
  exponent: number;
}
export type Value = string | Amount | null;
export type Row = Record<string, Value>;

export interface Table {
  columns: readonly string[];
  rows: () => Row[];
}

const isAmount = (v: Value): v is Amount => typeof v === 'object' && v !== null;

function sumAmounts(values: Value[]): Amount {
  const amounts = values.filter(isAmount);
  const exponent = Math.max(0, ...amounts.map((a) => a.exponent));
  return { minor: amounts.reduce((s, a) => s + a.minor * pow10(exponent - a.exponent), 0n), exponent };
}

function comparable(v: Value): string | number | null {
  if (v === null) return null;
  if (isAmount(v)) return Number(formatScaled(v.minor, v.exponent));
  return v;
}

function compare(a: string | number, b: Literal): number {
  if (typeof a === 'number' || typeof b === 'number') {
    const x = Number(a);
    const y = Number(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function matches(row: Row, condition: Condition): boolean {
  const value = comparable(row[condition.column] ?? null);
  switch (condition.kind) {
    case 'null':
      return (value === null) !== condition.negated;
    case 'in':
      return value !== null && condition.values.some((v) => compare(value, v) === 0);
    case 'compare': {
      if (value === null) return false;
      const c = compare(value, condition.value);
      switch (condition.op) {
        case '=':
          return c === 0;
        case '<>':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '>=':
          return c >= 0;
      }
    }
  }
}

/** SuiteQL answers every value as a string; nulls are left out of the row. */
function output(row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null) continue;
    out[k] = isAmount(v) ? formatScaled(v.minor, v.exponent) : v;
  }
  return out;
}

/** Runs a parsed query over the sandbox's tables; unknown tables or columns are refused as NetSuite does. */
export function runSuiteQl(
  query: SuiteQlQuery,
  tables: Record<string, Table>,
): Array<Record<string, string>> {
  const table = Object.hasOwn(tables, query.table) ? tables[query.table] : undefined;
  if (!table) throw new SuiteQlSyntaxError(`Record '${query.table}' was not found.`);
  const known = (column: string): void => {
    if (!table.columns.includes(column)) {
      throw new SuiteQlSyntaxError(`Field '${column}' for record '${query.table}' was not found.`);
    }
  };
  for (const item of query.select) if (item.kind === 'column' || item.kind === 'sum') known(item.column);
  for (const c of query.where) known(c.column);
  for (const g of query.groupBy) known(g);

  const rows = table.rows().filter((row) => query.where.every((c) => matches(row, c)));
  const aggregate = query.select.some((s) => s.kind === 'sum' || s.kind === 'count');
  let result: Row[];
  if (!aggregate) {
    if (query.groupBy.length > 0)
      throw new SuiteQlSyntaxError('GROUP BY needs an aggregate in the select list.');
    result = rows.map((row) => {
      const out: Row = {};
      for (const item of query.select) {
        if (item.kind === 'star') for (const c of table.columns) out[c] = row[c] ?? null;
        else if (item.kind === 'column') out[item.as] = row[item.column] ?? null;
      }
      return out;
    });
  } else {
    for (const item of query.select) {
      if (item.kind === 'star') throw new SuiteQlSyntaxError('* cannot be selected with an aggregate.');
      if (item.kind === 'column' && !query.groupBy.includes(item.column)) {
        throw new SuiteQlSyntaxError(`${item.column} must appear in the GROUP BY clause.`);
      }
    }
    const groups = new Map<string, Row[]>();
    for (const row of rows) {
      const key = JSON.stringify(query.groupBy.map((g) => comparable(row[g] ?? null)));
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    if (groups.size === 0 && query.groupBy.length === 0) groups.set('[]', []);
    result = [...groups.values()].map((members) => {
      const out: Row = {};
      for (const item of query.select) {
        if (item.kind === 'column') out[item.as] = members[0]?.[item.column] ?? null;
        else if (item.kind === 'sum')
          out[item.as] = members.length === 0 ? null : sumAmounts(members.map((m) => m[item.column] ?? null));
        else if (item.kind === 'count') out[item.as] = String(members.length);
      }
      return out;
    });
  }
  if (query.orderBy.length > 0) {
    const keyOf = (row: Row, column: string): string | number => comparable(row[column] ?? null) ?? '';
    result.sort((a, b) => {
      for (const { column, descending } of query.orderBy) {
        const c = compare(keyOf(a, column), keyOf(b, column));
        if (c !== 0) return descending ? -c : c;
      }
      return 0;
    });
  }
  return result.map(output);
}
