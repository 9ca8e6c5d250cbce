import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule as ExperienceModule } from '../apps/experience-finance/src/app.module';
import { APP as EXPERIENCE_APP } from '../apps/experience-finance/src/app.info';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { AppModule as Q2cModule } from '../apps/process-q2c/src/app.module';
import { APP as Q2C_APP } from '../apps/process-q2c/src/app.info';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';

interface Problem {
  status: number;
  detail: string;
  errors?: Array<{ field: string; problem: string }>;
}

/** A path, query or body for each app, each holding a NUL or bytes that are not UTF-8, and the field named. */
interface Case {
  name: string;
  method: 'get' | 'post';
  path: string;
  /** Raw bytes sent as application/json, or as `type`. */
  body?: Buffer;
  type?: string;
  field: string;
}

const json = (text: string): Buffer => Buffer.from(text, 'utf8');
/** `{"reason": "fixed<bytes>"}` with the given raw bytes inside the string. */
const withBytes = (bytes: number[]): Buffer =>
  Buffer.concat([json('{"reason": "fixed'), Buffer.from(bytes), json('"}')]);

const EXCEPTION = '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11';

/** The same inputs on both apps: experience-finance must refuse them itself, not pass them to process-q2c. */
const SHARED: Case[] = [
  {
    name: 'a NUL in a path parameter',
    method: 'get',
    path: '/v1/contracts/801%00A/lifecycle',
    field: '(path)',
  },
  {
    name: 'invalid UTF-8 in a path parameter',
    method: 'get',
    path: '/v1/contracts/801%C3%28/lifecycle',
    field: '(path)',
  },
  {
    name: 'a NUL in a query value',
    method: 'get',
    path: '/v1/contracts?customer=001%00X',
    field: 'customer',
  },
  {
    name: 'invalid UTF-8 in a query value',
    method: 'get',
    path: '/v1/exceptions?category=%FF',
    field: 'category',
  },
  {
    name: 'an escaped NUL in a JSON string',
    method: 'post',
    path: `/v1/exceptions/${EXCEPTION}/resolve`,
    body: json('{"reason": "fixed\\u0000"}'),
    field: 'reason',
  },
  {
    name: 'an escaped lone surrogate in a JSON string',
    method: 'post',
    path: `/v1/exceptions/${EXCEPTION}/resolve`,
    body: json('{"reason": "fixed\\ud800"}'),
    field: 'reason',
  },
  {
    name: 'a raw byte that is not UTF-8 in the body',
    method: 'post',
    path: `/v1/exceptions/${EXCEPTION}/resolve`,
    body: withBytes([0xff]),
    field: '(body)',
  },
  {
    name: 'a truncated UTF-8 sequence in the body',
    method: 'post',
    path: `/v1/exceptions/${EXCEPTION}/resolve`,
    body: withBytes([0xe2, 0x82]),
    field: '(body)',
  },
  {
    name: 'a raw NUL byte in the body',
    method: 'post',
    path: `/v1/exceptions/${EXCEPTION}/resolve`,
    body: withBytes([0x00]),
    field: '(body)',
  },
];

const Q2C_ONLY: Case[] = [
  {
    name: 'an escaped NUL in JSON lines the route parses itself',
    method: 'post',
    path: '/v1/usage',
    type: 'application/x-ndjson',
    body: json('{"eventId":"e1","subscriptionItem":"si_1","quantity":1}\n{"eventId":"e2\\u0000"}\n'),
    field: 'lines[2].eventId',
  },
  {
    name: 'a NUL in a mapping proposal',
    method: 'post',
    path: '/v1/mappings/versions',
    body: json('{"summary": "Add \\u0000", "baseVersion": 1, "definition": {}}'),
    field: 'summary',
  },
  {
    name: 'a NUL in a field name',
    method: 'post',
    path: '/v1/replays',
    body: json('{"contract\\u0000Id": "801A", "dryRun": true}'),
    field: 'contract\u0000Id',
  },
];

/**
 * NUL bytes and text that is not UTF-8, in a path, a query or a body, answer 400 problem+json naming where, on
 * process-q2c and on experience-finance (which refuses them itself: no 502 from passing them on), and nothing is
 * written: no q2c row, no audit row, no experience row.
 */
