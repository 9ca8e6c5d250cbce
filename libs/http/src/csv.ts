/**
 * Parses the complete rows of `text` into `rows` and answers where the rest starts: with `final`, the rest is
 * nothing (a last row may end without a line break, and a malformed one throws); without, a row is complete only
 * when its line break has been seen (a field, a quote or a CR at the very end may go on in the next chunk), and the
 * answer is where the first incomplete row begins, to be parsed again with what follows.
 */
function parseInto(text: string, rows: string[][], final: boolean): number {
  const n = text.length;
  if (n === 0) return 0;
  let rowStart = 0;
  let row: string[] = [];
  let i = 0;
  for (;;) {
    let value: string;
    if (text.charCodeAt(i) === 34) {
      value = '';
      let start = i + 1;
      for (;;) {
        const quote = text.indexOf('"', start);
        if (quote === -1) {
          if (!final) return rowStart;
          throw new Error(`CSV: unterminated quoted field at ${String(i)}`);
        }
        // A quote last in the chunk may be the first of an escaped pair.
        if (quote + 1 >= n && !final) return rowStart;
        if (text.charCodeAt(quote + 1) === 34) {
          value += text.slice(start, quote + 1);
          start = quote + 2;
          continue;
        }
        value += text.slice(start, quote);
        i = quote + 1;
        break;
      }
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === 44 || c === 10 || c === 13) break;
        j += 1;
      }
      if (j >= n && !final) return rowStart;
      value = text.slice(i, j);
      i = j;
    }
    row.push(value);
    if (i >= n) {
      rows.push(row);
      return n;
    }
    const c = text.charCodeAt(i);
    if (c === 44) {
      i += 1;
      continue;
    }
    // A CR last in the chunk may be the first half of a CRLF.
    if (c === 13 && i + 1 >= n && !final) return rowStart;
    if (c === 13 && text.charCodeAt(i + 1) === 10) i += 1;
    if (c !== 10 && c !== 13)
      throw new Error(`CSV: unexpected character after a quoted field at ${String(i)}`);
    i += 1;
    rows.push(row);
    rowStart = i;
    if (i >= n) return n;
    row = [];
  }
}

/**
 * Parses CSV as Bulk API 2.0 and Stripe Sigma write it (RFC 4180: comma-delimited, a field bare or in double
 * quotes, `""` a quote inside quotes, rows ended by LF or CRLF), answering rows of cells. Hand-written for speed:
 * csv-parse (what jsforce parses results with) reads about 45,000 of these rows a second, a tenth of this.
 */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  parseInto(text, rows, true);
  return rows;
}

/** Rows as records keyed by the header row's names (the first row). */
export function parseCsvRecords(text: string): Array<Record<string, string>> {
  const rows = parseCsvRows(text);
  if (rows.length === 0) return [];
  const [header, ...data] = rows;
  return data.map((cells) => {
    const record: Record<string, string> = {};
    header.forEach((name, c) => {
      record[name] = cells[c] ?? '';
    });
    return record;
  });
}

/**
 * Parses a CSV arriving in chunks (an HTTP response body: Buffers of UTF-8, or strings), yielding the complete
 * rows of each chunk as one batch, so a file of any size is read in the memory of a chunk or two. A row cut by a
 * chunk boundary (also inside a quoted field, or between the bytes of one character) is kept back and comes out
 * whole with the next batch; the header row, if any, is the first row of the first batch. Chunks are all Buffers
 * or all strings.
 */
export async function* parseCsvStream(
  chunks: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<string[][], void, undefined> {
  const decoder = new TextDecoder('utf-8');
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    const rows: string[][] = [];
    const used = parseInto(text, rows, false);
    rest = used === 0 ? text : text.slice(used);
    if (rows.length > 0) yield rows;
  }
  const tail = rest + decoder.decode();
  const rows: string[][] = [];
  parseInto(tail, rows, true);
  if (rows.length > 0) yield rows;
}
