import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';
import { DEFAULT_MAPPING } from './default-mapping';
import type { MappingDefinition } from './mapping-definition';

interface AuditRow {
  actor: string;
  action: string;
  target: string;
  before: { version?: number; activeVersion?: number | null; status?: string } | null;
  after: { version?: number; activeVersion?: number; status?: string; definition?: MappingDefinition } | null;
}

const withProduct = (code: string): MappingDefinition => ({
  ...DEFAULT_MAPPING,
  productCatalogue: [
    ...DEFAULT_MAPPING.productCatalogue,
    {
      productCode: code,
      billingPriceId: `price_${code.toLowerCase()}`,
      erpItemId: `ITEM-${code}`,
      revenueTreatment: 'ratable_daily',
      ssp: '10',
      unitPricePeriod: 'month',
      pobId: `POB-${code}`,
      productClass: 'subscription',
    },
  ],
});

describe('mappings as data: versions, maker-checker, audit (process-q2c)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let alice: string;
  let bob: string;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP);
    alice = await seedApiKey(db.dataSource, ['integration.admin'], 'alice');
    bob = await seedApiKey(db.dataSource, ['integration.admin'], 'bob');
    viewer = await seedApiKey(db.dataSource, ['finance.operator'], 'operator');
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  const api = (key: string) => ({
    get: (path: string) => request(test.url).get(path).set(bearer(key)),
    post: (path: string, body: object = {}) => request(test.url).post(path).set(bearer(key)).send(body),
  });

  const audit = (target: string): Promise<AuditRow[]> =>
    db.dataSource.query<AuditRow[]>(
      `SELECT "actor", "action", "target", "before", "after" FROM "platform"."audit_log" WHERE "target" = $1 ORDER BY "id"`,
      [target],
    );

  it('seeds version 1, active, with the standard and CPQ fields and a starter catalogue', async () => {
    const res = await api(alice).get('/v1/mappings/active').expect(200);
    expect(res.body).toMatchObject({ version: 1, status: 'active', proposedBy: 'migration' });
    const body = res.body as { definition: MappingDefinition };
    expect(body.definition.fieldMappings).toContainEqual({
      target: 'lines[].productCode',
      source: 'OrderItems[].Product2.ProductCode',
    });
    expect(body.definition.fieldMappings).toContainEqual({
      target: 'customer.billingCustomerId',
      source: 'Account.Revline_Billing_Id__c',
    });
    expect(body.definition.productCatalogue.map((p) => p.productCode)).toContain('SEAT');
  });

  it('is for integration admins only', async () => {
    await api(viewer).get('/v1/mappings/active').expect(403);
    await request(test.url).get('/v1/mappings/versions').expect(401);
    await api(viewer)
      .post('/v1/mappings/versions', { summary: 'x', baseVersion: 1, definition: DEFAULT_MAPPING })
      .expect(403);
  });

  it('a proposal needs a second admin: the proposer cannot approve it; another can, and it becomes the one active version', async () => {
    const proposed = await api(alice)
      .post('/v1/mappings/versions', {
        summary: 'Add WIDGET',
        baseVersion: 1,
        definition: withProduct('WIDGET'),
      })
      .expect(201);
    expect(proposed.body).toMatchObject({ version: 2, status: 'proposed', basedOnVersion: 1 });
    await api(alice)
      .get('/v1/mappings/active')
      .expect(200)
      .expect((r) => {
        expect(r.body).toMatchObject({ version: 1 });
      });

    const own = await api(alice).post('/v1/mappings/versions/2/approve').expect(403);
    expect(own.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(own.body).toMatchObject({ type: 'https://docs.revline.dev/problems/maker-checker' });
    expect((own.body as { detail: string }).detail).toMatch(/another person must check it \(maker-checker\)/);

    await api(bob).post('/v1/mappings/versions/2/approve', { reason: 'Checked the price book' }).expect(200);
    const active = await api(alice).get('/v1/mappings/active').expect(200);
    expect(active.body).toMatchObject({
      version: 2,
      status: 'active',
      decisionReason: 'Checked the price book',
    });
    const history = await api(alice).get('/v1/mappings/versions').expect(200);
    expect(
      (history.body as Array<{ version: number; status: string }>).map((v) => [v.version, v.status]),
    ).toEqual([
      [2, 'active'],
      [1, 'superseded'],
    ]);
    const again = await api(bob).post('/v1/mappings/versions/2/approve').expect(409);
    expect((again.body as { detail: string }).detail).toBe(
      'Mapping version 2 is active, not proposed: only a proposal can be approved or rejected',
    );

    const rows = await audit('mapping-version:2');
    expect(rows.map((r) => r.action)).toEqual(['mapping.propose', 'mapping.approve']);
    expect(rows[0]?.actor).toMatch(/\(alice\)$/);
    expect(rows[0]?.before).toMatchObject({ version: 1 });
    expect(rows[0]?.after?.definition?.productCatalogue.map((p) => p.productCode)).toContain('WIDGET');
    expect(rows[1]?.actor).toMatch(/\(bob\)$/);
    expect(rows[1]?.before).toEqual({ activeVersion: 1, status: 'proposed' });
    expect(rows[1]?.after).toMatchObject({ activeVersion: 2, status: 'active' });
  });

  it('refuses to approve a proposal made against a version that is no longer active', async () => {
    await api(alice)
      .post('/v1/mappings/versions', { summary: 'Add A1', baseVersion: 2, definition: withProduct('A1') })
      .expect(201);
    await api(bob)
      .post('/v1/mappings/versions', { summary: 'Add B1', baseVersion: 2, definition: withProduct('B1') })
      .expect(201);
    await api(bob).post('/v1/mappings/versions/4/approve').expect(403);
    await api(alice).post('/v1/mappings/versions/4/approve').expect(200);
    const stale = await api(bob).post('/v1/mappings/versions/3/approve').expect(409);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body).toMatchObject({ status: 409, baseVersion: 2, activeVersion: 4 });
    expect((stale.body as { detail: string }).detail).toMatch(
      /proposed against version 2, but version 4 is active now: propose it again/,
    );
    await api(alice)
      .get('/v1/mappings/active')
      .expect(200)
      .expect((r) => {
        expect(r.body).toMatchObject({ version: 4 });
      });
    const rejected = await api(alice)
      .post('/v1/mappings/versions/3/reject', { reason: 'Superseded by 4' })
      .expect(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', decisionReason: 'Superseded by 4' });
    expect((await audit('mapping-version:3')).map((r) => r.action)).toEqual([
      'mapping.propose',
      'mapping.reject',
    ]);
    await api(alice).post('/v1/mappings/versions/3/reject', { reason: 'again' }).expect(409);
    await api(alice).get('/v1/mappings/versions/99').expect(404);
  });

  it('refuses a proposal built on a version that is no longer active, with the active version, writing nothing', async () => {
    const count = async (): Promise<unknown> =>
      db.dataSource.query(
        `SELECT (SELECT count(*) FROM "q2c"."mapping_versions")::int AS versions,
                (SELECT count(*) FROM "platform"."audit_log")::int AS audit`,
      );
    const before = await count();
    // Bob read version 2 before Alice's version 4 was approved: his proposal would drop A1.
    const stale = await api(bob)
      .post('/v1/mappings/versions', { summary: 'Add C1', baseVersion: 2, definition: withProduct('C1') })
      .expect(409);
    expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(stale.body).toMatchObject({
      status: 409,
      baseVersion: 2,
      activeVersion: 4,
      errors: [{ field: 'baseVersion', problem: 'must be the active version (4)' }],
    });
    expect((stale.body as { detail: string }).detail).toMatch(
      /built on mapping version 2, but version 4 is active now/,
    );
    await api(bob)
      .post('/v1/mappings/versions', { summary: 'Add C1', baseVersion: 9, definition: withProduct('C1') })
      .expect(409);
    expect(await count()).toEqual(before);
    const missing = await api(bob)
      .post('/v1/mappings/versions', { summary: 'Add C1', definition: withProduct('C1') })
      .expect(400);
    expect((missing.body as { errors: Array<{ field: string }> }).errors[0]?.field).toBe('baseVersion');
    // Built on the active version, it is stored against it.
    const fresh = await api(bob)
      .post('/v1/mappings/versions', { summary: 'Add C1', baseVersion: 4, definition: withProduct('C1') })
      .expect(201);
    expect(fresh.body).toMatchObject({ version: 5, status: 'proposed', basedOnVersion: 4 });
  });

  it('rejects an invalid definition with every problem named, and stores nothing', async () => {
    const before = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."mapping_versions"`,
    );
    const definition = {
      ...DEFAULT_MAPPING,
      fieldMappings: [
        ...DEFAULT_MAPPING.fieldMappings.filter((m) => m.target !== 'lines[].productCode'),
        { target: 'lines[].serviceStart', source: 'EffectiveDate' },
        { target: 'currency', source: 'not a path!' },
      ],
    };
    const res = await api(alice)
      .post('/v1/mappings/versions', { summary: 'Broken', baseVersion: 4, definition, extra: 1 })
      .expect(400);
    const problems = (res.body as { errors: Array<{ field: string; problem: string }> }).errors;
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'extra', problem: 'unknown field extra' },
        expect.objectContaining({
          field: expect.stringMatching(/^definition\.fieldMappings\[\d+\]\.source$/) as string,
        }),
      ]),
    );
    const reject = await api(alice).post('/v1/mappings/versions/2/reject', {}).expect(400);
    expect((reject.body as { errors: Array<{ field: string }> }).errors[0]?.field).toBe('reason');
    await api(alice).post('/v1/mappings/versions/abc/approve').expect(400);
    const after = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."mapping_versions"`,
    );
    expect(after).toEqual(before);
  });

  it('checks definitions: required targets mapped, line fields read from OrderItems[], each product once', async () => {
    const definition = {
      ...DEFAULT_MAPPING,
      fieldMappings: [
        ...DEFAULT_MAPPING.fieldMappings.filter(
          (m) => m.target !== 'lines[].productCode' && m.target !== 'lines[].serviceStart',
        ),
        { target: 'lines[].serviceStart', source: 'EffectiveDate' },
      ],
      productCatalogue: [...DEFAULT_MAPPING.productCatalogue, DEFAULT_MAPPING.productCatalogue[0]],
    };
    const res = await api(alice)
      .post('/v1/mappings/versions', { summary: 'Broken', baseVersion: 4, definition })
      .expect(400);
    const problems = (res.body as { errors: Array<{ field: string; problem: string }> }).errors.map(
      (e) => e.problem,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'a line field must be read from OrderItems[].<field>',
        'lines[].productCode must be mapped',
        'product SEAT is listed twice',
      ]),
    );
  });
});
