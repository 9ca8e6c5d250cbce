import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import type { Browser } from 'playwright-core';
import { chromium } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyEntity, AuditLogEntity } from '@revline/auth';
import { READ_ONLY_DASHBOARD_PROBLEM } from '@revline/platform';
import { AppModule } from '../../apps/process-q2c/src/app.module';
import { APP } from '../../apps/process-q2c/src/app.info';
import { DATABASE } from '../../apps/process-q2c/src/database';

/** Debian's chromium (installed by .ci/run when missing): playwright-core drives it, no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the queue dashboard in a browser', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let browser: Browser;
  let admin: string;
  let actor: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { QUEUE_DASHBOARD_ACTORS: 'ops-lead' });
    admin = await seedApiKey(db.dataSource, ['integration.admin']);
    actor = await seedApiKey(db.dataSource, ['integration.admin'], 'ops lead', 'ops-lead');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await (browser as Browser | undefined)?.close();
    await q2c.close();
    await db.drop();
  });

  it('loads in headless Chromium with an admin session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    const blocked: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400 && response.url().startsWith(q2c.url))
        refused.push(`${String(response.status())} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy.*script/i.test(message.text()))
        blocked.push(message.text());
    });

    // Without a session, the dashboard sends the browser to sign in.
    await page.goto(`${q2c.url}/admin/queues`);
    expect(new URL(page.url()).pathname).toBe('/admin/queues/sign-in');
    await page.fill('#apiKey', admin);
    await Promise.all([page.waitForURL(`${q2c.url}/admin/queues`), page.click('button[type=submit]')]);

    // bull-board's scripts ran (under the CSP, without inline scripts) and read the queues through the session.
    await page.getByText('crm.changes').first().waitFor({ timeout: 20_000 });
    await expect(page.getByText('erp.commands').first().isVisible()).resolves.toBe(true);
    expect(refused).toEqual([]);
    expect(blocked).toEqual([]);

    const [cookie] = (await context.cookies()).filter((c) => c.name === 'revline_queues_session');
    expect(cookie).toMatchObject({ path: '/admin/queues', httpOnly: true, sameSite: 'Strict' });
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
    await context.close();
  });

  it('refuses a wrong key at sign-in, and a session of a key that was revoked', async () => {
    const agent = request.agent(q2c.url);
    await agent.post('/admin/queues/sign-in').type('form').send({ apiKey: 'rk_not_a_key' }).expect(401);
    const viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    await agent.post('/admin/queues/sign-in').type('form').send({ apiKey: viewer }).expect(403);

    const short = await seedApiKey(db.dataSource, ['integration.admin'], 'short-lived');
    const signedIn = await agent
      .post('/admin/queues/sign-in')
      .type('form')
      .send({ apiKey: short })
      .expect(303);
    expect((signedIn.headers['set-cookie'] as unknown as string[])[0]).toMatch(
      /^revline_queues_session=[\w-]{43}; Path=\/admin\/queues; Max-Age=3600; HttpOnly; SameSite=Strict$/,
    );
    await agent.get('/admin/queues/api/queues').expect(200);
    await db.dataSource
      .getRepository(ApiKeyEntity)
      .update({ name: 'short-lived' }, { revokedAt: new Date('2026-03-10T12:00:00Z') });
    await agent.get('/admin/queues/api/queues').expect(401);
  });

  it('is read-only for an admin not named in QUEUE_DASHBOARD_ACTORS, and audits the actions of one who is', async () => {
    const action = '/admin/queues/api/queues/crm.changes/promote';
    const looking = request.agent(q2c.url);
    await looking.post('/admin/queues/sign-in').type('form').send({ apiKey: admin }).expect(303);
    const refused = await looking.put(action).expect(403);
    expect(refused.body.type).toBe(READ_ONLY_DASHBOARD_PROBLEM);

    const acting = request.agent(q2c.url);
    await acting.post('/admin/queues/sign-in').type('form').send({ apiKey: actor }).expect(303);
    await acting.put(action).expect(200);
    const rows = await db.dataSource
      .getRepository(AuditLogEntity)
      .findBy({ action: 'queue-dashboard.action' });
    expect(rows.map((r) => r.target)).toEqual([`PUT ${action}`]);
  });
});
