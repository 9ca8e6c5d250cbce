import { AppModule as ExperienceModule } from '../../apps/experience-finance/src/app.module';
import { APP as EXPERIENCE } from '../../apps/experience-finance/src/app.info';
import { AppModule as Q2cModule } from '../../apps/process-q2c/src/app.module';
import { APP as Q2C } from '../../apps/process-q2c/src/app.info';
import { DATABASE } from '../../apps/process-q2c/src/database';
import { DEFAULT_MAPPING } from '../../apps/process-q2c/src/mappings/default-mapping';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAKER_CHECKER = 'https://docs.revline.dev/problems/maker-checker';

/**
 * Maker-checker between people, across the apps: keys are minted on experience-finance, mappings proposed and
 * approved on process-q2c, one database.
 */
describe('maker-checker compares owners, not keys', () => {
  let db: TestDatabase;
  let keysApp: TestApp;
  let q2c: TestApp;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(Q2cModule, Q2C);
    keysApp = await createTestApp(ExperienceModule, EXPERIENCE);
    alice = await seedApiKey(db.dataSource, ['integration.admin'], 'alice', 'person:alice');
    bob = await seedApiKey(db.dataSource, ['integration.admin'], 'bob', 'person:bob');
  });

  afterAll(async () => {
    await keysApp.close();
    await q2c.close();
    await db.drop();
  });

  const mint = async (minter: string, body: { name: string; owner?: string }) =>
    (
      await request(keysApp.url)
        .post('/v1/api-keys')
        .set(bearer(minter))
        .send({ roles: ['integration.admin'], ...body })
        .expect(201)
    ).body as { key: string; apiKey: { owner: string; mintedByOwners: string[] } };
  const approve = (key: string, version: number) =>
    request(q2c.url)
      .post(`/v1/mappings/versions/${String(version)}/approve`)
      .set(bearer(key))
      .send({});

  it('refuses an approval with a key the proposer minted, whatever owner it names, and takes another person', async () => {
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(alice))
      .send({ summary: 'Seats billed yearly', baseVersion: 1, definition: DEFAULT_MAPPING })
      .expect(201);
    const version = (proposed.body as { version: number }).version;

    const second = await mint(alice, { name: 'alice again' });
    expect(second.apiKey).toMatchObject({ owner: 'person:alice', mintedByOwners: [] });
    const sameOwner = await approve(second.key, version).expect(403);
    expect(sameOwner.body).toMatchObject({ type: MAKER_CHECKER, status: 403 });
    expect((sameOwner.body as { detail: string }).detail).toContain('person:alice');

    const mallory = await mint(alice, { name: 'not alice', owner: 'person:mallory' });
    expect(mallory.apiKey).toMatchObject({ owner: 'person:mallory', mintedByOwners: ['person:alice'] });
    await approve(mallory.key, version).expect(403, /maker-checker/);
    const trent = await mint(mallory.key, { name: 'further away', owner: 'person:trent' });
    expect(trent.apiKey.mintedByOwners).toEqual(['person:alice', 'person:mallory']);
    await approve(trent.key, version).expect(403, /maker-checker/);

    const active = await request(q2c.url).get('/v1/mappings/active').set(bearer(bob)).expect(200);
    expect(active.body).toMatchObject({ version: 1 });
    await approve(bob, version).expect(200);
  });

  it('refuses the proposer approving with a key minted for them by someone else', async () => {
    const carol = await mint(bob, { name: 'carol', owner: 'person:carol' });
    const active = (await request(q2c.url).get('/v1/mappings/active').set(bearer(bob)).expect(200)).body as {
      version: number;
    };
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(bob))
      .send({ summary: 'Bob again', baseVersion: active.version, definition: DEFAULT_MAPPING })
      .expect(201);
    const version = (proposed.body as { version: number }).version;
    // Bob saw Carol's key when he minted it, so it cannot check what Bob made.
    await approve(carol.key, version).expect(403, /maker-checker/);
    await approve(alice, version).expect(200);
  });
});
