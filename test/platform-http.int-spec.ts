import type { TestApp, TestDatabase } from '@revline/testing';
import { MISSING_ROLE_PROBLEM } from '@revline/http';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../apps/process-q2c/src/app.module';
import { APP } from '../apps/process-q2c/src/app.info';
import { DATABASE } from '../apps/process-q2c/src/database';

describe('the shared HTTP runtime (process-q2c)', () => {
  let db: TestDatabase;
  let test: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP, { RATE_LIMIT_PER_MINUTE: '5' });
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  it('sends security headers', async () => {
    const res = await request(test.url).get('/health/live').expect(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['content-security-policy']).toContain(`default-src 'self'`);
  });

  it('allows inline scripts on the Swagger portal only', async () => {
    const scripts = (csp: string | undefined) => /script-src ([^;]*)/.exec(csp ?? '')?.[1];
    for (const path of ['/health/live', '/admin/queues/sign-in', '/metrics'])
      expect(scripts((await request(test.url).get(path)).headers['content-security-policy'])).toBe(`'self'`);
    const docs = await request(test.url).get('/docs').redirects(1).expect(200);
    expect(scripts(docs.headers['content-security-policy'])).toBe(`'self' 'unsafe-inline'`);
  });

  it('carries a caller correlation id back, and replaces one that is not a plain token', async () => {
    const kept = await request(test.url)
      .get('/health/live')
      .set('x-correlation-id', 'order-801-change-7')
      .expect(200);
    expect(kept.headers['x-correlation-id']).toBe('order-801-change-7');
    const replaced = await request(test.url)
      .get('/health/live')
      .set('x-correlation-id', '<script>')
      .expect(200);
    expect(replaced.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('limits the requests of one key per minute with a 429 problem', async () => {
    const key = await seedApiKey(db.dataSource, ['finance.viewer']);
    for (let i = 0; i < 5; i++) await request(test.url).get('/metrics').set(bearer(key)).expect(200);
    const limited = await request(test.url).get('/metrics').set(bearer(key)).expect(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.body.detail).toContain('at most 5 requests per minute');
    await request(test.url).get('/health').expect(200); // health is never limited
  });

  it("refuses a key without the role with a missing-role problem that names the role, not the key's roles", async () => {
    const viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    const refused = await request(test.url).get('/v1/mappings/active').set(bearer(viewer)).expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({
      type: MISSING_ROLE_PROBLEM,
      status: 403,
      requiredRoles: 'integration.admin',
      detail: 'This action needs the role integration.admin, which this API key does not hold',
    });
    expect(JSON.stringify(refused.body)).not.toContain('finance.viewer');
  });

  it('exports queue depth among its metrics', async () => {
    const key = await seedApiKey(db.dataSource, ['finance.viewer']);
    const res = await request(test.url).get('/metrics').set(bearer(key)).expect(200);
    expect(res.text).toMatch(/revline_queue_depth\{queue="crm.changes",state="waiting"\} \d+/);
  });

  it('opens the queue dashboard to integration admins only', async () => {
    const admin = await seedApiKey(db.dataSource, ['integration.admin']);
    const operator = await seedApiKey(db.dataSource, ['finance.operator']);
    await request(test.url).get('/admin/queues').expect(401);
    await request(test.url).get('/admin/queues').set(bearer(operator)).expect(403);
    const page = await request(test.url).get('/admin/queues').set(bearer(admin)).expect(200);
    expect(page.text).toContain('<html');
    const api = await request(test.url).get('/admin/queues/api/queues').set(bearer(admin)).expect(200);
    expect(api.body.queues.map((q: { name: string }) => q.name)).toEqual(
      expect.arrayContaining(['crm.changes', 'erp.commands']),
    );
  });
});
