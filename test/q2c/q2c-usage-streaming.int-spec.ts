import { bearer, createTestApp, createTestDatabase, eventually, seedApiKey } from '@revline/testing';
import type { TestApp, TestDatabase } from '@revline/testing';
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP } from '../../apps/process-q2c/src/app.info';
import { AppModule } from '../../apps/process-q2c/src/app.module';
import { DATABASE } from '../../apps/process-q2c/src/database';
import { seedUsageContracts, usageEvent, usageLinesStream } from '../../bench/support/usage-fixtures';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}
interface Reject {
  line: number;
  field: string;
  problem: string;
}

/**
 * POST /v1/usage streamed: JSON lines and CSV (gzip too) read line by line into a per-request staging area, applied
 * whole or not at all (or partially with mode=partial), late events refused, progress through the ingestion record.
 * process-q2c runs in this process with the outbox relay off: the figures are ingestion's alone.
 */
describe('streamed usage ingestion', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let operator: string;
  let contracts: string[];

  /** Posts a body (a string or a stream of bytes) as it is produced, answering status, headers and JSON. */
  const post = (body: string | Readable, headers: Record<string, string>, query = ''): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        new URL(`/v1/usage${query}`, q2c.url),
        { method: 'POST', headers: { ...bearer(operator), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: JSON.parse(text) as Answer['body'],
            });
          });
        },
      );
      req.on('error', reject);
      const source = typeof body === 'string' ? Readable.from([body]) : body;
      pipeline(source, req).catch(reject);
    });
  const lines = (
    prefix: string,
    from: number,
    to: number,
    edit: (i: number, line: string) => string = (_, l) => l,
  ) =>
    Array.from({ length: to - from }, (_, k) =>
      edit(from + k, JSON.stringify(usageEvent(prefix, from + k, contracts))),
    )
      .join('\n')
      .concat('\n');
  const ndjson = { 'content-type': 'application/x-ndjson' };
  const stored = async (prefix: string): Promise<number> => {
    const [row] = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."usage_events" WHERE "identifier" LIKE $1`,
      [`${prefix}-%`],
    );
    return row.n;
  };
  const ingestion = async (id: string) => {
    const res = await fetch(new URL(`/v1/usage/ingestions/${id}`, q2c.url), { headers: bearer(operator) });
    expect(res.status).toBe(200);
    return (await res.json()) as {
      state: string;
      linesRead: number;
      accepted: number;
      rejected: number;
      rejects: Reject[];
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { OUTBOX_RELAY: 'off', RATE_LIMIT_PER_MINUTE: '100000' });
    operator = await seedApiKey(db.dataSource, ['finance.operator']);
    contracts = await seedUsageContracts(db.dataSource, 'Stream', 5);
  });

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  it('refuses a large request with one malformed line in its middle, naming that line, and writes nothing', async () => {
    const body = lines('mid', 0, 30_000, (i, line) =>
      i === 15_000 ? line.replace('"quantity":"', '"quantity":"-') : line,
    );
    const res = await post(body, ndjson);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body.errors).toEqual([
      { field: 'lines[15001].quantity', problem: 'must be a non-negative whole number or decimal string' },
    ]);
    expect(await stored('mid')).toBe(0);
    const record = await ingestion(res.body.ingestionId as string);
    expect(record).toMatchObject({ state: 'rejected', linesRead: 30_000, accepted: 0, rejected: 1 });
    const [commands] = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."outbox" WHERE "job" = 'billing.report-usage'`,
    );
    expect(commands.n).toBe(0);
  });

  it('counts the same events sent twice once, and reports each in one billing command, summed per day', async () => {
    const body = lines('twice', 0, 2_500);
    const first = await post(body, ndjson);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ received: 2_500, staged: 2_500, duplicates: 0, rejected: 0 });
    const again = await post(body, ndjson);
    expect(again.body).toMatchObject({ received: 2_500, staged: 0, duplicates: 2_500, commands: [] });
    expect(await stored('twice')).toBe(2_500);
    // Each command sums its events per UTC day of use: one meter event a day, its value the day's exact sum.
    const commands = (first.body as { commands: Array<{ events: number }> }).commands;
    expect(commands.reduce((n, c) => n + c.events, 0)).toBe(2_500);
    const [check] = await db.dataSource.query<Array<{ commands: number; unmatched: number }>>(
      `WITH staged AS (
         SELECT "command_key" AS key, to_char("occurred_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                sum("quantity") AS value
           FROM "q2c"."usage_events" WHERE "identifier" LIKE 'twice-%' GROUP BY 1, 2),
       reported AS (
         SELECT o."idempotency_key" AS key, left(e->>'timestamp', 10) AS day, sum((e->>'value')::numeric) AS value
           FROM "q2c"."outbox" o, jsonb_array_elements(o."envelope"->'payload'->'events') e
          WHERE o."job" = 'billing.report-usage' AND o."idempotency_key" IN (SELECT key FROM staged)
          GROUP BY 1, 2 HAVING count(*) = 1)
       SELECT (SELECT count(DISTINCT key) FROM staged)::int AS commands,
              (SELECT count(*) FROM staged s WHERE NOT EXISTS (
                 SELECT 1 FROM reported r WHERE (r.key, r.day, r.value) = (s.key, s.day, s.value)))::int AS unmatched`,
    );
    expect(check).toEqual({ commands: commands.length, unmatched: 0 });
  });

  it('accepts a gzip-encoded body, and refuses one that is not gzip', async () => {
    const gzip = Readable.from([lines('gz', 0, 3_000)]).pipe(createGzip());
    const res = await post(gzip, { ...ndjson, 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 3_000, staged: 3_000 });
    expect(await stored('gz')).toBe(3_000);
    const broken = await post(lines('gz-bad', 0, 10), { ...ndjson, 'content-encoding': 'gzip' });
    expect(broken.status).toBe(400);
    expect(await stored('gz-bad')).toBe(0);
    const brotli = await post(lines('br', 0, 10), { ...ndjson, 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
    const endless = await post(`${lines('long', 0, 2)}{"identifier":"${'x'.repeat(70_000)}`, ndjson);
    expect(endless.status).toBe(400);
    expect(endless.body.errors).toEqual([
      { field: 'lines[3]', problem: 'has a line longer than 65536 characters' },
    ]);
  });

  it('accepts CSV with a header row naming the fields, gzip-encoded too', async () => {
    const csv = (from: number, to: number) =>
      [
        'identifier,contractId,productCode,quantity,occurredAt',
        ...Array.from({ length: to - from }, (_, k) => {
          const e = usageEvent('csv', from + k, contracts);
          return [e.identifier, e.contractId, e.productCode, e.quantity, e.occurredAt].join(',');
        }),
      ].join('\r\n');
    const plain = await post(csv(0, 1_000), { 'content-type': 'text/csv' });
    expect(plain.body).toMatchObject({ received: 1_000, staged: 1_000 });
    const gzip = Readable.from([csv(1_000, 2_000)]).pipe(createGzip());
    const zipped = await post(gzip, {
      'content-type': 'text/csv; charset=utf-8',
      'content-encoding': 'gzip',
    });
    expect(zipped.body).toMatchObject({ received: 1_000, staged: 1_000 });
    expect(await stored('csv')).toBe(2_000);
    const bad = await post(
      `${csv(2_000, 2_002)}\r\ncsv-x,${contracts[0]},API-CALLS,many,2026-03-01T00:00:00Z\r\n`,
      {
        'content-type': 'text/csv',
      },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'lines[4].quantity', problem: expect.any(String) as string }]);
  });

  it('mode=partial applies the good lines and answers exactly the bad ones', async () => {
    const good = (i: number) => JSON.stringify(usageEvent('part', i, contracts));
    const body = [
      good(0),
      JSON.stringify({ ...usageEvent('part', 1, contracts), quantity: 'x' }),
      good(2),
      JSON.stringify({ ...usageEvent('part', 3, contracts), contractId: '801Nobody' }),
      '{not json',
      '',
      JSON.stringify({ ...usageEvent('part', 0, contracts), quantity: '999' }),
      JSON.stringify({ ...usageEvent('part', 8, contracts), productCode: 'GHOST' }),
      good(9),
    ].join('\n');
    const res = await post(body, ndjson, '?mode=partial');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ received: 8, staged: 3, duplicates: 0, rejected: 5 });
    expect((res.body.rejects as Reject[]).map((r) => [r.line, r.field])).toEqual([
      [2, 'quantity'],
      [4, 'contractId'],
      [5, '(line)'],
      [7, 'identifier'],
      [8, 'productCode'],
    ]);
    expect(await stored('part')).toBe(3);
    expect((await ingestion(res.body.ingestionId as string)).rejects).toEqual(res.body.rejects);
    const wrong = await post(good(20), ndjson, '?mode=most');
    expect(wrong.status).toBe(400);
  });

  it('refuses a late event for a period whose revenue run has posted, with its own problem type', async () => {
    await db.dataSource.query(
      `INSERT INTO "q2c"."revenue_runs" ("period", "sequence", "mode", "state", "requested_by", "correlation_id")
       VALUES ('2026-02', 1, 'summary', 'posted', 'spec', 'spec-close')`,
    );
    const late = JSON.stringify({ ...usageEvent('late', 0, contracts), occurredAt: '2026-02-27T10:00:00Z' });
    const res = await post(`${JSON.stringify(usageEvent('late', 1, contracts))}\n${late}\n`, ndjson);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      type: 'https://docs.revline.dev/problems/usage-period-closed',
      errors: [
        { field: 'lines[2].occurredAt', problem: 'falls in 2026-02, a period whose revenue run has posted' },
      ],
    });
    expect(await stored('late')).toBe(0);
    const partial = await post(
      `${JSON.stringify(usageEvent('late', 1, contracts))}\n${late}\n`,
      ndjson,
      '?mode=partial',
    );
    expect(partial.body).toMatchObject({
      staged: 1,
      rejected: 1,
      rejects: [{ line: 2, field: 'occurredAt' }],
    });
  });

  it('answers Prefer: respond-async at once, and shows the ingestion running, then applied', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* body(): AsyncGenerator<string> {
      yield lines('async', 0, 25_000);
      await gate;
      yield lines('async', 25_000, 30_000);
    }
    // The 202 arrives while the body is still being sent; its response ends once the body has been received.
    let answered: (res: IncomingMessage) => void = () => undefined;
    const head = new Promise<IncomingMessage>((resolve) => {
      answered = resolve;
    });
    const req = httpRequest(new URL('/v1/usage', q2c.url), {
      method: 'POST',
      headers: { ...bearer(operator), ...ndjson, prefer: 'respond-async' },
    });
    req.on('response', answered);
    const sent = pipeline(Readable.from(body()), req);
    const res = await head;
    expect(res.statusCode).toBe(202);
    const id = /[0-9a-f-]{36}$/.exec(String(res.headers.location))?.[0] ?? '';
    expect(res.headers.location).toBe(`/v1/usage/ingestions/${id}`);
    await eventually(async () => (await ingestion(id)).linesRead >= 20_000, 20_000);
    expect(await ingestion(id)).toMatchObject({ state: 'running', accepted: 0 });
    release();
    await sent;
    const answer = await new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
    });
    expect(JSON.parse(answer)).toEqual({ ingestionId: id, state: 'running', location: res.headers.location });
    await eventually(async () => (await ingestion(id)).state !== 'running', 30_000);
    expect(await ingestion(id)).toMatchObject({
      state: 'applied',
      linesRead: 30_000,
      accepted: 30_000,
      rejected: 0,
    });
    expect(await stored('async')).toBe(30_000);
  }, 90_000);

  it('streams 200,000 lines in one request with the process’s resident memory nearly flat', async () => {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    try {
      const res = await post(usageLinesStream('rss', 0, 200_000, contracts), ndjson);
      expect(res.body).toMatchObject({ received: 200_000, staged: 200_000 });
    } finally {
      clearInterval(sampler);
    }
    expect(await stored('rss')).toBe(200_000);
    expect((peak - before) / (1024 * 1024)).toBeLessThan(150);
  }, 120_000);
});
