import { ApiKeyEntity, AuditLogEntity } from '@revline/auth';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../../apps/process-q2c/src/app.module';
import { APP } from '../../apps/process-q2c/src/app.info';
import { DATABASE } from '../../apps/process-q2c/src/database';

const FIRST = 'rvl_bootstrap_first_value_0123456789abcdef';
const SECOND = 'rvl_bootstrap_second_value_0123456789abcdef';
const ADMIN_ROUTE = '/v1/mappings/active';

describe('keys registered from environment variables', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>): Promise<TestApp> => {
    const app = await createTestApp(AppModule, APP, env);
    apps.push(app);
    return app;
  };
  const answers = async (app: TestApp, key: string): Promise<number> =>
    (await request(app.url).get(ADMIN_ROUTE).set(bearer(key))).status;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await db.drop();
  });

  it('revokes the old value of BOOTSTRAP_ADMIN_API_KEY when the variable changes, in every app within a second', async () => {
    const before = await start({ BOOTSTRAP_ADMIN_API_KEY: FIRST });
    expect(await answers(before, FIRST)).toBe(200);

    const after = await start({ BOOTSTRAP_ADMIN_API_KEY: SECOND });
    expect(await answers(after, SECOND)).toBe(200);
    expect(await answers(after, FIRST)).toBe(401);
    // The app still running on the old value heard the revocation too.
    const deadline = Date.now() + 1_000;
    while ((await answers(before, FIRST)) !== 401 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await answers(before, FIRST)).toBe(401);

    const keys = await db.dataSource.getRepository(ApiKeyEntity).findBy({ name: 'bootstrap admin' });
    const old = keys.find((k) => k.revokedAt !== null);
    expect(keys).toHaveLength(2);
    const audit = await db.dataSource
      .getRepository(AuditLogEntity)
      .findBy({ action: 'api-key.revoke', target: old?.id ?? '' });
    expect(audit.map((a) => a.actor)).toEqual(['config:BOOTSTRAP_ADMIN_API_KEY']);
  });

  it('revokes nothing new when an app still on the old value restarts, nor a key minted by the bootstrap admin', async () => {
    await db.dataSource.getRepository(ApiKeyEntity).insert({
      name: 'minted by bootstrap',
      prefix: 'rvl_mint',
      keyHash: 'f'.repeat(64),
      roles: ['finance.viewer'],
      createdBy: 'api-key:1 (bootstrap admin)',
      owner: 'bootstrap-admin',
    });
    const stale = await start({ BOOTSTRAP_ADMIN_API_KEY: FIRST });
    expect(await answers(stale, FIRST)).toBe(401);
    expect(await answers(stale, SECOND)).toBe(200);
    const live = await db.dataSource.getRepository(ApiKeyEntity).findBy({ owner: 'bootstrap-admin' });
    expect(
      live
        .filter((k) => k.revokedAt === null)
        .map((k) => k.name)
        .sort(),
    ).toEqual(['bootstrap admin', 'minted by bootstrap']);
  });
});
