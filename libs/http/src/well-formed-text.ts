import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Readable, Transform } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import { DomainError } from './problem-details.filter';

/**
 * Every app's input is text: a path, a query string, a JSON (or NDJSON, CSV, form) body. Postgres refuses a NUL in
 * text and silently mangles what is not UTF-8, and Node turns undecodable bytes into U+FFFD without a word, so
 * such input is refused here, once for every route, before it reaches a handler, a query or another app.
 */

export interface FieldProblem {
  field: string;
  problem: string;
}

const NUL = 'contains a NUL byte';
const NOT_UTF8 = 'is not valid UTF-8';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** `(path)`, `(query)` and `(body)` stand for the whole part; any other field is a query parameter or body field. */
function sentence(where: 'query' | 'body', { field, problem }: FieldProblem): string {
  if (field === '(path)') return `The path ${problem}`;
  if (field === '(query)') return `A query parameter's name ${problem}`;
  if (field === '(body)') return `The body ${problem}`;
  return `${where === 'query' ? 'Query parameter' : 'Body field'} ${field} ${problem}`;
}

const refuse = (where: 'query' | 'body', problems: FieldProblem[]): DomainError =>
  new DomainError(400, problems.map((p) => sentence(where, p)).join('; '), problems);

/** The bytes a part of a request target stands for: each `%XX` decoded (a `+` too in a query), the rest as sent. */
function bytesOf(part: string, plusIsSpace: boolean): Buffer {
  const raw = Buffer.from(part, 'latin1'); // Node hands the request line over byte for byte
  if (!raw.includes(0x25) && !(plusIsSpace && raw.includes(0x2b))) return raw;
  const out = Buffer.alloc(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    const hex = byte === 0x25 ? part.slice(i + 1, i + 3) : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      i += 2;
    } else out[n++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, n);
}

const problemOf = (bytes: Buffer): string | null =>
  bytes.includes(0) ? NUL : isUtf8(bytes) ? null : NOT_UTF8;

/** What is wrong with a request target (path and query), each query parameter named; null when nothing is. */
export function malformedTarget(url: string): FieldProblem[] | null {
  const at = url.indexOf('?');
  const path = at < 0 ? url : url.slice(0, at);
  const problems: FieldProblem[] = [];
  const inPath = problemOf(bytesOf(path, false));
  if (inPath) problems.push({ field: '(path)', problem: inPath });
  if (at >= 0) {
    for (const pair of url.slice(at + 1).split('&')) {
      const eq = pair.indexOf('=');
      const name = bytesOf(eq < 0 ? pair : pair.slice(0, eq), true);
      const found = problemOf(name) ?? (eq < 0 ? null : problemOf(bytesOf(pair.slice(eq + 1), true)));
      if (!found) continue;
      const field = problemOf(name) ? '(query)' : name.toString('utf8');
      problems.push({ field, problem: found });
    }
  }
  return problems.length > 0 ? problems : null;
}

/** The first string of a parsed body (a key or a value, at any depth) holding a NUL or a lone surrogate. */
export function malformedValue(value: unknown, field = '(body)'): FieldProblem | null {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return { field, problem: NUL };
    return LONE_SURROGATE.test(value) ? { field, problem: 'is not valid Unicode (a lone surrogate)' } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = malformedValue(value[i], `${field}[${String(i)}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const [key, inner] of Object.entries(value)) {
      const name = field === '(body)' ? key : `${field}.${key}`;
      const own = malformedValue(key, name);
      if (own) return { field: name, problem: `names a field that ${own.problem}` };
      const found = malformedValue(inner, name);
      if (found) return found;
    }
  }
  return null;
}

/** How many bytes at the end of a chunk begin a character the next chunk completes. */
function unfinishedTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back];
    if ((byte & 0xc0) === 0x80) continue;
    if (byte < 0xc0) return 0;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return length > back ? back : 0;
  }
  return 0;
}

/** A body passed on unchanged, checked as it streams: a NUL byte or bytes that are not UTF-8 end it with a 400. */
export function wellFormedText(): Transform {
  let carry: Buffer = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const tail = unfinishedTail(bytes);
      const whole = bytes.subarray(0, bytes.length - tail);
      carry = Buffer.from(bytes.subarray(bytes.length - tail));
      const problem = problemOf(whole);
      if (problem) done(refuse('body', [{ field: '(body)', problem }]));
      else done(null, chunk);
    },
    flush(done) {
      done(carry.length > 0 ? refuse('body', [{ field: '(body)', problem: NOT_UTF8 }]) : null);
    },
  });
}

/** A `\u0000` escape (after an even run of backslashes, so not an escaped backslash followed by `u0000`). */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/i;

/**
 * JSON text a route parses itself (JSON lines, split by the usage route): a `\u0000` in it would become a NUL once
 * parsed, so it is refused as one.
 */
function escapedNul(text: string): FieldProblem | null {
  return text.includes('\u0000') || ESCAPED_NUL.test(text) ? { field: '(body)', problem: NUL } : null;
}

const isJsonText = (request: FastifyRequest): boolean => /json/i.test(request.headers['content-type'] ?? '');

/** Bodies sent as text; a binary body (none of the apps takes one) is left to its parser. */
const TEXT_BODY = /^(application\/(json|[\w.+-]*\+json|x-ndjson|x-www-form-urlencoded)|text\/)/i;

/**
 * A text body sent as it is: an encoded one (`Content-Encoding: gzip`) is checked by the route that decodes it,
 * through wellFormedText().
 */
const hasTextBody = (request: FastifyRequest): boolean => {
  const type = request.headers['content-type'];
  const encoding = request.headers['content-encoding'];
  const plain = encoding === undefined || /^\s*identity\s*$/i.test(encoding);
  return plain && typeof type === 'string' && TEXT_BODY.test(type);
};

/** The 400 a request target holding a NUL or bytes that are not UTF-8 gets, or null when it is well formed. */
export function refusalOfTarget(url: string): DomainError | null {
  const problems = malformedTarget(url);
  return problems ? refuse('query', problems) : null;
}

/**
 * Refuses a request whose path, query or body holds a NUL or is not UTF-8 (escaped or raw), with a 400 naming
 * where, before any route runs: the target when the request arrives, the raw body as it streams, and the parsed
 * body for what JSON escapes (`\u0000`, a lone `\ud800`).
 */
export function refuseMalformedText(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    done(refusalOfTarget(request.raw.url ?? request.url) ?? undefined);
  });
  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    if (!hasTextBody(request)) {
      done(null, payload);
      return;
    }
    const checked = wellFormedText();
    payload.on('error', (error) => checked.destroy(error));
    done(null, payload.pipe(checked));
  });
  fastify.addHook('preValidation', (request, _reply, done) => {
    const { body } = request;
    const problem =
      typeof body === 'string' && isJsonText(request)
        ? escapedNul(body)
        : body === undefined || body instanceof Readable
          ? null
          : malformedValue(body);
    done(problem ? refuse('body', [problem]) : undefined);
  });
}
