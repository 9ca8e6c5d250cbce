import { ApiKeyEntity, AuditLogEntity } from '@revline/auth';
import { MISSING_ROLE_PROBLEM } from '@revline/http';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/experience-finance/src/app.module';
import { APP } from '../../apps/experience-finance/src/app.info';
import { ConsoleSessionEntity } from '../../apps/experience-finance/src/console/console-session.entity';
import { CSRF_PROBLEM } from '../../apps/experience-finance/src/console/console-sessions';
import { DATABASE } from '../../apps/experience-finance/src/database';

interface Session {
  /** The Cookie header the browser would send back. */
  cookie: string;
  csrfToken: string;
  setCookie: string;
  body: Record<string, unknown>;
}

const INDEX_HTML =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Revline</title><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

/**
 * The finance console's side of experience-finance without process-q2c: sessions (sign-in, sign-out, expiry,
 * revocation, CSRF), the session cookie on existing routes, and the built console served with its SPA fallback.
 */
describe('finance console: sessions and the served console', () => {
  let db: TestDatabase;
  let app: TestApp;
  let consoleDir: string;
  let viewer: string;
  let operator: string;
  let admin: string;

  const signIn = async (apiKey: string, on = app): Promise<Session> => {
    const res = await request(on.url).post('/v1/session').send({ apiKey }).expect(201);
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0];
    return {
      cookie: setCookie.split(';')[0],
      csrfToken: res.body.csrfToken as string,
      setCookie,
      body: res.body as Record<string, unknown>,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    consoleDir = mkdtempSync(join(tmpdir(), 'revline-console-'));
    mkdirSync(join(consoleDir, 'assets'));
    writeFileSync(join(consoleDir, 'index.html'), INDEX_HTML);
    writeFileSync(join(consoleDir, 'assets', 'index-abc123.js'), 'document.title = "Revline";\n');
    writeFileSync(join(consoleDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    // No process-q2c behind it: these routes are answered (or refused) by experience-finance itself.
    app = await createTestApp(AppModule, APP, {
      CONSOLE_DIR: consoleDir,
      PROCESS_Q2C_URL: 'http://127.0.0.1:9',
      PROCESS_Q2C_RETRIES: '0',
      CONSOLE_SESSION_TTL_SECONDS: '3600',
    });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer'], 'reporting', 'person:vera');
    operator = await seedApiKey(db.dataSource, ['finance.operator'], 'close team', 'person:otto');
    admin = await seedApiKey(db.dataSource, ['integration.admin'], 'integration team', 'person:ada');
  });

  afterAll(async () => {
    await app.close();
    await db.drop();
    rmSync(consoleDir, { recursive: true, force: true });
  });

  describe('sessions', () => {
    it('signs in with an API key: an httpOnly, Secure, SameSite=Strict cookie and the key and its roles', async () => {
      const session = await signIn(operator);
      expect(session.setCookie).toMatch(/^revline_session=[\w-]{43};/);
      const attributes = session.setCookie.split(';').map((a) => a.trim());
      expect(attributes).toEqual(
        expect.arrayContaining(['Path=/', 'HttpOnly', 'Secure', 'SameSite=Strict', 'Max-Age=3600']),
      );
      expect(session.body).toEqual({
        keyId: expect.any(String),
        name: 'close team',
        roles: ['finance.operator'],
        effectiveRoles: ['finance.viewer', 'finance.operator'],
        csrfToken: expect.stringMatching(/^[\w-]{43}$/),
        expiresAt: expect.any(String),
      });
      const ttl = Date.parse(session.body.expiresAt as string) - Date.now();
      expect(ttl).toBeGreaterThan(3590_000);
      expect(ttl).toBeLessThanOrEqual(3600_000);

      // GET answers the same session, its CSRF token included; the token itself is stored only as a hash.
      const current = await request(app.url).get('/v1/session').set('cookie', session.cookie).expect(200);
      expect(current.body).toEqual(session.body);
      const rows = await db.dataSource.getRepository(ConsoleSessionEntity).find();
      expect(JSON.stringify(rows)).not.toContain(session.cookie.split('=')[1]);
      const audit = await db.dataSource
        .getRepository(AuditLogEntity)
        .findOneBy({ action: 'console-session.open', target: rows.at(-1)?.id });
      expect(audit?.actor).toContain('close team');
    });

    it('refuses a wrong key and a revoked one with 401, and a body without a key with 400', async () => {
      const wrong = await request(app.url).post('/v1/session').send({ apiKey: 'rvl_not_a_key' }).expect(401);
      expect(wrong.headers['content-type']).toContain('application/problem+json');
      expect(wrong.headers['set-cookie']).toBeUndefined();
      const revoked = await seedApiKey(db.dataSource, ['finance.viewer'], 'gone');
      await db.dataSource
        .getRepository(ApiKeyEntity)
        .update({ name: 'gone' }, { revokedAt: new Date('2026-03-10T12:00:00Z') });
      await request(app.url).post('/v1/session').send({ apiKey: revoked }).expect(401);
      const missing = await request(app.url).post('/v1/session').send({}).expect(400);
      expect(missing.body.errors[0].field).toBe('apiKey');
    });

    it('answers 401 without a session, and for a cookie that names no session', async () => {
      const none = await request(app.url).get('/v1/session').expect(401);
      expect(none.body.detail).toContain('Not signed in');
      await request(app.url).get('/v1/session').set('cookie', 'revline_session=forged').expect(401);
      await request(app.url).get('/v1/api-keys').set('cookie', 'revline_session=forged').expect(401);
    });

    it('authenticates existing routes with the cookie, as the key would', async () => {
      const session = await signIn(admin);
      const keys = await request(app.url).get('/v1/api-keys').set('cookie', session.cookie).expect(200);
      expect((keys.body as unknown[]).length).toBeGreaterThan(0);
      // The Authorization header wins when both are sent.
      await request(app.url)
        .get('/v1/api-keys')
        .set('cookie', session.cookie)
        .set(bearer(viewer))
        .expect(403);
    });

    it('refuses a write made with the cookie without the CSRF token, or with another session’s', async () => {
      const session = await signIn(admin);
      const other = await signIn(admin);
      const body = { name: 'made from the console', roles: ['finance.viewer'] };
      const missing = await request(app.url)
        .post('/v1/api-keys')
        .set('cookie', session.cookie)
        .send(body)
        .expect(403);
      expect(missing.headers['content-type']).toContain('application/problem+json');
      expect(missing.body).toMatchObject({ type: CSRF_PROBLEM, status: 403 });
      await request(app.url)
        .post('/v1/api-keys')
        .set('cookie', session.cookie)
        .set('x-csrf-token', other.csrfToken)
        .send(body)
        .expect(403);
      const made = await request(app.url)
        .post('/v1/api-keys')
        .set('cookie', session.cookie)
        .set('x-csrf-token', session.csrfToken)
        .send(body)
        .expect(201);
      // Made as the signed-in key: its owner, audited under its id.
      expect(made.body.apiKey.owner).toBe('person:ada');
      // A bearer key needs no CSRF token: no browser sends it on its own.
      await request(app.url).post('/v1/api-keys').set(bearer(admin)).send(body).expect(201);
    });

    it("refuses a viewer's session the operator's writes, whatever the CSRF token", async () => {
      const session = await signIn(viewer);
      expect(session.body.effectiveRoles).toEqual(['finance.viewer']);
      const refused = await request(app.url)
        .post('/v1/exceptions/retry')
        .set('cookie', session.cookie)
        .set('x-csrf-token', session.csrfToken)
        .send({ ids: ['6f1c1e3a-6b1d-4b8e-9a59-0c7b2f1d9e10'] })
        .expect(403);
      expect(refused.body).toMatchObject({ type: MISSING_ROLE_PROBLEM, requiredRoles: 'finance.operator' });
      // An operator's session passes the guard (and then finds process-q2c down here).
      const operating = await signIn(operator);
      const passed = await request(app.url)
        .post('/v1/exceptions/retry')
        .set('cookie', operating.cookie)
        .set('x-csrf-token', operating.csrfToken)
        .send({ ids: ['6f1c1e3a-6b1d-4b8e-9a59-0c7b2f1d9e10'] });
      expect(passed.status).toBe(503);
    });

    it('signs out: the session is revoked in the database and the cookie cleared', async () => {
      const session = await signIn(operator);
      await request(app.url).delete('/v1/session').set('cookie', session.cookie).expect(403);
      const out = await request(app.url)
        .delete('/v1/session')
        .set('cookie', session.cookie)
        .set('x-csrf-token', session.csrfToken)
        .expect(204);
      const cleared = (out.headers['set-cookie'] as unknown as string[])[0];
      expect(cleared).toMatch(/^revline_session=;/);
      expect(cleared).toContain('Max-Age=0');
      await request(app.url).get('/v1/session').set('cookie', session.cookie).expect(401);
      await request(app.url).get('/v1/exceptions').set('cookie', session.cookie).expect(401);
      const [row] = await db.dataSource
        .getRepository(ConsoleSessionEntity)
        .find({ where: { csrfToken: session.csrfToken } });
      expect(row.revokedAt).not.toBeNull();
    });

    it('counts wrong keys at sign-in against the unauthenticated rate limit', async () => {
      const limits = {
        RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2',
        QUEUE_PREFIX: `console-rl-${randomBytes(4).toString('hex')}`,
      };
      const saved = Object.fromEntries(Object.keys(limits).map((name) => [name, process.env[name]]));
      const limited = await createTestApp(AppModule, APP, limits);
      Object.assign(process.env, saved);
      try {
        for (let i = 0; i < 2; i += 1)
          await request(limited.url).post('/v1/session').send({ apiKey: 'rvl_wrong' }).expect(401);
        const refused = await request(limited.url)
          .post('/v1/session')
          .send({ apiKey: 'rvl_wrong' })
          .expect(429);
        expect(refused.headers['retry-after']).toBeDefined();
        // Spent for this address: even the right key waits.
        await request(limited.url).post('/v1/session').send({ apiKey: viewer }).expect(429);
      } finally {
        await limited.close();
      }
    });

    it('ends a session when it expires and when its key is revoked', async () => {
      const expiring = await signIn(operator);
      await request(app.url).get('/v1/session').set('cookie', expiring.cookie).expect(200);
      await db.dataSource
        .getRepository(ConsoleSessionEntity)
        .update({ csrfToken: expiring.csrfToken }, { expiresAt: new Date('2026-03-10T12:00:00Z') });
      const expired = await request(app.url).get('/v1/session').set('cookie', expiring.cookie).expect(401);
      expect(expired.body.detail).toContain('sign in again');

      const shortLived = await seedApiKey(db.dataSource, ['finance.operator'], 'short-lived');
      const session = await signIn(shortLived);
      await request(app.url).get('/v1/api-keys').set('cookie', session.cookie).expect(403);
      await request(app.url).get('/v1/session').set('cookie', session.cookie).expect(200);
      await db.dataSource
        .getRepository(ApiKeyEntity)
        .update({ name: 'short-lived' }, { revokedAt: new Date('2026-03-10T12:00:00Z') });
      await request(app.url).get('/v1/session').set('cookie', session.cookie).expect(401);
      await request(app.url).get('/v1/exceptions').set('cookie', session.cookie).expect(401);
    });
  });

  describe('the served console', () => {
    it('serves index.html at / under a CSP that allows only its own scripts', async () => {
      const res = await request(app.url).get('/').set('accept', 'text/html').expect(200);
      expect(res.text).toBe(INDEX_HTML);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    });

    it('serves the assets, cached for good, and 404s an asset that does not exist', async () => {
      const asset = await request(app.url).get('/assets/index-abc123.js').expect(200);
      expect(asset.headers['content-type']).toContain('javascript');
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(asset.text).toContain('Revline');
      await request(app.url).get('/assets/missing.js').expect(404);
      expect([403, 404]).toContain((await request(app.url).get('/assets/../../etc/passwd')).status);
      await request(app.url).get('/favicon.svg').expect(200);
    });

    it("answers the console's own pages with index.html (SPA fallback), and nothing else", async () => {
      for (const path of ['/contracts/801Dn00000Booking1', '/exceptions?category=unmapped_product', '/close'])
        expect((await request(app.url).get(path).set('accept', 'text/html').expect(200)).text).toBe(
          INDEX_HTML,
        );
      // Not a page: the API, health, metrics, Swagger and assets keep their own answers.
      const api = await request(app.url).get('/v1/nowhere').set('accept', 'text/html').expect(404);
      expect(api.headers['content-type']).toContain('application/problem+json');
      await request(app.url).get('/health/nowhere').set('accept', 'text/html').expect(404);
      await request(app.url).get('/assets/nowhere').set('accept', 'text/html').expect(404);
      await request(app.url).get('/health').set('accept', 'text/html').expect(200);
      // A script asking for JSON is not a browser navigating.
      await request(app.url).get('/contracts').set('accept', 'application/json').expect(404);
      await request(app.url).post('/contracts').set('accept', 'text/html').expect(404);
    });

    it('answers 503 saying how to build it when the console is not built', async () => {
      const bare = await createTestApp(AppModule, APP, { CONSOLE_DIR: join(consoleDir, 'not-built') });
      try {
        const page = await request(bare.url).get('/').set('accept', 'text/html').expect(503);
        expect(page.headers['content-type']).toContain('text/html');
        expect(page.text).toContain('not built: run npm run build');
        const api = await request(bare.url).get('/').set('accept', 'application/json').expect(503);
        expect(api.headers['content-type']).toContain('application/problem+json');
        expect(api.body.detail).toContain('not built: run npm run build');
        await request(bare.url).get('/health').expect(200);
      } finally {
        await bare.close();
      }
    });
  });
});
