import type { Envelope } from '@revline/messaging';
import { createEnvelope, Queues } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import {
  bearer,
  createTestApp,
  createTestDatabase,
  eventually,
  seedApiKey,
  waitForQueuesIdle,
} from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';
import { DEFAULT_MAPPING } from '../mappings/default-mapping';
import type { MappingDefinition } from '../mappings/mapping-definition';
import { bookingRecord, changedPayload, item } from '../shared/order-examples';

interface ExceptionBody {
  id: string;
  category: string;
  reason: string;
  status: string;
  contractId: string | null;
  correlationId: string;
  ageMinutes: number;
  history?: Array<{ at: string; actor: string; action: string; note: string | null }>;
}

const WIDGET_ORDER = '801Dn00000Widget01';

const withWidget: MappingDefinition = {
  ...DEFAULT_MAPPING,
  productCatalogue: [
    ...DEFAULT_MAPPING.productCatalogue,
    {
      productCode: 'WIDGET-PRO',
      billingPriceId: 'price_widget_pro',
      erpItemId: 'ITEM-WIDGET-PRO',
      revenueTreatment: 'ratable_daily',
      ssp: '40',
      unitPricePeriod: 'month',
      pobId: 'POB-WIDGET',
      productClass: 'subscription',
    },
  ],
};

