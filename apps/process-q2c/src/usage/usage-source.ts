import { DomainError, wellFormedText } from '@revline/http';
import { parse as parseCsv } from 'csv-parse';
import type { Info } from 'csv-parse';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import type { UsageReject } from './parse-usage';
import { MAX_JSON_ROWS } from './parse-usage';

/** The body types POST /v1/usage reads line by line as they arrive (a JSON array is parsed whole, within the limit). */
export const JSON_LINES_TYPES = ['application/x-ndjson', 'application/jsonl'];
export const CSV_TYPE = 'text/csv';

export type UsageBodyKind = 'json' | 'lines' | 'csv';

/** One line of the body: its number and what it holds, or why it could not be read. */
export type UsageLine = { line: number; value: unknown } | { line: number; reject: UsageReject };

export function bodyKindOf(contentType: string | undefined): UsageBodyKind {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  if (JSON_LINES_TYPES.includes(type)) return 'lines';
  return type === CSV_TYPE ? 'csv' : 'json';
}

const bad = (field: string, problem: string) =>
  new DomainError(400, `The usage body ${problem}`, [{ field, problem }]);

/** Refuses a Content-Encoding other than gzip, before anything is read. */
export function checkEncoding(encoding: string | undefined): 'gzip' | 'identity' {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === 'gzip') return coding;
  throw new DomainError(415, `Content-Encoding ${coding} is not supported: send gzip or none`, [
    { field: 'content-encoding', problem: 'must be gzip or identity' },
  ]);
}

/** The decoded bytes: gzip is inflated as it streams (and checked for NUL and UTF-8 then). */
function decoded(body: Readable, encoding: 'gzip' | 'identity'): Readable {
  if (encoding === 'identity') return body;
  const gunzip = createGunzip();
  const checked = wellFormedText();
  body.on('error', (error) => gunzip.destroy(error));
  gunzip.on('error', (error) => checked.destroy(bad('(body)', `is not valid gzip: ${error.message}`)));
  return body.pipe(gunzip).pipe(checked);
}

/** The longest line read: a longer one refuses the body (memory stays bounded whatever is sent). */
export const MAX_LINE_CHARS = 65_536;

/** The text lines of a byte stream, split as the bytes arrive (a stream's error ends the iteration with it). */
async function* textLines(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let read = 0;
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const parts = (rest + decoder.write(chunk)).split('\n');
    rest = parts.pop() ?? '';
    read += parts.length;
    if (rest.length > MAX_LINE_CHARS)
      throw bad(`lines[${String(read + 1)}]`, `has a line longer than ${String(MAX_LINE_CHARS)} characters`);
    yield* parts;
  }
  rest += decoder.end();
  if (rest !== '') yield rest;
}

async function* jsonLines(input: Readable): AsyncGenerator<UsageLine> {
  let line = 0;
  for await (const text of textLines(input)) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown };
    } catch {
      yield { line, reject: { line, field: '(line)', problem: 'is not JSON' } };
    }
  }
}

/** CSV with a header row naming the fields; a record csv-parse cannot read is a reject of its line. */
async function* csvLines(input: Readable): AsyncGenerator<UsageLine> {
  const skipped: UsageLine[] = [];
  const parser = parseCsv({
    columns: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_LINE_CHARS,
    info: true,
    trim: true,
  });
  parser.on('skip', (error: Error & { lines?: number }) => {
    const line = error.lines ?? 0;
    skipped.push({
      line,
      reject: { line, field: '(line)', problem: `is not a CSV record: ${error.message}` },
    });
  });
  input.on('error', (error) => parser.destroy(error));
  for await (const item of input.pipe(parser) as AsyncIterable<{ record: object; info: Info }>) {
    yield* skipped.splice(0);
    yield { line: item.info.lines, value: item.record };
  }
  yield* skipped.splice(0);
}

function* jsonArray(body: unknown): Generator<UsageLine> {
  if (!Array.isArray(body)) throw bad('body', 'must be a JSON array of usage rows, JSON lines or CSV');
  if (body.length > MAX_JSON_ROWS)
    throw bad(
      'rows',
      `must hold at most ${String(MAX_JSON_ROWS)} rows as a JSON array; stream JSON lines or CSV`,
    );
  for (const [i, value] of body.entries()) yield { line: i + 1, value };
}

/** A streamed body's lines; nothing is read (or decoded) before the first line is asked for. */
async function* streamedLines(
  body: Readable,
  kind: 'lines' | 'csv',
  encoding: 'gzip' | 'identity',
): AsyncGenerator<UsageLine> {
  const input = decoded(body, encoding);
  yield* kind === 'lines' ? jsonLines(input) : csvLines(input);
}

/** The lines of a body, read as they arrive for JSON lines and CSV. */
export function usageLines(
  body: unknown,
  kind: UsageBodyKind,
  encoding: string | undefined,
): AsyncIterable<UsageLine> | Iterable<UsageLine> {
  if (kind === 'json') return jsonArray(body);
  return streamedLines(body as Readable, kind, checkEncoding(encoding));
}
