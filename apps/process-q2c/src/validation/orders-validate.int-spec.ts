import { createEnvelope, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey, waitForQueuesIdle } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';
import { DEFAULT_MAPPING } from '../mappings/default-mapping';
import {
  bookingRecord,
  changedPayload,
  expansionRecord,
  item,
  SF_CONTRACT_ID,
} from '../shared/order-examples';

interface Validation {
  valid: boolean;
  mappingVersion: number;
  orderType: string | null;
  contractId: string | null;
  problems: Array<{ category: string; field: string; reason: string }>;
}

describe('POST /v1/orders/validate (process-q2c)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let viewer: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    // A long cache TTL: only the approval's invalidation can make a new version visible in this suite.
    test = await createTestApp(AppModule, APP, { MAPPING_CACHE_TTL_MS: '300000' });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer'], 'tools');
    alice = await seedApiKey(db.dataSource, ['integration.admin'], 'alice');
    bob = await seedApiKey(db.dataSource, ['integration.admin'], 'bob');
  });

  afterAll(async () => {
    await (await test.app.get(Queues).get('crm.changes')).obliterate({ force: true });
    await test.close();
    await db.drop();
  });

  const validate = (body: unknown, key = viewer) =>
    request(test.url)
      .post('/v1/orders/validate')
      .set(bearer(key))
      .send(body as object);

  const validateAgainst = (body: unknown, mappingVersion: number) =>
    request(test.url)
      .post('/v1/orders/validate')
      .query({ mappingVersion })
      .set(bearer(viewer))
      .send(body as object);

  it('passes a valid booking, even as a draft, and stores nothing', async () => {
    const res = await validate(bookingRecord({ Status: 'Draft' })).expect(200);
    expect(res.body).toEqual({
      valid: true,
      mappingVersion: 1,
      orderType: 'new',
      contractId: '801Dn00000Booking1',
      problems: [],
    });
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."canonical_events"`,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('lists every problem: unmapped products, dates, currency, with categories and plain reasons', async () => {
    const record = bookingRecord({
      CurrencyIsoCode: 'EUR',
      items: [
        item({ Id: 'L1', code: 'NEW-THING', Quantity: 1, UnitPrice: 10 }),
        item({
          Id: 'L2',
          code: 'SEAT',
          Quantity: 1,
          UnitPrice: 10,
          ServiceDate: '2027-01-01',
          EndDate: '2027-03-31',
        }),
      ],
    });
    const res = await validate(record).expect(200);
    const body = res.body as Validation;
    expect(body.valid).toBe(false);
    expect(body.problems.map((p) => [p.category, p.field])).toEqual([
      ['unmapped_product', 'lines[0].productCode'],
      ['invalid_dates', 'lines[1].serviceStart'],
      ['currency_mismatch', 'customer.currency'],
    ]);
    expect(body.problems[2]?.reason).toBe(
      'The order is in EUR, but Salesforce account 001Dn00000Ab3dEIAR is in USD',
    );
  });

  it('knows the amended contract once it is booked', async () => {
    const before = (await validate(expansionRecord()).expect(200)).body as Validation;
    expect(before.problems).toEqual([
      {
        category: 'unknown_contract',
        field: 'amendedContractRef',
        reason: `Revline knows no booked contract for Salesforce contract ${SF_CONTRACT_ID}`,
      },
    ]);
    const queues = test.app.get(Queues);
    await queues.publish([
      createEnvelope('crm.record-changed', changedPayload(bookingRecord({ ContractId: SF_CONTRACT_ID })), {
        idempotencyKey: 'sf:booking:validate',
      }),
    ]);
    await waitForQueuesIdle([await queues.get('crm.changes')]);
    const after = (await validate(expansionRecord()).expect(200)).body as Validation;
    expect(after).toMatchObject({ valid: true, orderType: 'amendment', contractId: '801Dn00000Booking1' });
  });

  it('uses a newly approved mapping version at once (the cache is invalidated on approval)', async () => {
    const record = bookingRecord({
      items: [item({ Id: 'N1', code: 'NEW-THING', Quantity: 1, UnitPrice: 10 })],
    });
    expect(((await validate(record).expect(200)).body as Validation).problems[0]?.category).toBe(
      'unmapped_product',
    );
    const definition = {
      ...DEFAULT_MAPPING,
      productCatalogue: [
        ...DEFAULT_MAPPING.productCatalogue,
        {
          productCode: 'NEW-THING',
          billingPriceId: 'price_new',
          erpItemId: 'ITEM-NEW',
          revenueTreatment: 'point_in_time',
          ssp: '10',
          unitPricePeriod: 'term',
          pobId: 'POB-NEW',
          productClass: 'services',
          chargeType: 'one_time',
        },
      ],
    };
    await request(test.url)
      .post('/v1/mappings/versions')
      .set(bearer(alice))
      .send({ summary: 'Map NEW-THING', baseVersion: 1, definition })
      .expect(201);
    // Proposed is not active: still unmapped against the active version, but clean against the proposal.
    expect((await validate(record).expect(200)).body).toMatchObject({ valid: false, mappingVersion: 1 });
    const preview = await validateAgainst(record, 2).expect(200);
    expect(preview.body).toEqual({
      valid: true,
      mappingVersion: 2,
      orderType: 'new',
      contractId: '801Dn00000Booking1',
      problems: [],
    });
    await request(test.url).post('/v1/mappings/versions/2/approve').set(bearer(bob)).expect(200);
    expect((await validate(record).expect(200)).body).toMatchObject({ valid: true, mappingVersion: 2 });
    // The superseded version 1 can still be chosen, and still lacks the product.
    const before = (await validateAgainst(record, 1).expect(200)).body as Validation;
    expect(before).toMatchObject({ valid: false, mappingVersion: 1 });
    expect(before.problems[0]?.category).toBe('unmapped_product');
  });

  it('answers an unknown mapping version with a 404 problem, a rejected one with a 409, and a bad one with a 400', async () => {
    const unknown = await validateAgainst(bookingRecord(), 99).expect(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((unknown.body as { detail: string }).detail).toBe('Mapping version 99 does not exist');
    const proposal = await request(test.url)
      .post('/v1/mappings/versions')
      .set(bearer(alice))
      .send({ summary: 'A proposal to reject', baseVersion: 2, definition: DEFAULT_MAPPING })
      .expect(201);
    const rejectedVersion = (proposal.body as { version: number }).version;
    await request(test.url)
      .post(`/v1/mappings/versions/${String(rejectedVersion)}/reject`)
      .set(bearer(bob))
      .send({ reason: 'Not this one' })
      .expect(200);
    const rejected = await validateAgainst(bookingRecord(), rejectedVersion).expect(409);
    expect((rejected.body as { detail: string }).detail).toMatch(/was rejected/);
    const bad = await request(test.url)
      .post('/v1/orders/validate?mappingVersion=two')
      .set(bearer(viewer))
      .send(bookingRecord())
      .expect(400);
    expect((bad.body as { detail: string }).detail).toMatch(/mappingVersion must be a whole number/);
  });

  it('answers bad input with a 400 problem, and needs a key', async () => {
    const res = await validate([1, 2]).expect(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const schema = (await validate({ Id: 'x' }).expect(200)).body as Validation;
    expect(schema.valid).toBe(false);
    expect(schema.problems.every((p) => p.category === 'schema_violation')).toBe(true);
    expect(schema.problems.map((p) => p.field)).toContain('currency (CurrencyIsoCode)');
    await request(test.url).post('/v1/orders/validate').send(bookingRecord()).expect(401);
  });
});