describe('exceptions workbench: an unmapped product parks, and completes after the mapping is fixed (process-q2c)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let queues: Queues;
  let operator: string;
  let viewer: string;
  let alice: string;
  let bob: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP);
    queues = test.app.get(Queues);
    operator = await seedApiKey(db.dataSource, ['finance.operator'], 'ops');
    viewer = await seedApiKey(db.dataSource, ['finance.viewer'], 'viewer');
    alice = await seedApiKey(db.dataSource, ['integration.admin'], 'alice');
    bob = await seedApiKey(db.dataSource, ['integration.admin'], 'bob');
  });

  afterAll(async () => {
    await (await queues.get('crm.changes')).obliterate({ force: true });
    await test.close();
    await db.drop();
  });

  const send = async (envelope: Envelope<'crm.record-changed'>): Promise<void> => {
    await queues.publish([envelope]);
    await waitForQueuesIdle([await queues.get('crm.changes')]);
  };

  const order = (id: string, code: string, accountId = '001Dn00000Widget0A') =>
    createEnvelope(
      'crm.record-changed',
      changedPayload(
        bookingRecord({
          Id: id,
          AccountId: accountId,
          items: [item({ Id: `${id}-L1`, code, Quantity: 3, UnitPrice: 40 })],
        }),
      ),
      { idempotencyKey: `sf:${id}:1` },
    );

  const page = (query = ''): Promise<{ items: ExceptionBody[]; nextCursor: string | null }> =>
    request(test.url)
      .get(`/v1/exceptions${query}`)
      .set(bearer(operator))
      .expect(200)
      .then((r) => r.body as { items: ExceptionBody[]; nextCursor: string | null });
  const list = async (query = ''): Promise<ExceptionBody[]> => (await page(query)).items;

  const storedEvents = async (contractId: string): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "q2c"."canonical_events" WHERE "contract_id" = $1`,
      [contractId],
    );
    return rows[0]?.n ?? 0;
  };

  it('parks the order as unmapped_product; after a new mapping version is approved and the exception retried, it normalises', async () => {
    const envelope = order(WIDGET_ORDER, 'WIDGET-PRO');
    await send(envelope);
    const [parked] = await list('?category=unmapped_product');
    expect(parked).toMatchObject({
      category: 'unmapped_product',
      status: 'open',
      contractId: WIDGET_ORDER,
      correlationId: envelope.correlationId,
      ageMinutes: 0,
    });
    expect(parked.reason).toMatch(
      /^Product WIDGET-PRO \(order line 801Dn00000Widget01-L1\) is not in the product catalogue of mapping version 1/,
    );
    expect(await storedEvents(WIDGET_ORDER)).toBe(0);

    // Not booked, yet not hidden: the contracts list shows it parked, and its lifecycle says why.
    const listed = await request(test.url).get('/v1/contracts?status=parked').set(bearer(viewer)).expect(200);
    expect(listed.body).toEqual({
      items: [
        expect.objectContaining({
          contractId: WIDGET_ORDER,
          customer: '001Dn00000Widget0A',
          currency: 'USD',
          termStart: '2026-01-01',
          termEnd: '2026-12-31',
          contractStatus: 'not_booked',
          lifecycleStatus: 'parked',
          changes: 0,
          parked: 1,
          failed: 0,
        }),
      ],
      nextCursor: null,
    });
    const refused = await request(test.url)
      .get(`/v1/contracts/${WIDGET_ORDER}/lifecycle`)
      .set(bearer(viewer))
      .expect(200);
    expect(refused.body.contract).toMatchObject({ contractId: WIDGET_ORDER, lifecycleStatus: 'parked' });
    expect(refused.body.changes).toEqual([
      {
        sagaId: null,
        kind: 'booking',
        correlationId: envelope.correlationId,
        status: 'parked',
        step: 'normalise',
        committedAt: '2026-03-15T09:30:00.000Z',
        completedAt: null,
        lastError: parked.reason,
        salesforce: {
          status: 'in_progress',
          commandsSent: 0,
          commandsConfirmed: 0,
          lastHop: expect.objectContaining({
            objectType: 'Order',
            externalId: WIDGET_ORDER,
            status: 'captured',
          }),
          reason: null,
        },
        billing: {
          status: 'not_started',
          commandsSent: 0,
          commandsConfirmed: 0,
          lastHop: null,
          reason: null,
        },
        erp: { status: 'not_started', commandsSent: 0, commandsConfirmed: 0, lastHop: null, reason: null },
      },
    ]);

    // Retrying before the mapping is fixed parks it again (the same exception, counted).
    await request(test.url).post(`/v1/exceptions/${parked.id}/retry`).set(bearer(operator)).expect(200);
    await eventually(async () => {
      const rows = await db.dataSource.query<Array<{ occurrences: number; status: string }>>(
        `SELECT "occurrences", "status" FROM "q2c"."exceptions" WHERE "id" = $1`,
        [parked.id],
      );
      return rows[0]?.occurrences === 2 && rows[0].status === 'open';
    });

    await request(test.url)
      .post('/v1/mappings/versions')
      .set(bearer(alice))
      .send({ summary: 'Map WIDGET-PRO', baseVersion: 1, definition: withWidget })
      .expect(201);
    await request(test.url).post('/v1/mappings/versions/2/approve').set(bearer(bob)).expect(200);

    const retried = await request(test.url)
      .post(`/v1/exceptions/${parked.id}/retry`)
      .set(bearer(operator))
      .expect(200);
    expect(retried.body).toEqual({ id: parked.id, outcome: 'retrying' });
    await eventually(async () => (await storedEvents(WIDGET_ORDER)) === 1);
    const [event] = await db.dataSource.query<Array<{ mapping_version: number; correlation_id: string }>>(
      `SELECT "mapping_version", "correlation_id" FROM "q2c"."canonical_events" WHERE "contract_id" = $1`,
      [WIDGET_ORDER],
    );
    expect(event).toEqual({ mapping_version: 2, correlation_id: envelope.correlationId });
    const [after] = await list(`?contractId=${WIDGET_ORDER}`);
    expect(after).toMatchObject({ status: 'resolved' });
    // Booked on retry: a contract of its own now, its refused capture resolved and no longer counted.
    const booked = await request(test.url)
      .get(`/v1/contracts/${WIDGET_ORDER}/lifecycle`)
      .set(bearer(viewer))
      .expect(200);
    expect(booked.body.contract).toMatchObject({ contractStatus: 'active', parked: 0, changes: 1 });
    expect(booked.body.changes).toEqual([
      expect.objectContaining({ kind: 'booking', sagaId: expect.any(String) }),
    ]);
    const stillParked = await request(test.url).get('/v1/contracts?status=parked').set(bearer(viewer));
    expect(stillParked.body).toEqual({ items: [], nextCursor: null });

    const audit = await db.dataSource.query<
      Array<{ action: string; before: { status: string }; after: { status: string } }>
    >(`SELECT "action", "before", "after" FROM "platform"."audit_log" WHERE "target" = $1 ORDER BY "id"`, [
      `exception:${parked.id}`,
    ]);
    expect(audit.map((a) => [a.action, a.before.status, a.after.status])).toEqual([
      ['exception.retry', 'open', 'retrying'],
      ['exception.retry', 'open', 'retrying'],
    ]);

    const lineage = await request(test.url)
      .get(`/v1/contracts/${WIDGET_ORDER}/lineage`)
      .set(bearer(viewer))
      .expect(200);
    const hops = (
      lineage.body as { changes: Array<{ hops: Array<{ system: string; status: string }> }> }
    ).changes.at(0)?.hops;
    // Normalisation's own hops come first; the saga it starts adds its hops after them.
    expect(hops?.map((h) => `${h.system}:${h.status}`).slice(0, 4)).toEqual([
      'salesforce:captured',
      'revline:exception',
      'revline:normalised',
      'revline:started',
    ]);
  });

  it('retries many at once, skipping resolved ones, and resolves one with a reason', async () => {
    await send(order('801Dn00000Ghost001', 'GHOST-1', '001Dn00000Ghost0AA'));
    await send(order('801Dn00000Ghost002', 'GHOST-2', '001Dn00000Ghost0AB'));
    const open = await list('?category=unmapped_product&status=open');
    expect(open.map((e) => e.contractId).sort()).toEqual(['801Dn00000Ghost001', '801Dn00000Ghost002']);
    const [first, second] = open as [ExceptionBody, ExceptionBody];

    const resolved = await request(test.url)
      .post(`/v1/exceptions/${first.id}/resolve`)
      .set(bearer(operator))
      .send({ reason: 'Test product, never sold' })
      .expect(200);
    expect(resolved.body).toMatchObject({
      status: 'resolved',
      resolution: 'Test product, never sold',
      history: [
        {
          at: expect.any(String) as unknown,
          actor: expect.stringMatching(/^api-key:[0-9a-f-]{36} /) as unknown,
          action: 'exception.resolve',
          note: 'Test product, never sold',
        },
      ],
    });
    await request(test.url)
      .post(`/v1/exceptions/${first.id}/resolve`)
      .set(bearer(operator))
      .send({ reason: 'again' })
      .expect(409);

    const bulk = await request(test.url)
      .post('/v1/exceptions/retry')
      .set(bearer(operator))
      .send({ ids: [first.id, second.id] })
      .expect(200);
    expect(bulk.body).toEqual(
      expect.arrayContaining([
        { id: first.id, outcome: 'skipped', note: 'already resolved' },
        { id: second.id, outcome: 'retrying' },
      ]),
    );
    await waitForQueuesIdle([await queues.get('crm.changes')]);
    const audit = await db.dataSource.query<Array<{ action: string }>>(
      `SELECT "action" FROM "platform"."audit_log" WHERE "target" IN ($1, $2) ORDER BY "id"`,
      [`exception:${first.id}`, `exception:${second.id}`],
    );
    expect(audit.map((a) => a.action)).toEqual(['exception.resolve', 'exception.retry']);
    // Each exception shows who did what and when, from those audit rows: the list and one exception alike.
    const history = (id: string, rows: ExceptionBody[]) =>
      rows.find((e) => e.id === id)?.history?.map((h) => [h.action, h.note]);
    const all = await list('');
    expect(history(first.id, all)).toEqual([['exception.resolve', 'Test product, never sold']]);
    expect(history(second.id, all)).toEqual([['exception.retry', null]]);
    const one = await request(test.url).get(`/v1/exceptions/${second.id}`).set(bearer(operator)).expect(200);
    expect((one.body as ExceptionBody).history?.map((h) => h.action)).toEqual(['exception.retry']);
    expect(await list('?minAgeMinutes=60')).toEqual([]);
    expect((await list('?maxAgeMinutes=60&status=resolved')).length).toBeGreaterThanOrEqual(2);
  });

  it('pages by cursor, oldest first, with no exception lost or repeated, ties in time included', async () => {
    // Eleven more, five of them first seen in the same microsecond.
    await db.dataSource.query(
      `INSERT INTO "q2c"."exceptions" ("queue", "job", "idempotency_key", "envelope", "category", "reason", "correlation_id", "details", "first_seen_at")
       SELECT 'crm.changes', 'billing.rejected', 'paging-' || i, '{}'::jsonb, 'paging', 'Seeded for paging',
              gen_random_uuid()::text, '{}'::jsonb,
              timestamptz '2026-03-01 10:00:00.123456+00' + CASE WHEN i <= 5 THEN interval '0' ELSE i * interval '1 microsecond' END
         FROM generate_series(1, 11) i`,
    );
    const all = await list('?limit=500');
    expect(all.length).toBeGreaterThanOrEqual(14);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const next: { items: ExceptionBody[]; nextCursor: string | null } = await page(
        `?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(next.items.length).toBeLessThanOrEqual(3);
      seen.push(...next.items.map((e) => e.id));
      cursor = next.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    expect(seen).toEqual(all.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBe(Math.ceil(all.length / 3));

    // Filters apply across pages too.
    const first = await page('?category=paging&limit=4');
    const rest = await page(`?category=paging&limit=20&cursor=${first.nextCursor ?? ''}`);
    expect([...first.items, ...rest.items].map((e) => e.category)).toEqual(Array(11).fill('paging'));
    expect(rest.nextCursor).toBeNull();

    for (const bad of [
      'x',
      Buffer.from('1 2').toString('base64url'),
      Buffer.from('12 not-a-uuid').toString('base64url'),
    ]) {
      const res = await request(test.url)
        .get(`/v1/exceptions?cursor=${bad}`)
        .set(bearer(operator))
        .expect(400);
      expect(res.body.errors).toEqual([
        { field: 'cursor', problem: 'must be the nextCursor of a previous page' },
      ]);
    }
  });

  it('answers bad input with a 4xx problem and changes nothing', async () => {
    await request(test.url).get('/v1/exceptions?status=stuck').set(bearer(operator)).expect(400);
    await request(test.url).get('/v1/exceptions?minAgeMinutes=-1').set(bearer(operator)).expect(400);
    await request(test.url).post('/v1/exceptions/not-a-uuid/retry').set(bearer(operator)).expect(400);
    await request(test.url).post('/v1/exceptions/retry').set(bearer(operator)).send({ ids: [] }).expect(400);
    const missing = randomUUID();
    await request(test.url)
      .post('/v1/exceptions/retry')
      .set(bearer(operator))
      .send({ ids: [missing] })
      .expect(404);
    await request(test.url)
      .post(`/v1/exceptions/${missing}/resolve`)
      .set(bearer(operator))
      .send({ reason: 'x' })
      .expect(400);
    await request(test.url)
      .post(`/v1/exceptions/${missing}/resolve`)
      .set(bearer(operator))
      .send({ reason: 'Not real' })
      .expect(404);
    await request(test.url).get('/v1/exceptions').set(bearer(viewer)).expect(403);
  });
});
