import { formatScaled, pow10 } from '@revline/canonical';
import type { ColumnRef, Condition, Literal, Source, SuiteQlQuery } from './suiteql-parser';
import { SuiteQlSyntaxError } from './suiteql-parser';

/** An exact amount: integer minor units and the currency's exponent. */
export interface Amount {
  minor: bigint;
  exponent: number;
}
/** A cell: text, an integer (internal ids: they compare and sort as numbers), an amount, or nothing. */
export type Value = string | number | Amount | null;
export type Row = Record<string, Value>;

export interface Table {
  columns: readonly string[];
  rows: () => Row[];
}

const isAmount = (v: Value): v is Amount => typeof v === 'object' && v !== null;

function sumAmounts(values: Value[]): Amount {
  const amounts = values.filter(isAmount);
  // reduce, not Math.max(...): a group of a million lines would overflow the call stack.
  const exponent = amounts.reduce((max, a) => Math.max(max, a.exponent), 0);
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

/** A column resolved to the FROM-list entry it belongs to. */
interface Bound {
  alias: string;
  column: string;
}

/** One row of the joined tables: each table's row by its alias. */
type Joined = Record<string, Row>;

const valueOf = (row: Joined, b: Bound): Value =>
  (Object.hasOwn(row, b.alias) ? row[b.alias] : {})[b.column] ?? null;

function matches(value: string | number | null, condition: Condition): boolean {
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

/** A join key: ids written as text or as numbers meet. */
const joinKey = (values: Value[]): string | null => {
  const parts = values.map(comparable);
  return parts.some((p) => p === null) ? null : parts.map(String).join('\u0000');
};

/** SuiteQL answers every value as a string; nulls are left out of the row. */
function output(row: Row): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null) continue;
    out[k] = isAmount(v) ? formatScaled(v.minor, v.exponent) : String(v);
  }
  return out;
}

/** Resolves a query's column names against its tables; unknown tables or columns are refused as NetSuite does. */
class Scope {
  readonly sources: Array<Source & { table: string; def: Table }>;

  constructor(query: SuiteQlQuery, tables: Record<string, Table>) {
    this.sources = [query.from, ...query.joins].map((s) => {
      const def = Object.hasOwn(tables, s.table) ? tables[s.table] : undefined;
      if (!def) throw new SuiteQlSyntaxError(`Record '${s.table}' was not found.`);
      return { ...s, def };
    });
    const aliases = this.sources.map((s) => s.alias);
    if (new Set(aliases).size !== aliases.length)
      throw new SuiteQlSyntaxError('A table alias is used twice in the FROM clause.');
  }

  bind(ref: ColumnRef): Bound {
    if (ref.qualifier !== null) {
      const source = this.sources.find((s) => s.alias === ref.qualifier);
      if (!source) throw new SuiteQlSyntaxError(`Unknown identifier '${ref.qualifier}.${ref.column}'.`);
      if (!source.def.columns.includes(ref.column))
        throw new SuiteQlSyntaxError(`Field '${ref.column}' for record '${source.table}' was not found.`);
      return { alias: source.alias, column: ref.column };
    }
    const owners = this.sources.filter((s) => s.def.columns.includes(ref.column));
    if (owners.length > 1) throw new SuiteQlSyntaxError(`Column '${ref.column}' is ambiguous.`);
    const owner = owners.at(0);
    if (!owner) {
      const only = this.sources.length === 1 ? this.sources.at(0) : undefined;
      if (only)
        throw new SuiteQlSyntaxError(`Field '${ref.column}' for record '${only.table}' was not found.`);
      throw new SuiteQlSyntaxError(`Unknown identifier '${ref.column}'.`);
    }
    return { alias: owner.alias, column: ref.column };
  }
}

/**
 * Runs a parsed query over the sandbox's tables. Joins are inner equi-joins, evaluated as hash joins: each table is
 * filtered by its own WHERE conditions first, then matched on the ON columns.
 */
