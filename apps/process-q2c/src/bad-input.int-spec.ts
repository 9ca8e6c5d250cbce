import { Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from './app.module';
import { APP } from './app.info';
import { DATABASE } from './database';
import { bookingRecord } from './shared/order-examples';

/**
 * Bad input on every process-q2c route (issue 7): for each operation in the app's own OpenAPI document, read at
 * test time, malformed bodies, path parameters and query strings are answered 4xx problem+json naming the field at
 * fault, and nothing is written (every q2c table, the audit log and the queues keep their counts).
 *
 * A route added to the app without an entry in CASES fails the first test, naming the route: add its bad inputs
 * (or, for a route that takes no input at all, a `none` entry saying so).
 */

interface BadInput {
  /** What is wrong, for the test's title. */
  name: string;
  /** Path parameters; those not given are filled from VALID_PARAMS. */
  params?: Record<string, string>;
  query?: Record<string, string | string[]>;
  /** A JSON body (sent as application/json) … */
  body?: unknown;
  /** … or a raw body with its content type. */
  raw?: { contentType: string; text: string };
  /** The expected status (400 unless said). */
  status?: number;
  /**
   * The field the problem must name in its `errors` list (`errors[].field`, exact or as a prefix before `.`/`[`).
   * `null` for input that has no field to name (unparseable JSON): the detail is then checked instead.
   */
  field: string | null;
  /** For `field: null`: a fragment the detail must contain. */
  detail?: RegExp;
}

type RouteCases = BadInput[] | { none: string };

/** A value for each path parameter, valid in form, so a case about the body or query reaches its validation. */
const VALID_PARAMS: Record<string, string> = {
  id: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11',
  runId: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e12',
  period: '2026-01',
  version: '1',
  contractId: '801Dn00000Booking1',
};

const NOT_AN_OBJECT: BadInput[] = [
  {
    name: 'unparseable JSON',
    raw: { contentType: 'application/json', text: '{"a": ' },
    field: null,
    detail: /JSON/,
  },
  { name: 'a JSON array instead of an object', body: [1, 2], field: '(body)' },
];

/** The table: `METHOD /path` as the OpenAPI document spells it → the bad inputs of that route. */
const CASES: Record<string, RouteCases> = {
  'GET /health': { none: 'takes no input' },
  'GET /health/live': { none: 'takes no input' },
  'GET /metrics': { none: 'takes no input' },
  'POST /v1/revenue/schedule-previews': [
    ...NOT_AN_OBJECT,
    { name: 'an empty object', body: {}, field: 'contract' },
    { name: 'an unknown field', body: { contract: {}, surprise: true }, field: 'surprise' },
    { name: 'a number for the contract', body: { contract: 42 }, field: 'contract' },
  ],
  'POST /v1/proration-previews': [
    ...NOT_AN_OBJECT,
    { name: 'no change', body: { convention: 'daily' }, field: 'change' },
    { name: 'an unknown convention', body: { change: {}, convention: 'lunar' }, field: 'convention' },
  ],
  'GET /v1/mappings/active': { none: 'takes no input' },
  'GET /v1/mappings/versions': { none: 'takes no input' },
  'POST /v1/mappings/versions': [
    ...NOT_AN_OBJECT,
    { name: 'no definition', body: { summary: 'A change', baseVersion: 1 }, field: 'definition' },
    {
      name: 'a base version that is not a number',
      body: { summary: 'A change', baseVersion: 'latest', definition: {} },
      field: 'baseVersion',
    },
    { name: 'a definition that is a string', body: { summary: 'x', definition: 'all' }, field: 'definition' },
    {
      name: 'an unknown field',
      body: { summary: 'A change', definition: {}, approvedBy: 'me' },
      field: 'approvedBy',
    },
  ],
  'GET /v1/mappings/versions/{version}': [
    { name: 'a version that is not a number', params: { version: 'latest' }, field: 'version' },
  ],
  'POST /v1/mappings/versions/{version}/approve': [
    { name: 'a version that is not a number', params: { version: 'two' }, body: {}, field: 'version' },
    { name: 'a reason that is a number', body: { reason: 7 }, field: 'reason' },
    { name: 'an unknown field', body: { reason: 'Checked', force: true }, field: 'force' },
  ],
  'POST /v1/mappings/versions/{version}/reject': [
    {
      name: 'a version that is not a number',
      params: { version: '1.5' },
      body: { reason: 'Wrong item' },
      field: 'version',
    },
    { name: 'no reason', body: {}, field: 'reason' },
    ...NOT_AN_OBJECT,
  ],
  'GET /v1/contracts/{contractId}/lineage': [
    {
      name: 'a contract id longer than a path parameter may be',
      params: { contractId: 'x'.repeat(300) },
      status: 414,
      field: null,
      detail: /max param length/,
    },
  ],
  'GET /v1/exceptions': [
    { name: 'an unknown status', query: { status: 'stuck' }, field: 'status' },
    { name: 'a limit that is not a number', query: { limit: 'all' }, field: 'limit' },
    { name: 'a limit over 500', query: { limit: '501' }, field: 'limit' },
    { name: 'a negative age', query: { minAgeMinutes: '-5' }, field: 'minAgeMinutes' },
    { name: 'an unknown filter', query: { owner: 'me' }, field: 'owner' },
    { name: 'a category given twice', query: { category: ['a', 'b'] }, field: 'category' },
    { name: 'a cursor this API did not return', query: { cursor: 'bm90LWEtY3Vyc29y' }, field: 'cursor' },
  ],
  'GET /v1/exceptions/{id}': [{ name: 'an id that is not a UUID', params: { id: '42' }, field: 'id' }],
  'POST /v1/exceptions/retry': [
    ...NOT_AN_OBJECT,
    { name: 'no ids', body: {}, field: 'ids' },
    { name: 'an empty list', body: { ids: [] }, field: 'ids' },
    { name: 'ids that are not UUIDs', body: { ids: ['1', '2'] }, field: 'ids' },
    { name: 'an unknown field', body: { ids: [VALID_PARAMS.id], all: true }, field: 'all' },
  ],
  'POST /v1/exceptions/{id}/retry': [{ name: 'an id that is not a UUID', params: { id: 'x' }, field: 'id' }],
  'POST /v1/exceptions/{id}/resolve': [
    { name: 'an id that is not a UUID', params: { id: 'abc' }, body: { reason: 'fixed' }, field: 'id' },
    { name: 'no reason', body: {}, field: 'reason' },
    { name: 'a reason too short', body: { reason: 'x' }, field: 'reason' },
    { name: 'a reason that is a list', body: { reason: ['fixed'] }, field: 'reason' },
    ...NOT_AN_OBJECT,
  ],
  'POST /v1/orders/validate': [
    {
      name: 'unparseable JSON',
      raw: { contentType: 'application/json', text: '{"Id":' },
      field: null,
      detail: /JSON/,
    },
    { name: 'a string instead of a record', body: 'an order', field: '(body)' },
    { name: 'a list instead of a record', body: [bookingRecord()], field: '(body)' },
  ],
  'POST /v1/replays': [
    ...NOT_AN_OBJECT,
    {
      name: 'both a contract and a window',
      body: { contractId: 'C', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' },
      field: 'contractId',
    },
    {
      name: 'a date that is not ISO 8601',
      body: { from: 'yesterday', to: '2026-02-01T00:00:00Z' },
      field: 'from',
    },
    { name: 'dryRun as a string', body: { contractId: 'C', dryRun: 'no' }, field: 'dryRun' },
    { name: 'an unknown field', body: { contractId: 'C', everything: true }, field: 'everything' },
  ],
  'POST /v1/reconciliation-runs': [
    ...NOT_AN_OBJECT,
    { name: 'an unknown scope', body: { scope: 'everything' }, field: 'scope' },
    { name: 'a period that is not YYYY-MM', body: { period: '2026-13' }, field: 'period' },
    { name: 'a fiscal period on calendar months', body: { period: 'FY2026-P01' }, field: 'period' },
    { name: 'an unknown field', body: { scope: 'all', force: true }, field: 'force' },
  ],
  'GET /v1/reconciliation-runs': [
    { name: 'a limit that is not a number', query: { limit: 'many' }, field: 'limit' },
    { name: 'an unknown filter', query: { owner: 'me' }, field: 'owner' },
  ],
  'GET /v1/reconciliation-runs/{runId}': [
    { name: 'a run id that is not a UUID', params: { runId: 'last' }, field: 'runId' },
  ],
  'GET /v1/reconciliation-runs/{runId}/breaks': [
    { name: 'a run id that is not a UUID', params: { runId: '7' }, field: 'runId' },
    { name: 'an unknown checkpoint', query: { checkpoint: 'gut-feeling' }, field: 'checkpoint' },
    { name: 'an unknown status', query: { status: 'pending' }, field: 'status' },
    { name: 'an unknown format', query: { format: 'xlsx' }, field: 'format' },
  ],
  'GET /v1/reconciliation-breaks': [
    { name: 'an unknown checkpoint', query: { checkpoint: 'gut-feeling' }, field: 'checkpoint' },
    { name: 'a category that is not one', query: { category: 'Missing In ERP!' }, field: 'category' },
  ],
  'GET /v1/reconciliation-breaks/summary': [
    { name: 'no window', query: {}, field: 'from' },
    { name: 'a day that is not a date', query: { from: '2026-02-30x', to: '2026-03-31' }, field: 'from' },
  ],
  'POST /v1/close/{period}/revenue-runs': [
    { name: 'a month that does not exist', params: { period: '2026-13' }, body: {}, field: 'period' },
    { name: 'a day instead of a month', params: { period: '2026-01-31' }, body: {}, field: 'period' },
    { name: 'requestedBy not a string', body: { requestedBy: 5 }, field: 'requestedBy' },
    { name: 'requestedBy empty', body: { requestedBy: '' }, field: 'requestedBy' },
    ...NOT_AN_OBJECT,
  ],
  'GET /v1/close/{period}/revenue-runs': [
    { name: 'a month that does not exist', params: { period: '2026-13' }, field: 'period' },
  ],
  'GET /v1/close/{period}/revenue-runs/{runId}/lines': [
    { name: 'a month that does not exist', params: { period: '2026-13' }, field: 'period' },
    { name: 'a run id that is not a UUID', params: { runId: '7' }, field: 'runId' },
  ],
  'GET /v1/close/{period}/readiness': [
    { name: 'a month that does not exist', params: { period: '2026-13' }, field: 'period' },
    { name: 'a day instead of a month', params: { period: '2026-01-31' }, field: 'period' },
    { name: 'a fiscal period on calendar months', params: { period: 'FY2026-P01' }, field: 'period' },
  ],
  'GET /v1/contracts': [
    { name: 'an unknown status', query: { status: 'happy' }, field: 'status' },
    { name: 'a limit over the maximum', query: { limit: '100000' }, field: 'limit' },
    {
      name: 'updatedSince that is not a timestamp',
      query: { updatedSince: 'last week' },
      field: 'updatedSince',
    },
  ],
  'GET /v1/contracts/{contractId}/lifecycle': [
    {
      name: 'a contract id longer than a path parameter may be',
      params: { contractId: 'x'.repeat(300) },
      status: 414,
      field: null,
      detail: /max param length/,
    },
  ],
  'GET /v1/contracts/{contractId}/revenue-schedules': [
    {
      name: 'a contract id longer than a path parameter may be',
      params: { contractId: 'x'.repeat(300) },
      status: 414,
      field: null,
      detail: /max param length/,
    },
  ],
  'GET /v1/overview/counts': { none: 'takes no input: the counts of now' },
  'GET /v1/revenue/waterfall': [
    { name: 'no months', query: {}, field: 'from' },
    { name: 'a month that does not exist', query: { from: '2026-00', to: '2026-12' }, field: 'from' },
    {
      name: 'a currency that is not ISO 4217',
      query: { from: '2026-01', to: '2026-12', currency: 'usd' },
      field: 'currency',
    },
    { name: 'an unknown format', query: { from: '2026-01', to: '2026-12', format: 'pdf' }, field: 'format' },
  ],
  'GET /v1/sla': [
    { name: 'no window', query: {}, field: 'from' },
    { name: 'a window given in months', query: { from: '2026-03', to: '2026-04' }, field: 'from' },
    {
      name: 'a non-positive age',
      query: { from: '2026-03-01', to: '2026-03-31', agedAfterHours: '0' },
      field: 'agedAfterHours',
    },
  ],
  'GET /v1/usage/parked': { none: 'takes no input' },
  'GET /v1/usage/ingestions/{id}': [{ name: 'an id that is not a UUID', params: { id: '42' }, field: 'id' }],
  'POST /v1/usage': [
    {
      name: 'unparseable JSON',
      raw: { contentType: 'application/json', text: '[{"id":' },
      field: null,
      detail: /JSON/,
    },
    { name: 'an object instead of rows', body: { rows: [] }, field: 'body' },
    { name: 'a row without its fields', body: [{}], field: 'rows[0]' },
    {
      name: 'a bad JSON line',
      raw: { contentType: 'application/x-ndjson', text: '{"eventId":"e1"}\nnot json\n' },
      field: 'lines[2]',
    },
  ],
};

interface Operation {
  key: string;
  method: string;
  path: string;
}

interface ProblemBody {
  status?: number;
  detail?: string;
  errors?: Array<{ field: string; problem: string }>;
}

function namesField(errors: ProblemBody['errors'], field: string): boolean {
  return (errors ?? []).some(
    (e) => e.field === field || e.field.startsWith(`${field}.`) || e.field.startsWith(`${field}[`),
  );
}

describe('bad input on every process-q2c route: 4xx problem+json naming the field, nothing written', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let admin: string;
  let operations: Operation[] = [];

  /**
   * Rows in every q2c table (outbox, inbox and exceptions included), the audit log and jobs in every queue. A refused
   * usage upload keeps its ingestion record (state `rejected`, with the reasons): the record of the refusal, not input.
   */
  const footprint = async (): Promise<Record<string, number>> => {
    const tables = await db.dataSource.query<Array<{ name: string }>>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND (table_schema = 'q2c' OR (table_schema = 'platform' AND table_name LIKE 'audit%'))
          AND table_name <> 'usage_ingestions'
        ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const rows = await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${name}`);
      counts[name] = rows.at(0)?.n ?? -1;
    }
    for (const queue of await q2c.app.get(Queues, { strict: false }).all()) {
      const jobs = await queue.getJobCounts();
      counts[`queue:${queue.name}`] = Object.values(jobs).reduce((sum, n) => sum + n, 0);
    }
    return counts;
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { OUTBOX_RELAY: 'on', OUTBOX_POLL_MS: '50' });
    admin = await seedApiKey(db.dataSource, ['integration.admin'], 'bad-input');
    const doc = await request(q2c.url).get('/docs/openapi.json').expect(200);
    const paths = (doc.body as { paths: Record<string, Record<string, unknown>> }).paths;
    operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.keys(methods)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m, path })),
    );
  });

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  it('has bad-input cases (or a reason it takes none) for every route in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(15);
    const uncovered = operations.map((o) => o.key).filter((key) => !(key in CASES));
    expect(
      uncovered,
      `routes without bad-input cases: add them to CASES in apps/process-q2c/src/bad-input.int-spec.ts`,
    ).toEqual([]);
    const stale = Object.keys(CASES).filter((key) => !operations.some((o) => o.key === key));
    expect(stale, 'CASES names routes the app no longer has').toEqual([]);
    for (const [key, cases] of Object.entries(CASES)) {
      if (Array.isArray(cases)) expect(cases.length, key).toBeGreaterThan(0);
    }
  });

  it('answers each bad input 4xx problem+json naming the field, and writes nothing', async () => {
    const failures: string[] = [];
    let checked = 0;
    const before = await footprint();
    for (const { key, method, path } of operations) {
      const cases = key in CASES ? CASES[key] : undefined;
      if (!Array.isArray(cases)) continue;
      for (const bad of cases) {
        const params = { ...VALID_PARAMS, ...bad.params };
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
        let req = request(q2c.url)[method as 'get' | 'post'](url).set(bearer(admin));
        if (bad.query) req = req.query(bad.query);
        if (bad.raw) req = req.set('content-type', bad.raw.contentType).send(bad.raw.text);
        else if (bad.body !== undefined)
          req = req.set('content-type', 'application/json').send(JSON.stringify(bad.body));
        const res = await req;
        checked += 1;
        const body = res.body as ProblemBody;
        const where = `${key} with ${bad.name}: ${String(res.status)} ${res.text.slice(0, 400)}`;
        const expected = bad.status ?? 400;
        if (res.status !== expected) failures.push(`${where} (expected ${String(expected)})`);
        else if (!(res.headers['content-type'] ?? '').startsWith('application/problem+json'))
          failures.push(`${where} (not problem+json)`);
        else if (body.status !== res.status) failures.push(`${where} (problem status differs)`);
        else if (bad.field !== null && !namesField(body.errors, bad.field))
          failures.push(`${where} (errors do not name ${bad.field})`);
        else if (bad.field === null && bad.detail && !bad.detail.test(body.detail ?? ''))
          failures.push(`${where} (detail does not match ${String(bad.detail)})`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
    // Let the outbox relay and any stray loop run once more before comparing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await footprint()).toEqual(before);
  });
});
