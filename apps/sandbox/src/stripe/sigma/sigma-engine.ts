import { rfc4180Cell } from '@revline/http';
import type { ColumnRef, Condition, Literal, SigmaQuery, TableRef } from './sigma-sql';
import { SigmaSqlError } from './sigma-sql';
import type { ColumnType, Table, Value } from './sigma-tables';

/** A result row's cell reader: the joined row is `[left, right]` (right undefined without a join). */
type Reader<T = Value> = (left: unknown, right: unknown) => T;

interface Bound {
  type: ColumnType;
  read: Reader;
  /** Which side of the join it reads: 0 the FROM table, 1 the joined one. */
  side: 0 | 1;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A timestamp as Sigma's result files write it: `YYYY-MM-DD HH:MM:SS.000`, UTC. */
export function formatTimestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.000`;
}

/** Timestamps written lately: a result repeats them (an invoice's dates on each of its lines). */
const written = new Map<number, string>();
function timestampCell(seconds: number): string {
  let text = written.get(seconds);
  if (text === undefined) {
    if (written.size >= 10_000) written.clear();
    text = formatTimestamp(seconds);
    written.set(seconds, text);
  }
  return text;
}

/** How a column of each type is written into the result file (null is an empty cell). */
function writer(type: ColumnType, read: Reader): Reader<string> {
  switch (type) {
    case 'timestamp':
      return (left, right) => {
        const value = read(left, right);
        return value === null ? '' : timestampCell(value as number);
      };
    case 'integer':
    case 'boolean':
      return (left, right) => {
        const value = read(left, right);
        return value === null ? '' : String(value);
      };
    case 'string':
      return (left, right) => rfc4180Cell(read(left, right));
  }
}

function literalValue(literal: Literal, type: ColumnType, dataLoadTime: number, column: string): Value {
  switch (literal.kind) {
    case 'data_load_time':
    case 'timestamp': {
      if (type !== 'timestamp')
        throw new SigmaSqlError(`Cannot compare ${column} (${type}) with a timestamp`);
      return literal.kind === 'timestamp' ? literal.value : dataLoadTime;
    }
    case 'number':
      if (type !== 'integer') throw new SigmaSqlError(`Cannot compare ${column} (${type}) with a number`);
      return literal.value;
    case 'boolean':
      if (type !== 'boolean') throw new SigmaSqlError(`Cannot compare ${column} (${type}) with a boolean`);
      return literal.value;
    case 'string':
      if (type !== 'string') throw new SigmaSqlError(`Cannot compare ${column} (${type}) with a string`);
      return literal.value;
  }
}

/** SQL comparison: anything compared with NULL is not true. */
function predicate(op: Condition['op'], expected: Value): (value: Value) => boolean {
  if (expected === null) return () => false;
  switch (op) {
    case '=':
      return (v) => v !== null && v === expected;
    case '<>':
      return (v) => v !== null && v !== expected;
    case '<':
      return (v) => v !== null && v < expected;
    case '<=':
      return (v) => v !== null && v <= expected;
    case '>':
      return (v) => v !== null && v > expected;
    case '>=':
      return (v) => v !== null && v >= expected;
  }
}

/**
 * Runs a parsed query over the sandbox's Sigma tables and writes the result as Sigma's result files are written: CSV
 * with a header row of the output names, in chunks of `chunkRows` rows, each a Buffer (outside the JavaScript heap:
 * a result can be hundreds of megabytes, and small chunks let each row's strings die young). The joined table is
 * filtered first by the conditions on it alone. Unknown tables or columns, or a value of the wrong type, are refused
 * (on the first chunk asked for). The chunks come one at a time, so a caller can run a large query in small steps.
 */
export function* sigmaResult(
  query: SigmaQuery,
  tables: Record<string, Table<unknown>>,
  dataLoadTime: number,
  chunkRows = 1_000,
): Generator<Buffer, void, undefined> {
  const sources: TableRef[] = [query.from, query.join?.table].filter((t): t is TableRef => t != null);
  const resolved = sources.map((ref) => {
    const table = Object.hasOwn(tables, ref.table) ? tables[ref.table] : undefined;
    if (!table) throw new SigmaSqlError(`Table '${ref.table}' does not exist`);
    return table;
  });
  const bind = (ref: ColumnRef): Bound => {
    const found: Bound[] = [];
    sources.forEach((source, index) => {
      const columns = resolved[index].columns;
      if ((ref.qualifier !== null && source.alias !== ref.qualifier) || !Object.hasOwn(columns, ref.column))
        return;
      const { type, get } = columns[ref.column];
      const side = index as 0 | 1;
      found.push({ type, side, read: side === 0 ? (left) => get(left) : (_left, right) => get(right) });
    });
    const name = ref.qualifier ? `${ref.qualifier}.${ref.column}` : ref.column;
    if (found.length > 1) throw new SigmaSqlError(`Column '${name}' is ambiguous`);
    if (!found[0]) throw new SigmaSqlError(`Column '${name}' cannot be resolved`);
    return found[0];
  };

  const columns = query.select.map((item) =>
    item.kind === 'data_load_time'
      ? { as: item.as, type: 'timestamp' as const, read: () => dataLoadTime }
      : { as: item.as, ...bind(item.ref) },
  );
  const conditions = query.where.map((condition) => {
    const bound = bind(condition.ref);
    const test = predicate(
      condition.op,
      literalValue(condition.value, bound.type, dataLoadTime, condition.ref.column),
    );
    return { side: bound.side, test: (left: unknown, right: unknown) => test(bound.read(left, right)) };
  });

  // Each row's cells go into one list joined per chunk: no string is built per row.
  const writers = columns.map((c) => writer(c.type, c.read));
  let parts: string[] = [`${columns.map((c) => rfc4180Cell(c.as)).join(',')}\n`];
  let rows = 0;
  for (const [lefts, right] of matchingRows()) {
    for (const left of lefts) {
      let line = writers[0](left, right);
      for (let i = 1; i < writers.length; i++) line += `,${writers[i](left, right)}`;
      parts.push(line, '\n');
    }
    rows += lefts.length;
    if (rows >= chunkRows) {
      yield Buffer.from(parts.join(''));
      parts = [];
      rows = 0;
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''));

  /** The rows the query selects, in groups of FROM rows that share their joined row. */
  function* matchingRows(): Generator<[readonly unknown[], unknown], void, undefined> {
    if (!query.from) {
      yield [[undefined], undefined];
      return;
    }
    if (!query.join) {
      for (const row of resolved[0].rows())
        if (conditions.every((c) => c.test(row, undefined))) yield [[row], undefined];
      return;
    }
    const left = bind(query.join.left);
    const right = bind(query.join.right);
    if (left.side === right.side) throw new SigmaSqlError('A join condition must compare the two tables');
    const [outerKey, innerKey] = left.side === 0 ? [left, right] : [right, left];
    const innerOnly = conditions.filter((c) => c.side === 1);
    const rest = conditions.filter((c) => c.side === 0);
    const joined = function* (): Iterable<unknown> {
      for (const row of resolved[1].rows()) if (innerOnly.every((c) => c.test(undefined, row))) yield row;
    };
    // An index on the FROM table's join column: each joined row finds its rows there (a nested-loop join that
    // costs what the filtered rows hold, not the whole table). Otherwise a hash join over the joined table.
    const lookup = resolved[0].index?.[(left.side === 0 ? query.join.left : query.join.right).column];
    if (lookup) {
      for (const match of joined()) {
        const key = innerKey.read(undefined, match);
        if (key === null) continue;
        const rows = lookup(key);
        yield [rest.length === 0 ? rows : rows.filter((row) => rest.every((c) => c.test(row, match))), match];
      }
      return;
    }
    const inner = new Map<Value, unknown[]>();
    for (const row of joined()) {
      const key = innerKey.read(undefined, row);
      if (key === null) continue;
      const matches = inner.get(key);
      if (matches) matches.push(row);
      else inner.set(key, [row]);
    }
    for (const row of resolved[0].rows()) {
      const matches = inner.get(outerKey.read(row, undefined));
      if (!matches) continue;
      for (const match of matches) if (rest.every((c) => c.test(row, match))) yield [[row], match];
    }
  }
}