export function runSuiteQl(
  query: SuiteQlQuery,
  tables: Record<string, Table>,
): Array<Record<string, string>> {
  const scope = new Scope(query, tables);
  const where = query.where.map((c) => ({ condition: c, bound: scope.bind(c.ref) }));
  const select = query.select.map((item) =>
    item.kind === 'column' || item.kind === 'sum'
      ? { item, bound: scope.bind(item.ref) }
      : { item, bound: undefined },
  );
  const groupBy = query.groupBy.map((g) => scope.bind(g));

  const rowsOf = (alias: string, def: Table): Row[] => {
    const own = where.filter((w) => w.bound.alias === alias);
    return def
      .rows()
      .filter((row) => own.every((w) => matches(comparable(row[w.bound.column] ?? null), w.condition)));
  };

  const [first, ...rest] = scope.sources;
  let joined: Joined[] = rowsOf(first.alias, first.def).map((row) => ({ [first.alias]: row }));
  const seen = new Set([first.alias]);
  for (const [i, source] of rest.entries()) {
    const on = (query.joins[i]?.on ?? []).map(({ left, right }) => {
      const l = scope.bind(left);
      const r = scope.bind(right);
      if (r.alias === source.alias && seen.has(l.alias)) return { mine: r.column, theirs: l };
      if (l.alias === source.alias && seen.has(r.alias)) return { mine: l.column, theirs: r };
      throw new SuiteQlSyntaxError(
        `The ON clause of ${source.table} must compare its columns with those of the tables before it.`,
      );
    });
    const index = new Map<string, Row[]>();
    for (const row of rowsOf(source.alias, source.def)) {
      const key = joinKey(on.map((o) => row[o.mine] ?? null));
      if (key === null) continue;
      const rows = index.get(key);
      if (rows) rows.push(row);
      else index.set(key, [row]);
    }
    joined = joined.flatMap((left) => {
      const key = joinKey(on.map((o) => valueOf(left, o.theirs)));
      return key === null ? [] : (index.get(key) ?? []).map((row) => ({ ...left, [source.alias]: row }));
    });
    seen.add(source.alias);
  }

  const aggregate = query.select.some((s) => s.kind === 'sum' || s.kind === 'count');
  const sameColumn = (a: Bound, b: Bound) => a.alias === b.alias && a.column === b.column;
  // Each answer row with the joined row its sort keys are read from (a group's first member).
  let result: Array<{ out: Row; source: Joined | undefined }>;
  if (!aggregate) {
    if (groupBy.length > 0) throw new SuiteQlSyntaxError('GROUP BY needs an aggregate in the select list.');
    result = joined.map((row) => {
      const out: Row = {};
      for (const { item, bound } of select) {
        if (item.kind === 'star') {
          if (scope.sources.length > 1) throw new SuiteQlSyntaxError('* cannot be selected with a join.');
          for (const c of first.def.columns) out[c] = valueOf(row, { alias: first.alias, column: c });
        } else if (item.kind === 'column' && bound) out[item.as] = valueOf(row, bound);
      }
      return { out, source: row };
    });
  } else {
    for (const { item, bound } of select) {
      if (item.kind === 'star') throw new SuiteQlSyntaxError('* cannot be selected with an aggregate.');
      if (item.kind === 'column' && bound && !groupBy.some((g) => sameColumn(g, bound))) {
        throw new SuiteQlSyntaxError(`${item.ref.column} must appear in the GROUP BY clause.`);
      }
    }
    const groups = new Map<string, Joined[]>();
    for (const row of joined) {
      const key = JSON.stringify(groupBy.map((g) => comparable(valueOf(row, g))));
      const members = groups.get(key);
      if (members) members.push(row);
      else groups.set(key, [row]);
    }
    if (groups.size === 0 && groupBy.length === 0) groups.set('[]', []);
    result = [...groups.values()].map((members) => {
      const out: Row = {};
      for (const { item, bound } of select) {
        if (item.kind === 'column' && bound) out[item.as] = members[0] ? valueOf(members[0], bound) : null;
        else if (item.kind === 'sum' && bound)
          out[item.as] = members.length === 0 ? null : sumAmounts(members.map((m) => valueOf(m, bound)));
        else if (item.kind === 'count') out[item.as] = members.length;
      }
      return { out, source: members[0] };
    });
  }
  if (query.orderBy.length > 0) {
    // A bare name that is an aggregate's alias sorts by that value; anything else is a column of the tables.
    const keys = query.orderBy.map(({ ref, descending }) => {
      const aggregateAlias =
        ref.qualifier === null &&
        query.select.some((s) => (s.kind === 'sum' || s.kind === 'count') && s.as === ref.column);
      if (aggregateAlias)
        return { descending, of: (r: { out: Row }) => comparable(r.out[ref.column] ?? null) ?? '' };
      const bound = scope.bind(ref);
      if (aggregate && !groupBy.some((g) => sameColumn(g, bound)))
        throw new SuiteQlSyntaxError(`${ref.column} must appear in the GROUP BY clause.`);
      return {
        descending,
        of: (r: { source: Joined | undefined }) =>
          (r.source ? comparable(valueOf(r.source, bound)) : null) ?? '',
      };
    });
    result.sort((a, b) => {
      for (const { of, descending } of keys) {
        const c = compare(of(a), of(b));
        if (c !== 0) return descending ? -c : c;
      }
      return 0;
    });
  }
  return result.map((r) => output(r.out));
}
