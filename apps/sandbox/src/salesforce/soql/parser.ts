import { badRequest } from '../org/errors';
import type { Condition, Literal, Operator, OrderItem, Query, SelectItem } from './ast';

type Token =
  | { type: 'ident'; value: string }
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'datetime'; value: number }
  | { type: 'date'; value: string }
  | { type: 'punct'; value: string };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/;
const DATE = /^\d{4}-\d{2}-\d{2}(?![\dT])/;
const NUMBER = /^-?\d+(\.\d+)?(?![\w-])/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/;
const PUNCT = /^(<=|>=|!=|<>|[=<>(),])/;

export function malformed(message: string): Error {
  return badRequest('MALFORMED_QUERY', message);
}

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let rest = soql;
  while (rest.length > 0) {
    const space = /^\s+/.exec(rest);
    if (space) {
      rest = rest.slice(space[0].length);
      continue;
    }
    let m: RegExpExecArray | null;
    if (rest.startsWith("'")) {
      let value = '';
      let i = 1;
      for (; i < rest.length && rest[i] !== "'"; i += 1) {
        if (rest[i] === '\\') {
          i += 1;
          const c = rest.at(i);
          value += c === 'n' ? '\n' : c === 't' ? '\t' : (c ?? '');
        } else value += rest[i];
      }
      if (i >= rest.length) throw malformed('unexpected end of query: unterminated string literal');
      tokens.push({ type: 'string', value });
      rest = rest.slice(i + 1);
    } else if ((m = DATETIME.exec(rest))) {
      const iso = m[0].replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
      tokens.push({ type: 'datetime', value: new Date(iso).getTime() });
      rest = rest.slice(m[0].length);
    } else if ((m = DATE.exec(rest))) {
      tokens.push({ type: 'date', value: m[0] });
      rest = rest.slice(m[0].length);
    } else if ((m = NUMBER.exec(rest))) {
      tokens.push({ type: 'number', value: Number(m[0]) });
      rest = rest.slice(m[0].length);
    } else if ((m = IDENT.exec(rest))) {
      tokens.push({ type: 'ident', value: m[0] });
      rest = rest.slice(m[0].length);
    } else if ((m = PUNCT.exec(rest))) {
      tokens.push({ type: 'punct', value: m[0] === '<>' ? '!=' : m[0] });
      rest = rest.slice(m[0].length);
    } else {
      throw malformed(`unexpected token: '${rest.slice(0, 20)}'`);
    }
  }
  return tokens;
}

