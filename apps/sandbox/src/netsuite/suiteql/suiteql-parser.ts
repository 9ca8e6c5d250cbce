/**
 * The SuiteQL the sandbox understands: one table, no joins.
 *   SELECT item [, item]* FROM table [alias]
 *   [WHERE cond [AND cond]*] [GROUP BY col [, col]*] [ORDER BY col [ASC|DESC] [, …]*]
 *   item: * | col [AS alias] | SUM(col) [AS alias] | COUNT(*) [AS alias]
 *   cond: col (= | <> | != | < | <= | > | >=) literal | col IN (literal [, literal]*) | col IS [NOT] NULL
 * Identifiers are case-insensitive; `alias.col` is accepted for the table's own alias. Anything else is refused.
 */
import type { SqlToken } from '../../sql-tokens';
import { tokenizeSql } from '../../sql-tokens';

export type Literal = string | number;

export type SelectItem =
  | { kind: 'star' }
  | { kind: 'column'; column: string; as: string }
  | { kind: 'sum'; column: string; as: string }
  | { kind: 'count'; as: string };

export type Condition =
  | { kind: 'compare'; column: string; op: '=' | '<>' | '<' | '<=' | '>' | '>='; value: Literal }
  | { kind: 'in'; column: string; values: Literal[] }
  | { kind: 'null'; column: string; negated: boolean };

export interface SuiteQlQuery {
  select: SelectItem[];
  table: string;
  where: Condition[];
  groupBy: string[];
  orderBy: Array<{ column: string; descending: boolean }>;
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
]);

class Parser {
  private position = 0;
  private alias: string | undefined;

  constructor(private readonly tokens: Token[]) {
    // The table's alias is declared after FROM but used before it, in the select list.
    const from = tokens.findIndex((t) => t.kind === 'word' && t.text === 'from');
    const alias = from === -1 ? undefined : tokens[from + 2];
    if (alias?.kind === 'word' && !KEYWORDS.has(alias.text)) this.alias = alias.text;
  }

  parse(): SuiteQlQuery {
    this.expectWord('select');
    const select = this.list(() => this.selectItem());
    this.expectWord('from');
    const table = this.identifier();
    const next = this.peek();
    if (next?.kind === 'word' && !KEYWORDS.has(next.text)) this.identifier();
    const where: Condition[] = [];
    if (this.acceptWord('where')) {
      do where.push(this.condition());
      while (this.acceptWord('and'));
    }
    let groupBy: string[] = [];
    if (this.acceptWord('group')) {
      this.expectWord('by');
      groupBy = this.list(() => this.column());
    }
    let orderBy: SuiteQlQuery['orderBy'] = [];
    if (this.acceptWord('order')) {
      this.expectWord('by');
      orderBy = this.list(() => {
        const column = this.column();
        const descending = this.acceptWord('desc');
        if (!descending) this.acceptWord('asc');
        return { column, descending };
      });
    }
    if (this.position < this.tokens.length)
      throw new SuiteQlSyntaxError(`Unexpected '${this.tokens[this.position]?.text ?? ''}'`);
    return { select, table, where, groupBy, orderBy };
  }

  private selectItem(): SelectItem {
    if (this.acceptSymbol('*')) return { kind: 'star' };
    if (this.acceptWord('sum')) {
      this.expectSymbol('(');
      const column = this.column();
      this.expectSymbol(')');
      return { kind: 'sum', column, as: this.aliasOr(`sum_${column}`) };
    }
    if (this.acceptWord('count')) {
      this.expectSymbol('(');
      this.expectSymbol('*');
      this.expectSymbol(')');
      return { kind: 'count', as: this.aliasOr('count') };
    }
    const column = this.column();
    return { kind: 'column', column, as: this.aliasOr(column) };
  }

  private condition(): Condition {
    const column = this.column();
    if (this.acceptWord('in')) {
      this.expectSymbol('(');
      const values = this.list(() => this.literal());
      this.expectSymbol(')');
      return { kind: 'in', column, values };
    }
    if (this.acceptWord('is')) {
      const negated = this.acceptWord('not');
      this.expectWord('null');
      return { kind: 'null', column, negated };
    }
    const op = this.next();
    if (op.kind !== 'symbol' || !['=', '<>', '<', '<=', '>', '>='].includes(op.text)) {
      throw new SuiteQlSyntaxError(`Expected a comparison after ${column}`);
    }
    return { kind: 'compare', column, op: op.text as '=', value: this.literal() };
  }

  private literal(): Literal {
    const token = this.next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'number') return Number(token.text);
    throw new SuiteQlSyntaxError(`Expected a literal, found '${token.text}'`);
  }

  private column(): string {
    const name = this.identifier();
    const dot = name.indexOf('.');
    if (dot === -1) return name;
    if (name.slice(0, dot) !== this.alias) throw new SuiteQlSyntaxError(`Unknown table alias in ${name}`);
    return name.slice(dot + 1);
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
