/**
 * The SuiteQL the sandbox understands:
 *   SELECT item [, item]* FROM table [alias] [[INNER] JOIN table [alias] ON col = col [AND col = col]*]*
 *   [WHERE cond [AND cond]*] [GROUP BY col [, col]*] [ORDER BY col [ASC|DESC] [, …]*]
 *   item: * | col [AS alias] | SUM(col) [AS alias] | COUNT(*) [AS alias]
 *   cond: col (= | <> | != | < | <= | > | >=) literal | col IN (literal [, literal]*) | col IS [NOT] NULL
 *   literal: 'text' | number | TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD')
 * A column is `name` or `alias.name` (the table's name when it has no alias). Identifiers are case-insensitive.
 * Anything else (outer joins, OR, subqueries, other functions) is refused.
 */
import type { SqlToken } from '../../sql-tokens';
import { tokenizeSql } from '../../sql-tokens';

export type Literal = string | number;

/** A column as written: `column` or `qualifier.column`. */
export interface ColumnRef {
  qualifier: string | null;
  column: string;
}

export type SelectItem =
  | { kind: 'star' }
  | { kind: 'column'; ref: ColumnRef; as: string }
  | { kind: 'sum'; ref: ColumnRef; as: string }
  | { kind: 'count'; as: string };

export type Condition =
  | { kind: 'compare'; ref: ColumnRef; op: '=' | '<>' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'in'; ref: ColumnRef; values: Literal[] }
  | { kind: 'null'; ref: ColumnRef; negated: boolean };

/** A table in the FROM clause: its name and the name its columns are qualified by. */
export interface Source {
  table: string;
  alias: string;
}

export interface Join extends Source {
  on: Array<{ left: ColumnRef; right: ColumnRef }>;
}

export interface SuiteQlQuery {
  select: SelectItem[];
  from: Source;
  joins: Join[];
  where: Condition[];
  groupBy: ColumnRef[];
  orderBy: Array<{ ref: ColumnRef; descending: boolean }>;
}

export class SuiteQlSyntaxError extends Error {}

type Token = SqlToken;

function tokenize(sql: string): Token[] {
  return tokenizeSql(
    sql,
    /\s*(?:(\d+(?:\.\d+)?)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.]*)|(<=|>=|<>|!=|[=<>(),*]))/y,
    (message) => new SuiteQlSyntaxError(message),
  );
}