const KEYWORDS = new Set([
  'SELECT',
  'FROM',
  'WHERE',
  'ORDER',
  'BY',
  'LIMIT',
  'OFFSET',
  'AND',
  'OR',
  'NOT',
  'IN',
]);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parseQuery(nested: boolean): Query {
    this.keyword('SELECT');
    const select = this.selectList();
    this.keyword('FROM');
    const from = this.objectName();
    const query: Query = { select, from, orderBy: [] };
    if (this.isKeyword('WHERE')) {
      this.i += 1;
      query.where = this.orExpr();
    }
    if (this.isKeyword('ORDER')) {
      this.i += 1;
      this.keyword('BY');
      query.orderBy = this.orderList();
    }
    if (this.isKeyword('LIMIT')) {
      this.i += 1;
      query.limit = this.nonNegativeInt('LIMIT');
    }
    if (this.isKeyword('OFFSET')) {
      this.i += 1;
      query.offset = this.nonNegativeInt('OFFSET');
    }
    if (!nested && this.i < this.tokens.length) throw malformed(`unexpected token: '${this.describe()}'`);
    return query;
  }

  private selectList(): SelectItem[] {
    const items: SelectItem[] = [];
    for (;;) {
      if (this.isPunct('(')) {
        this.i += 1;
        const query = this.parseQuery(true);
        this.punct(')');
        items.push({ kind: 'subquery', query });
      } else {
        const name = this.ident();
        if (name.toUpperCase() === 'COUNT' && this.isPunct('(')) {
          this.i += 1;
          this.punct(')');
          items.push({ kind: 'count' });
        } else items.push({ kind: 'field', path: name.split('.') });
      }
      if (!this.isPunct(',')) return items;
      this.i += 1;
    }
  }

  private orderList(): OrderItem[] {
    const items: OrderItem[] = [];
    for (;;) {
      const path = this.ident().split('.');
      let descending = false;
      if (this.isWord('ASC')) this.i += 1;
      else if (this.isWord('DESC')) {
        this.i += 1;
        descending = true;
      }
      let nullsLast = descending;
      if (this.isWord('NULLS')) {
        this.i += 1;
        if (this.isWord('FIRST')) nullsLast = false;
        else if (this.isWord('LAST')) nullsLast = true;
        else throw malformed(`unexpected token: '${this.describe()}'`);
        this.i += 1;
      }
      items.push({ path, descending, nullsLast });
      if (!this.isPunct(',')) return items;
      this.i += 1;
    }
  }

  private orExpr(): Condition {
    const items = [this.andExpr()];
    while (this.isKeyword('OR')) {
      this.i += 1;
      items.push(this.andExpr());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  }

  private andExpr(): Condition {
    const items = [this.factor()];
    while (this.isKeyword('AND')) {
      this.i += 1;
      items.push(this.factor());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  }

  private factor(): Condition {
    if (this.isKeyword('NOT')) {
      this.i += 1;
      return { kind: 'not', item: this.factor() };
    }
    if (this.isPunct('(')) {
      this.i += 1;
      const inner = this.orExpr();
      this.punct(')');
      return inner;
    }
    const path = this.ident().split('.');
    if (this.isKeyword('NOT') || this.isKeyword('IN')) {
      const negate = this.isKeyword('NOT');
      if (negate) this.i += 1;
      this.keyword('IN');
      this.punct('(');
      const values = [this.literal()];
      while (this.isPunct(',')) {
        this.i += 1;
        values.push(this.literal());
      }
      this.punct(')');
      return { kind: 'in', path, values, negate };
    }
    let op: Operator;
    const token = this.tokens.at(this.i);
    if (token?.type === 'punct' && ['=', '!=', '<', '<=', '>', '>='].includes(token.value)) {
      op = token.value as Operator;
    } else if (this.isWord('LIKE')) op = 'LIKE';
    else throw malformed(`unexpected token: '${this.describe()}'`);
    this.i += 1;
    return { kind: 'compare', path, op, value: this.literal() };
  }

  private literal(): Literal {
    const token = this.tokens.at(this.i);
    this.i += 1;
    if (!token) throw malformed('unexpected end of query');
    switch (token.type) {
      case 'string':
        return { kind: 'string', value: token.value };
      case 'number':
        return { kind: 'number', value: token.value };
      case 'datetime':
        return { kind: 'datetime', value: token.value };
      case 'date':
        return { kind: 'date', value: token.value };
      case 'ident': {
        const word = token.value.toLowerCase();
        if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
        if (word === 'null') return { kind: 'null' };
        throw malformed(`unexpected token: '${token.value}'`);
      }
      case 'punct':
        throw malformed(`unexpected token: '${token.value}'`);
    }
  }

  private nonNegativeInt(clause: string): number {
    const token = this.tokens.at(this.i);
    if (token?.type !== 'number' || !Number.isInteger(token.value) || token.value < 0) {
      throw malformed(`${clause} must be a non-negative integer`);
    }
    this.i += 1;
    return token.value;
  }

  /** An object name: may be a word that is a keyword elsewhere (`FROM Order`). */
  private objectName(): string {
    const token = this.tokens.at(this.i);
    if (token?.type !== 'ident' || token.value.includes('.'))
      throw malformed(`unexpected token: '${this.describe()}'`);
    this.i += 1;
    return token.value;
  }

  private ident(): string {
    const token = this.tokens.at(this.i);
    if (token?.type !== 'ident' || KEYWORDS.has(token.value.toUpperCase())) {
      throw malformed(`unexpected token: '${this.describe()}'`);
    }
    this.i += 1;
    return token.value;
  }

  private keyword(word: string): void {
    if (!this.isKeyword(word)) throw malformed(`expecting '${word}', found '${this.describe()}'`);
    this.i += 1;
  }

  private punct(value: string): void {
    if (!this.isPunct(value)) throw malformed(`expecting '${value}', found '${this.describe()}'`);
    this.i += 1;
  }

  private isKeyword(word: string): boolean {
    return this.isWord(word);
  }

  private isWord(word: string): boolean {
    const token = this.tokens.at(this.i);
    return token?.type === 'ident' && token.value.toUpperCase() === word;
  }

  private isPunct(value: string): boolean {
    const token = this.tokens.at(this.i);
    return token?.type === 'punct' && token.value === value;
  }

  private describe(): string {
    const token = this.tokens.at(this.i);
    if (!token) return 'end of query';
    return String(token.value);
  }
}

/** Parses a SOQL statement; anything outside the supported shapes is a 400 MALFORMED_QUERY. */
export function parseSoql(soql: string): Query {
  if (soql.trim() === '') throw malformed('A query string is required (parameter q)');
  return new Parser(tokenize(soql)).parseQuery(false);
}
