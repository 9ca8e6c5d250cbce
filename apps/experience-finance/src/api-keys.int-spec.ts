import { ApiKeyEntity, AuditLog, AuditLogEntity } from '@revline/auth';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from './app.module';
import { APP } from './app.info';
import { DATABASE } from './database';

describe('API keys and the deny-by-default guard (experience-finance)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let admin: string;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP, {
      BOOTSTRAP_ADMIN_API_KEY: 'bootstrap-admin-key-for-tests-0001',
    });
    admin = 'bootstrap-admin-key-for-tests-0001';
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  it('answers /health without a key', async () => {
    const res = await request(test.url).get('/health').expect(200);
    expect(res.body.info.postgres.status).toBe('up');
  });

  it('refuses a request with no key: 401 problem+json with the correlation id', async () => {
    const res = await request(test.url)
      .get('/v1/api-keys')
      .set('x-correlation-id', 'corr-401-test')
      .expect(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body).toMatchObject({ status: 401, title: 'Unauthorized', correlationId: 'corr-401-test' });
  });

  it('refuses an unknown key with 401', async () => {
    await request(test.url).get('/v1/api-keys').set(bearer('rvl_not_a_key')).expect(401);
  });

  it('refuses a key without the role with 403, naming the role', async () => {
    const res = await request(test.url).get('/v1/api-keys').set(bearer(viewer)).expect(403);
    expect(res.body.detail).toContain('integration.admin');
  });

  it('creates a key shown once, stores only its hash, and audits the creation', async () => {
    const res = await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .send({ name: 'close team', roles: ['finance.operator'] })
      .expect(201);
    const key = res.body.key as string;
    expect(key).toMatch(/^rvl_/);
    const rows = await db.dataSource.getRepository(ApiKeyEntity).find();
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows.find((r) => r.id === res.body.apiKey.id)?.keyHash).toMatch(/^[0-9a-f]{64}$/);
    const audit = await db.dataSource.getRepository(AuditLogEntity).findOneBy({ target: res.body.apiKey.id });
    expect(audit).toMatchObject({ action: 'api-key.create' });
    const list = await request(test.url).get('/v1/api-keys').set(bearer(admin)).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(key);
  });

  it('stops accepting a key the moment it is revoked', async () => {
    const created = await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .send({ name: 'to revoke', roles: ['integration.admin'] })
      .expect(201);
    const key = created.body.key as string;
    await request(test.url).get('/v1/api-keys').set(bearer(key)).expect(200);
    await request(test.url).delete(`/v1/api-keys/${created.body.apiKey.id}`).set(bearer(admin)).expect(200);
    await request(test.url).get('/v1/api-keys').set(bearer(key)).expect(401);
  });

  it('rejects unknown fields, wrong types and oversized bodies with 4xx, writing nothing', async () => {
    const before = await db.dataSource.getRepository(ApiKeyEntity).count();
    const unknown = await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .send({ name: 'x', roles: ['finance.viewer'], isAdmin: true })
      .expect(400);
    expect(unknown.body.errors).toEqual([{ field: 'isAdmin', problem: 'property isAdmin should not exist' }]);
    const wrongType = await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .send({ name: 7, roles: 'all' })
      .expect(400);
    expect(wrongType.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name', 'roles']),
    );
    await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'big', roles: ['finance.viewer'], pad: 'x'.repeat(2 * 1024 * 1024) }))
      .expect(413)
      .expect('content-type', /application\/problem\+json/);
    await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(admin))
      .set('content-type', 'application/json')
      .send('{"name":')
      .expect(400);
    expect(await db.dataSource.getRepository(ApiKeyEntity).count()).toBe(before);
  });

  it('404s unknown routes and ids as problem+json', async () => {
    await request(test.url)
      .get('/v1/nothing-here')
      .set(bearer(admin))
      .expect(404)
      .expect('content-type', /problem\+json/);
    await request(test.url)
      .delete('/v1/api-keys/9f0c1d36-8d43-4e55-9a32-0d8a1c1b2f00')
      .set(bearer(admin))
      .expect(404);
    await request(test.url).delete('/v1/api-keys/not-a-uuid').set(bearer(admin)).expect(400);
  });

  it('keeps an unbroken, append-only audit chain', async () => {
    const audit = test.app.get(AuditLog);
    expect(await audit.verify()).toMatchObject({ intact: true, legacyRows: 0, firstBrokenRow: null });
    await expect(db.dataSource.query(`UPDATE platform.audit_log SET actor = 'someone else'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(db.dataSource.query(`DELETE FROM platform.audit_log`)).rejects.toThrow(/append-only/);
  });
});