const KEYWORDS = new Set([
  'select',
  'from',
  'where',
  'and',
  'group',
  'order',
  'by',
  'as',
  'in',
  'is',
  'not',
  'null',
  'asc',
  'desc',
  'sum',
  'count',
  'or',
  'join',
  'inner',
  'left',
  'right',
  'full',
  'outer',
  'cross',
  'on',
]);

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): SuiteQlQuery {
    this.expectWord('select');
    const select = this.list(() => this.selectItem());
    this.expectWord('from');
    const from = this.source();
    const joins: Join[] = [];
    for (;;) {
      const next = this.peek();
      if (next?.kind === 'word' && ['left', 'right', 'full', 'outer', 'cross'].includes(next.text))
        throw new SuiteQlSyntaxError(`${next.text.toUpperCase()} joins are not supported by the sandbox`);
      const inner = this.acceptWord('inner');
      if (!this.acceptWord('join')) {
        if (inner) throw new SuiteQlSyntaxError('Expected JOIN');
        break;
      }
      const source = this.source();
      this.expectWord('on');
      const on: Join['on'] = [];
      do {
        const left = this.column();
        this.expectSymbol('=');
        on.push({ left, right: this.column() });
      } while (this.acceptWord('and'));
      joins.push({ ...source, on });
    }
    const where: Condition[] = [];
    if (this.acceptWord('where')) {
      do where.push(this.condition());
      while (this.acceptWord('and'));
    }
    let groupBy: ColumnRef[] = [];
    if (this.acceptWord('group')) {
      this.expectWord('by');
      groupBy = this.list(() => this.column());
    }
    let orderBy: SuiteQlQuery['orderBy'] = [];
    if (this.acceptWord('order')) {
      this.expectWord('by');
      orderBy = this.list(() => {
        const ref = this.column();
        const descending = this.acceptWord('desc');
        if (!descending) this.acceptWord('asc');
        return { ref, descending };
      });
    }
    if (this.position < this.tokens.length)
      throw new SuiteQlSyntaxError(`Unexpected '${this.tokens[this.position]?.text ?? ''}'`);
    return { select, from, joins, where, groupBy, orderBy };
  }

  private source(): Source {
    const table = this.identifier();
    if (table.includes('.')) throw new SuiteQlSyntaxError(`Unexpected '${table}'`);
    const next = this.peek();
    const alias = next?.kind === 'word' && !KEYWORDS.has(next.text) ? this.identifier() : table;
    return { table, alias };
  }

  private selectItem(): SelectItem {
    if (this.acceptSymbol('*')) return { kind: 'star' };
    if (this.acceptWord('sum')) {
      this.expectSymbol('(');
      const ref = this.column();
      this.expectSymbol(')');
      return { kind: 'sum', ref, as: this.aliasOr(`sum_${ref.column}`) };
    }
    if (this.acceptWord('count')) {
      this.expectSymbol('(');
      this.expectSymbol('*');
      this.expectSymbol(')');
      return { kind: 'count', as: this.aliasOr('count') };
    }
    const ref = this.column();
    return { kind: 'column', ref, as: this.aliasOr(ref.column) };
  }

  private condition(): Condition {
    const ref = this.column();
    if (this.acceptWord('in')) {
      this.expectSymbol('(');
      const values = this.list(() => this.literal());
      this.expectSymbol(')');
      return { kind: 'in', ref, values };
    }
    if (this.acceptWord('is')) {
      const negated = this.acceptWord('not');
      this.expectWord('null');
      return { kind: 'null', ref, negated };
    }
    const op = this.next();
    if (op.kind !== 'symbol' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) {
      throw new SuiteQlSyntaxError(`Expected a comparison after ${ref.column}`);
    }
    return { kind: 'compare', ref, op: op.text as '=', value: this.literal() };
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    if (token.kind === 'word' && token.text === 'to_date') {
      // Dates compare as ISO text in the sandbox; only the ISO format is accepted.
      this.expectSymbol('(');
      const date = this.next();
      this.expectSymbol(',');
      const format = this.next();
      this.expectSymbol(')');
      if (
        date.kind !== 'string' ||
        format.kind !== 'string' ||
        format.text.toUpperCase() !== 'YYYY-MM-DD' ||
        !/^\d{4}-\d{2}-\d{2}$/.test(date.text)
      ) {
        throw new SuiteQlSyntaxError("The sandbox reads TO_DATE('YYYY-MM-DD', 'YYYY-MM-DD') only");
      }
      return date.text;
    }
    throw new SuiteQlSyntaxError(`Expected a literal, found '${token.text}'`);
  }

  private column(): ColumnRef {
    const name = this.identifier();
    const parts = name.split('.');
    if (parts.length === 1) return { qualifier: null, column: name };
    const [qualifier = '', column = ''] = parts;
    if (parts.length !== 2 || qualifier === '' || column === '')
      throw new SuiteQlSyntaxError(`Unexpected '${name}'`);
    return { qualifier, column };
  }

  private aliasOr(fallback: string): string {
    return this.acceptWord('as') ? this.identifier() : fallback;
  }

  private identifier(): string {
    const token = this.next();
    if (token.kind !== 'word' || KEYWORDS.has(token.text))
      throw new SuiteQlSyntaxError(`Expected a name, found '${token.text}'`);
    return token.text;
  }

  private list<T>(item: () => T): T[] {
    const items = [item()];
    while (this.acceptSymbol(',')) items.push(item());
    return items;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens.at(this.position);
    if (!token) throw new SuiteQlSyntaxError('Unexpected end of query');
    this.position += 1;
    return token;
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'word' && token.text === word) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expectWord(word: string): void {
    if (!this.acceptWord(word)) throw new SuiteQlSyntaxError(`Expected ${word.toUpperCase()}`);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind === 'symbol' && token.text === symbol) {
      this.position += 1;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw new SuiteQlSyntaxError(`Expected '${symbol}'`);
  }
}

export function parseSuiteQl(sql: string): SuiteQlQuery {
  return new Parser(tokenize(sql)).parse();
}
