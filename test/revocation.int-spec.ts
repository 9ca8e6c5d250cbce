import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase } from '@revline/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import { AppModule as ExperienceModule } from '../apps/experience-finance/src/app.module';
import { APP as EXPERIENCE_APP } from '../apps/experience-finance/src/app.info';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { AppModule as Q2cModule } from '../apps/process-q2c/src/app.module';
import { APP as Q2C_APP } from '../apps/process-q2c/src/app.info';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { AppModule as BillingModule } from '../apps/system-billing/src/app.module';
import { APP as BILLING_APP } from '../apps/system-billing/src/app.info';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { AppModule as ErpModule } from '../apps/system-erp/src/app.module';
import { APP as ERP_APP } from '../apps/system-erp/src/app.info';
import { DATABASE as ERP } from '../apps/system-erp/src/database';
import { AppModule as SalesforceModule } from '../apps/system-salesforce/src/app.module';
import { APP as SALESFORCE_APP } from '../apps/system-salesforce/src/app.info';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';

const ADMIN = `revocation-admin-${randomBytes(12).toString('hex')}`;

/** Asks until the app refuses the key; how long that took from `since`. */
async function refusedAfter(url: string, key: string, since: number): Promise<number> {
  for (;;) {
    const res = await request(url).get('/metrics').set(bearer(key));
    if (res.status === 401) return performance.now() - since;
    expect(res.status).toBe(200);
    if (performance.now() - since > 5_000) return Number.POSITIVE_INFINITY;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('API key revocation across the apps', () => {
  let db: TestDatabase;
  const apps: Record<string, TestApp> = {};
  let sandbox: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase(Q2C);
    for (const database of [SALESFORCE, BILLING, ERP, EXPERIENCE])
      await runMigrations(appDataSourceOptions(database, db.url));
    sandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    const env = {
      QUEUE_PREFIX: `revoke-${randomBytes(4).toString('hex')}`,
      BOOTSTRAP_ADMIN_API_KEY: ADMIN,
      OUTBOX_RELAY: 'off',
      LOG_LEVEL: 'error',
      STRIPE_EVENTS_POLL_MS: '0',
      SALESFORCE_LOGIN_URL: sandbox.url,
      RECONCILIATION_CRON: 'off',
    };
    apps['experience-finance'] = await createTestApp(ExperienceModule, EXPERIENCE_APP, env);
    apps['process-q2c'] = await createTestApp(Q2cModule, Q2C_APP, env);
    apps['system-billing'] = await createTestApp(BillingModule, BILLING_APP, env);
    apps['system-erp'] = await createTestApp(ErpModule, ERP_APP, env);
    apps['system-salesforce'] = await createTestApp(SalesforceModule, SALESFORCE_APP, env);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...Object.values(apps), sandbox].map((app) => app.close()));
    await db.drop();
  });

  it('has every app refuse a revoked key within a second', async () => {
    const experience = apps['experience-finance'].url;
    const created = await request(experience)
      .post('/v1/api-keys')
      .set(bearer(ADMIN))
      .send({ name: 'leaving analyst', roles: ['finance.viewer'] })
      .expect(201);
    const { key, apiKey } = created.body as { key: string; apiKey: { id: string } };
    // Every app has the key in its cache (kept there for seconds): only the published revocation clears it.
    for (const app of Object.values(apps))
      for (let i = 0; i < 2; i++) await request(app.url).get('/metrics').set(bearer(key)).expect(200);

    const revokedAt = performance.now();
    await request(experience).delete(`/v1/api-keys/${apiKey.id}`).set(bearer(ADMIN)).expect(200);
    const refused = await Promise.all(
      Object.entries(apps).map(async ([name, app]) => ({
        name,
        withinASecond: (await refusedAfter(app.url, key, revokedAt)) < 1_000,
      })),
    );
    expect(refused).toEqual(Object.keys(apps).map((name) => ({ name, withinASecond: true })));
  });
});
