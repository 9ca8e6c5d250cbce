import { ApiKeys } from '@revline/auth';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';

const LIMITS = {
  RATE_LIMIT_PER_MINUTE: '4',
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '3',
  RATE_LIMIT_EXPORTS_PER_MINUTE: '2',
  RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE: '1',
};

/** A client address of its own for each case (through the trusted proxy), so no case spends another's budget. */
let lastOctet = 0;
const from = (): Record<string, string> => ({ 'x-forwarded-for': `198.51.100.${++lastOctet}` });

function expectRetryAfter(res: request.Response): void {
  expect(res.headers['content-type']).toContain('application/problem+json');
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
}

describe('rate limits in Redis (process-q2c)', () => {
  let db: TestDatabase;
  let behindProxy: TestApp;
  let secondInstance: TestApp;
  let direct: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    const shared = {
      ...LIMITS,
      QUEUE_PREFIX: `rl-${randomBytes(4).toString('hex')}`,
      TRUSTED_PROXIES: '127.0.0.1',
    };
    behindProxy = await createTestApp(AppModule, APP, shared);
    secondInstance = await createTestApp(AppModule, APP, shared);
    // Its own counters (another prefix), and no proxy trusted: X-Forwarded-For names nobody.
    direct = await createTestApp(AppModule, APP, {
      ...LIMITS,
      QUEUE_PREFIX: `rl-${randomBytes(4).toString('hex')}`,
      TRUSTED_PROXIES: '',
    });
  });

  afterAll(async () => {
    await Promise.all([behindProxy, secondInstance, direct].map((app) => app.close()));
    await db.drop();
  });

  it('gives two made-up tokens one unauthenticated budget, then refuses with Retry-After before any lookup', async () => {
    const address = from();
    for (const token of ['rvl_made_up_one', 'rvl_made_up_one', 'rvl_made_up_two'])
      await request(behindProxy.url).get('/metrics').set(address).set(bearer(token)).expect(401);
    const lookups = vi.spyOn(behindProxy.app.get(ApiKeys), 'authenticate');
    try {
      const limited = await request(behindProxy.url)
        .get('/metrics')
        .set(address)
        .set(bearer('rvl_made_up_three'))
        .expect(429);
      expectRetryAfter(limited);
      expect(limited.body.detail).toContain('at most 3 requests without a valid API key from one address');
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
    await request(behindProxy.url).get('/metrics').set(address).expect(429); // no key at all: the same budget
    await request(behindProxy.url).get('/metrics').set(from()).set(bearer('rvl_made_up_one')).expect(401);
  });

  it('still serves a valid key from an address whose unauthenticated budget is spent', async () => {
    const address = from();
    const key = await seedApiKey(db.dataSource, ['finance.viewer']);
    await request(behindProxy.url).get('/metrics').set(address).set(bearer(key)).expect(200);
    for (let i = 0; i < 3; i++) await request(behindProxy.url).get('/metrics').set(address).expect(401);
    await request(behindProxy.url).get('/metrics').set(address).expect(429);
    await request(behindProxy.url).get('/metrics').set(address).set(bearer(key)).expect(200);
  });

  it('counts one key in every instance, whatever address it comes from', async () => {
    const key = await seedApiKey(db.dataSource, ['finance.viewer']);
    const remaining: string[] = [];
    for (const app of [behindProxy, secondInstance, behindProxy, secondInstance]) {
      const res = await request(app.url).get('/metrics').set(from()).set(bearer(key)).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBe('4');
      remaining.push(res.headers['x-ratelimit-remaining']);
    }
    expect(remaining).toEqual(['3', '2', '1', '0']);
    const limited = await request(behindProxy.url).get('/metrics').set(from()).set(bearer(key)).expect(429);
    expectRetryAfter(limited);
    expect(limited.body.detail).toContain('at most 4 requests per minute');
    const other = await seedApiKey(db.dataSource, ['finance.viewer']);
    await request(secondInstance.url).get('/metrics').set(bearer(other)).expect(200);
  });

  it('trusts X-Forwarded-For only from a configured proxy', async () => {
    for (let i = 0; i < 3; i++)
      await request(direct.url)
        .get('/metrics')
        .set(from())
        .set(bearer(`rvl_forged_${i}`))
        .expect(401);
    const limited = await request(direct.url)
      .get('/metrics')
      .set(from())
      .set(bearer('rvl_forged_3'))
      .expect(429);
    expectRetryAfter(limited);
  });

  it('limits CSV exports tighter than reads, and counts JSON reads of the same route only in the general budget', async () => {
    const key = await seedApiKey(db.dataSource, ['finance.viewer']);
    const waterfall = (format: 'json' | 'csv') =>
      request(behindProxy.url)
        .get('/v1/revenue/waterfall')
        .query({ from: '2026-01', to: '2026-03', ...(format === 'csv' ? { format } : {}) })
        .set(bearer(key));
    await waterfall('json').expect(200);
    await waterfall('csv').expect(200);
    await waterfall('csv').expect(200);
    const limited = await waterfall('csv').expect(429);
    expectRetryAfter(limited);
    expect(limited.body.detail).toContain('at most 2 exports per minute');
  });

  it('limits reconciliation starts per key', async () => {
    const operator = await seedApiKey(db.dataSource, ['finance.operator']);
    const start = (scope: string) =>
      request(behindProxy.url)
        .post('/v1/reconciliation-runs')
        .set(bearer(operator))
        .send({ scope, period: '2026-03' });
    await start('lineage').expect(202);
    const limited = await start('contract-revenue').expect(429);
    expectRetryAfter(limited);
    expect(limited.body.detail).toContain('at most 1 reconciliation runs started per minute');
  });

  it('limits the queue dashboard as every route: made-up tokens there share the same budget', async () => {
    const address = from();
    for (let i = 0; i < 3; i++)
      await request(behindProxy.url)
        .get('/admin/queues')
        .set(address)
        .set(bearer(`rvl_guess_${i}`))
        .expect(401);
    const limited = await request(behindProxy.url)
      .get('/admin/queues')
      .set(address)
      .set(bearer('rvl_guess_3'))
      .expect(429);
    expectRetryAfter(limited);
    await request(behindProxy.url).get('/metrics').set(address).set(bearer('rvl_guess_4')).expect(429);
  });

  it('never limits health checks', async () => {
    const address = from();
    for (let i = 0; i < 6; i++) await request(behindProxy.url).get('/health/live').set(address).expect(200);
  });
});