describe('malformed text in any path, query or body: 400 on every app, nothing written', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let experience: TestApp;
  let admin: string;

  /** Rows of every table but the keys, the migrations and usage ingestion records (a refusal keeps its record). */
  const footprint = async (): Promise<Record<string, number>> => {
    const tables = await db.dataSource.query<Array<{ name: string }>>(
      `SELECT format('%I.%I', table_schema, table_name) AS name FROM information_schema.tables
        WHERE table_type = 'BASE TABLE' AND table_schema IN ('q2c', 'experience', 'platform')
          AND table_name NOT IN ('api_keys', 'migrations', 'usage_ingestions') ORDER BY 1`,
    );
    const counts: Record<string, number> = {};
    for (const { name } of tables) {
      const rows = await db.dataSource.query<Array<{ n: number }>>(`SELECT count(*)::int AS n FROM ${name}`);
      counts[name] = rows.at(0)?.n ?? -1;
    }
    return counts;
  };

  beforeAll(async () => {
    db = await createTestDatabase(Q2C);
    q2c = await createTestApp(Q2cModule, Q2C_APP, { RECONCILIATION_CRON: 'off' });
    await runMigrations(appDataSourceOptions(EXPERIENCE, db.url));
    experience = await createTestApp(ExperienceModule, EXPERIENCE_APP, {
      DATABASE_URL: db.url,
      PROCESS_Q2C_URL: q2c.url,
      PROCESS_Q2C_API_KEY: `rvl_svc_${randomBytes(24).toString('base64url')}`,
    });
    admin = await seedApiKey(db.dataSource, ['integration.admin'], 'malformed-text');
  }, 120_000);

  afterAll(async () => {
    await experience.close();
    await q2c.close();
    await db.drop();
  });

  /** Sent with fetch, so a body goes as its raw bytes. */
  const send = async (
    url: string,
    c: Case,
  ): Promise<{ status: number; type: string; body: Problem; text: string; correlation: string | null }> => {
    const res = await fetch(`${url}${c.path}`, {
      method: c.method.toUpperCase(),
      headers: {
        ...bearer(admin),
        'x-correlation-id': 'malformed-text',
        ...(c.body ? { 'content-type': c.type ?? 'application/json' } : {}),
      },
      body: c.body,
    });
    const text = await res.text();
    let body: Problem = { status: res.status, detail: text };
    try {
      body = JSON.parse(text) as Problem;
    } catch {
      // not JSON: kept as the detail, for the failure message
    }
    return {
      status: res.status,
      type: res.headers.get('content-type') ?? '',
      body,
      text,
      correlation: res.headers.get('x-correlation-id'),
    };
  };

  const expectRefused = async (url: string, cases: Case[]): Promise<void> => {
    const failures: string[] = [];
    for (const c of cases) {
      const res = await send(url, c);
      const named = (res.body.errors ?? []).some((e) => e.field === c.field);
      if (
        res.status !== 400 ||
        !res.type.includes('application/problem+json') ||
        !named ||
        res.correlation !== 'malformed-text'
      )
        failures.push(`${c.name} (${c.method.toUpperCase()} ${c.path}): ${String(res.status)} ${res.text}`);
    }
    expect(failures).toEqual([]);
  };

  it('process-q2c answers each with 400 naming where, and writes nothing', async () => {
    const before = await footprint();
    await expectRefused(q2c.url, [...SHARED, ...Q2C_ONLY]);
    expect(await footprint()).toEqual(before);
  });

  it('experience-finance answers each with 400 itself, and writes nothing', async () => {
    const before = await footprint();
    await expectRefused(experience.url, SHARED);
    expect(await footprint()).toEqual(before);
  });

  it('says what is wrong in plain words, and still serves well-formed text', async () => {
    const path = await send(q2c.url, SHARED[0]);
    expect(path.body).toMatchObject({ status: 400, detail: 'The path contains a NUL byte' });
    const query = await send(experience.url, SHARED[2]);
    expect(query.body).toMatchObject({ status: 400, detail: 'Query parameter customer contains a NUL byte' });
    const body = await send(experience.url, SHARED[6]);
    expect(body.body).toMatchObject({ status: 400, detail: 'The body is not valid UTF-8' });
    // UTF-8 done right passes: an unknown contract with an umlaut is a 404, not a 400.
    const unknown = await request(experience.url)
      .get(`/v1/contracts/${encodeURIComponent('801Müller')}/lifecycle`)
      .set(bearer(admin))
      .expect(404);
    expect((unknown.body as Problem).detail).toBe('Contract 801Müller is not known to Revline');
    await request(q2c.url)
      .get('/v1/contracts')
      .query({ customer: 'Zürich €' })
      .set(bearer(admin))
      .expect(200, { items: [], nextCursor: null });
    const resolve = await request(q2c.url)
      .post(`/v1/exceptions/${randomUUID()}/resolve`)
      .set(bearer(admin))
      .send({ reason: 'Doppelte Bestellung – storniert ✓' })
      .expect(404);
    expect((resolve.body as Problem).detail).toMatch(/does not exist/);
  });
});
