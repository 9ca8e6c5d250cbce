/** A token of the SQL the sandboxes read (SuiteQL, Sigma): words lower-cased, `!=` written `<>`. */
export interface SqlToken {
  kind: 'word' | 'string' | 'number' | 'symbol';
  text: string;
}

/**
 * Splits SQL into tokens with a sticky `pattern` whose four groups are a number, a quoted string (`''` a quote
 * inside), a word and a symbol; what it cannot match is refused through `fail`.
 */
export function tokenizeSql(sql: string, pattern: RegExp, fail: (message: string) => Error): SqlToken[] {
  const tokens: SqlToken[] = [];
  const text = sql.trim();
  let index = 0;
  while (index < text.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) throw fail(`Unexpected input at position ${index}: ${text.slice(index, index + 20)}`);
    index = pattern.lastIndex;
    const [, number, string, word, symbol] = match as unknown as Array<string | undefined>;
    if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (string !== undefined) tokens.push({ kind: 'string', text: string.replace(/''/g, "'") });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word.toLowerCase() });
    else if (symbol !== undefined) tokens.push({ kind: 'symbol', text: symbol === '!=' ? '<>' : symbol });
  }
  return tokens;
}
