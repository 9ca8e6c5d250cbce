import type { SqlToken } from '../../sql-tokens';
import { tokenizeSql } from '../../sql-tokens';

/**
 * The Sigma SQL the sandbox understands (Sigma itself runs Trino SQL; this is the subset bulk exports need):
 *   SELECT item [, item]* [FROM table [alias] [JOIN table [alias] ON col = col]] [WHERE cond [AND cond]*]
 *   item: col [AS name] | data_load_time [AS name]
 *   cond: col (= | <> | != | < | <= | > | >=) value
 *   value: 'string' | number | true | false | TIMESTAMP 'YYYY-MM-DD HH:MM:SS' | data_load_time
 * A column is `alias.column` or a bare column name that only one of the tables has. Identifiers are
 * case-insensitive. Anything else is refused with a message naming what was not understood.
 */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'timestamp'; value: number }
  | { kind: 'data_load_time' };

export interface ColumnRef {
  /** The table alias written before the dot, if any. */
  qualifier: string | null;
  column: string;
}

export type SelectItem =
  { kind: 'column'; ref: ColumnRef; as: string } | { kind: 'data_load_time'; as: string };

export interface Condition {
  ref: ColumnRef;
  op: '=' | '<>' | '<' | '<=' | '>' | '>=';
  value: Literal;
}

export interface TableRef {
  table: string;
  alias: string;
}

export interface SigmaQuery {
  select: SelectItem[];
  from: TableRef | null;
  join: { table: TableRef; left: ColumnRef; right: ColumnRef } | null;
  where: Condition[];
}

export class SigmaSqlError extends Error {}

type Token = SqlToken;

function tokenize(sql: string): Token[] {
  const tokens = tokenizeSql(
    sql,
    /\s*(?:(-?\d+(?:\.\d+)?)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|<>|!=|[=<>(),.*;]))/y,
    (message) => new SigmaSqlError(message),
  );
  if (tokens.at(-1)?.text === ';') tokens.pop();
  return tokens;
}

/** Words that are never a name (so `FROM invoices GROUP BY …` is refused, not read as an alias `group`). */
const KEYWORDS = new Set(
  'select from join inner left right full outer cross on where and or not as timestamp group order by having limit union'.split(
    ' ',
  ),
);

/** `YYYY-MM-DD HH:MM:SS[.fff]` (UTC) as Unix seconds. */
function parseTimestamp(text: string): number {
  const seconds = /^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2}(\.\d+)?)?$/.test(text)
    ? Date.parse(`${text.length === 10 ? `${text} 00:00:00` : text}Z`.replace(' ', 'T')) / 1000
    : Number.NaN;
  if (!Number.isFinite(seconds)) throw new SigmaSqlError(`Invalid timestamp literal '${text}'`);
  return seconds;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset];
  }

  private next(): Token {
    const token = this.peek();
    if (!token) throw new SigmaSqlError('Unexpected end of query');
    this.index += 1;
    return token;
  }

  /** Whether the token ahead is this keyword or symbol (never a quoted string that happens to spell it). */
  private at(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token !== undefined && token.kind !== 'string' && token.text === text;
  }

  private accept(text: string): boolean {
    if (!this.at(text)) return false;
    this.index += 1;
    return true;
  }

  private expect(text: string): void {
    const token = this.next();
    if (token.kind === 'string' || token.text !== text)
      throw new SigmaSqlError(`Expected ${text.toUpperCase()} but found '${token.text}'`);
  }

  private identifier(): string {
    const token = this.next();
    if (token.kind !== 'word' || KEYWORDS.has(token.text))
      throw new SigmaSqlError(`Expected a name but found '${token.text}'`);
    return token.text;
  }

  private columnRef(): ColumnRef {
    const first = this.identifier();
    if (!this.accept('.')) return { qualifier: null, column: first };
    return { qualifier: first, column: this.identifier() };
  }

  private table(): TableRef {
    const table = this.identifier();
    if (this.accept('as')) return { table, alias: this.identifier() };
    const next = this.peek();
    const alias = next?.kind === 'word' && !KEYWORDS.has(next.text) ? this.identifier() : table;
    return { table, alias };
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', value: token.text };
    if (token.kind === 'number') return { kind: 'number', value: Number(token.text) };
    if (token.kind === 'word' && (token.text === 'true' || token.text === 'false'))
      return { kind: 'boolean', value: token.text === 'true' };
    if (token.kind === 'word' && token.text === 'data_load_time') return { kind: 'data_load_time' };
    if (token.kind === 'word' && token.text === 'timestamp') {
      const text = this.next();
      if (text.kind !== 'string')
        throw new SigmaSqlError("TIMESTAMP must be followed by a quoted 'YYYY-MM-DD HH:MM:SS'");
      return { kind: 'timestamp', value: parseTimestamp(text.text) };
    }
    throw new SigmaSqlError(`Expected a value but found '${token.text}'`);
  }

  parse(): SigmaQuery {
    this.expect('select');
    const select: SelectItem[] = [];
    do {
      if (this.at('data_load_time') && !this.at('.', 1)) {
        this.next();
        select.push({ kind: 'data_load_time', as: this.accept('as') ? this.identifier() : 'data_load_time' });
        continue;
      }
      const ref = this.columnRef();
      select.push({ kind: 'column', ref, as: this.accept('as') ? this.identifier() : ref.column });
    } while (this.accept(','));
    let from: TableRef | null = null;
    let join: SigmaQuery['join'] = null;
    if (this.accept('from')) {
      from = this.table();
      this.accept('inner');
      if (this.accept('join')) {
        const table = this.table();
        this.expect('on');
        const left = this.columnRef();
        this.expect('=');
        join = { table, left, right: this.columnRef() };
      }
    }
    const where: Condition[] = [];
    if (this.accept('where')) {
      do {
        const ref = this.columnRef();
        const operator = this.next();
        const op = operator.text;
        if (operator.kind !== 'symbol' || !['=', '<>', '<', '<=', '>', '>='].includes(op))
          throw new SigmaSqlError(`Expected a comparison but found '${op}'`);
        where.push({ ref, op: op as Condition['op'], value: this.literal() });
      } while (this.accept('and'));
    }
    const rest = this.peek();
    if (rest) throw new SigmaSqlError(`This query uses SQL the sandbox's Sigma does not run: '${rest.text}'`);
    if (!from && select.some((item) => item.kind === 'column'))
      throw new SigmaSqlError('Columns can only be selected FROM a table');
    return { select, from, join, where };
  }
}

export function parseSigmaSql(sql: string): SigmaQuery {
  return new Parser(tokenize(sql)).parse();
}
