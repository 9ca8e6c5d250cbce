import { AuditLogEntity } from '@revline/auth';
import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DEFAULT_MAPPING } from '../../apps/process-q2c/src/mappings/default-mapping';
import type { ExperienceEnv } from './experience-env';
import { startExperienceEnv } from './experience-env';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The routes the finance console needs, through experience-finance in front of a real process-q2c: the overview
 * (each count the size of the list it links to) and mappings proposed and approved by two people, each signed in.
 */
describe('finance console routes over process-q2c', () => {
  let env: ExperienceEnv;
  let url: string;
  let alice: string;
  let bob: string;
  let orderId: string;
  let runId: string;

  const unmappedOrder = async (): Promise<void> => {
    const { sales, catalogue } = env.q2cEnv;
    const created = (await sales.sobject('Order').create({
      AccountId: catalogue.accountId,
      Pricebook2Id: catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    })) as { id?: string; success: boolean };
    if (!created.success || !created.id) throw new Error('order not created');
    await sales.sobject('OrderItem').create({
      OrderId: created.id,
      PricebookEntryId: catalogue.analyticsEntryId,
      Quantity: 2,
      UnitPrice: 3000,
    });
    await sales.sobject('Order').update({ Id: created.id, Status: 'Activated' });
  };

  const signIn = async (apiKey: string): Promise<{ cookie: string; csrf: string }> => {
    const res = await request(url).post('/v1/session').send({ apiKey }).expect(201);
    const setCookie = (res.headers['set-cookie'] as unknown as string[])[0];
    return { cookie: setCookie.split(';')[0], csrf: res.body.csrfToken as string };
  };

  const all = async <T>(path: string, query: Record<string, string | number>): Promise<T[]> => {
    const items: T[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(url)
        .get(path)
        .query({ ...query, limit: 500, ...(cursor ? { cursor } : {}) })
        .set(bearer(env.viewer))
        .expect(200);
      const page = res.body as Page<T>;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return items;
  };

  beforeAll(async () => {
    env = await startExperienceEnv();
    url = env.experience.url;
    alice = await seedApiKey(env.q2cEnv.db.dataSource, ['integration.admin'], 'alice', 'person:alice');
    bob = await seedApiKey(env.q2cEnv.db.dataSource, ['integration.admin'], 'bob', 'person:bob');
    await env.q2cEnv.customerOnTestClock('2026-01-01T00:00:00Z');
    ({ orderId } = await env.q2cEnv.bookG1());
    await unmappedOrder();
    await unmappedOrder();
    await eventually(async () => {
      const res = await request(url)
        .get('/v1/exceptions')
        .query({ category: 'unmapped_product', status: 'open' })
        .set(bearer(env.viewer));
      return res.status === 200 && (res.body as Page<unknown>).items.length === 2 ? true : undefined;
    }, 30_000);
    await env.q2cEnv.settle();
    const started = await request(url)
      .post('/v1/reconciliation-runs')
      .set(bearer(env.operator))
      .send({ scope: 'all', period: '2026-01' })
      .expect(202);
    runId = started.body.runId as string;
    await eventually(async () => {
      const res = await request(url).get(`/v1/reconciliation-runs/${runId}`).set(bearer(env.viewer));
      return res.body.status === 'running' ? undefined : true;
    }, 60_000);
  }, 300_000);

  afterAll(async () => {
    await env.close();
  });

  it('proposes as one person and approves as another, each signed in; self-approval is refused', async () => {
    const a = await signIn(alice);
    const b = await signIn(bob);
    const listed = await request(url).get('/v1/mappings/versions').set('cookie', a.cookie).expect(200);
    const base = (listed.body as Array<{ version: number; status: string }>).find(
      (v) => v.status === 'active',
    );
    if (!base) throw new Error('no active mapping version');
    const active = await request(url)
      .get(`/v1/mappings/versions/${String(base.version)}`)
      .set('cookie', a.cookie)
      .expect(200);
    const current = active.body.definition as typeof DEFAULT_MAPPING;
    const first = current.productCatalogue[0];
    const definition = {
      ...current,
      productCatalogue: current.productCatalogue.map((p, i) => (i === 0 ? { ...p, ssp: '123.45' } : p)),
    };
    const next = base.version + 1;
    const proposed = await request(url)
      .post('/v1/mappings/versions')
      .set('cookie', a.cookie)
      .set('x-csrf-token', a.csrf)
      .send({ summary: 'Raise the first product SSP', baseVersion: base.version, definition })
      .expect(201);
    expect(proposed.body).toMatchObject({ version: next, status: 'proposed' });
    // The proposer is alice's key, carried by the experience API's service key.
    expect(proposed.body.proposedBy).toMatch(
      /^api-key:[0-9a-f-]{36} \(alice\) via api-key:[0-9a-f-]{36} \(experience-finance \(service\)\)$/,
    );

    const own = await request(url)
      .post(`/v1/mappings/versions/${String(next)}/approve`)
      .set('cookie', a.cookie)
      .set('x-csrf-token', a.csrf)
      .send({})
      .expect(403);
    expect(own.body.type).toBe('https://docs.revline.dev/problems/maker-checker');
    expect(own.body.detail).toContain('person:alice');

    const approved = await request(url)
      .post(`/v1/mappings/versions/${String(next)}/approve`)
      .set('cookie', b.cookie)
      .set('x-csrf-token', b.csrf)
      .send({ reason: 'Checked against the price book' })
      .expect(200);
    expect(approved.body).toMatchObject({ version: next, status: 'active' });
    expect(approved.body.decidedBy).toMatch(/\(bob\) via /);

    const audit = await env.q2cEnv.db.dataSource
      .getRepository(AuditLogEntity)
      .find({ where: [{ action: 'mapping.propose' }, { action: 'mapping.approve' }], order: { id: 'ASC' } });
    const carried = audit.filter((row) => row.actor.includes(' via '));
    expect(carried.map((row) => [row.action, row.actor.replace(/[0-9a-f-]{36}/g, 'K')])).toEqual([
      ['mapping.propose', 'api-key:K (alice) via api-key:K (experience-finance (service))'],
      ['mapping.approve', 'api-key:K (bob) via api-key:K (experience-finance (service))'],
    ]);

    const versions = await request(url).get('/v1/mappings/versions').set('cookie', b.cookie).expect(200);
    expect(
      versions.body.slice(0, 2).map((v: { version: number; status: string }) => [v.version, v.status]),
    ).toEqual([
      [next, 'active'],
      [base.version, 'superseded'],
    ]);
    const diff = await request(url)
      .get('/v1/mappings/diff')
      .query({ from: base.version, to: next })
      .set('cookie', b.cookie)
      .expect(200);
    expect(diff.body).toEqual({
      from: base.version,
      to: next,
      added: [],
      removed: [],
      changed: [
        expect.objectContaining({
          section: 'productCatalogue',
          key: first.productCode,
          before: first,
          after: { ...first, ssp: '123.45' },
          fields: ['ssp'],
        }),
      ],
    });
    await request(url).get('/v1/mappings/diff?from=1&to=999').set('cookie', b.cookie).expect(404);
    await request(url).get('/v1/mappings/diff?from=0&to=2').set('cookie', b.cookie).expect(400);
    await request(url).get('/v1/mappings/diff?from=1').set('cookie', b.cookie).expect(400);
  });

  it('refuses the mapping routes to a finance operator, here and in process-q2c', async () => {
    await request(url).get('/v1/mappings/versions').set(bearer(env.operator)).expect(403);
    // A key that is not a service key may not name another key to act for.
    await request(env.q2cEnv.q2c.url)
      .get('/v1/contracts')
      .set(bearer(alice))
      .set('x-revline-acting-key', '6f1c1e3a-6b1d-4b8e-9a59-0c7b2f1d9e10')
      .expect(403);
  });

  it('validates an order through the experience API', async () => {
    const res = await request(url).post('/v1/orders/validate').set(bearer(env.viewer)).send({}).expect(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.mappingVersion).toBeGreaterThanOrEqual(1);
    // A chosen version is passed through to process-q2c and named in the answer; an unknown one is its 404 problem.
    const chosen = await request(url)
      .post('/v1/orders/validate')
      .query({ mappingVersion: res.body.mappingVersion as number })
      .set(bearer(env.viewer))
      .send({})
      .expect(200);
    expect(chosen.body.mappingVersion).toBe(res.body.mappingVersion);
    const unknown = await request(url)
      .post('/v1/orders/validate?mappingVersion=9999')
      .set(bearer(env.viewer))
      .send({})
      .expect(404);
    expect(unknown.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(unknown.body.detail).toBe('Mapping version 9999 does not exist');
    await request(url)
      .post('/v1/orders/validate?mappingVersion=two')
      .set(bearer(env.viewer))
      .send({})
      .expect(400);
  });

  it('answers an overview whose every count is the size of the list it links to', async () => {
    const res = await request(url).get('/v1/overview?at=2026-03-15').set(bearer(env.viewer)).expect(200);
    const body = res.body as {
      syncHealth: Record<'inFlight' | 'parked' | 'failed', number>;
      exceptionsByCategory: Array<{ category: string; open: number; ageBuckets: Record<string, number> }>;
      sla: object;
      lastRuns: unknown[];
      readiness: Array<{ period: string; ready: boolean; reasons: string[] }>;
    };
    for (const [key, status] of [
      ['inFlight', 'in_flight'],
      ['parked', 'parked'],
      ['failed', 'failed'],
    ] as const)
      expect(body.syncHealth[key]).toBe((await all('/v1/contracts', { status })).length);
    const buckets: Record<string, Record<string, number>> = {
      lt1h: { maxAgeMinutes: 60 },
      lt24h: { minAgeMinutes: 60, maxAgeMinutes: 1440 },
      lt7d: { minAgeMinutes: 1440, maxAgeMinutes: 10080 },
      gte7d: { minAgeMinutes: 10080 },
    };
    for (const row of body.exceptionsByCategory) {
      expect(row.open).toBe((await all('/v1/exceptions', { status: 'open', category: row.category })).length);
      for (const [bucket, filter] of Object.entries(buckets))
        expect(row.ageBuckets[bucket]).toBe(
          (await all('/v1/exceptions', { status: 'open', category: row.category, ...filter })).length,
        );
    }
    expect(body.exceptionsByCategory.find((row) => row.category === 'unmapped_product')).toMatchObject({
      open: 2,
      ageBuckets: { lt1h: 2, lt24h: 0, lt7d: 0, gte7d: 0 },
    });
    const sla = await request(url)
      .get('/v1/sla?from=2026-03-01&to=2026-03-15')
      .set(bearer(env.viewer))
      .expect(200);
    expect(body.sla).toEqual(sla.body);
    expect(body.readiness.map((r) => r.period)).toEqual(['2026-03', '2026-02']);
    const readiness = await request(url)
      .get('/v1/close/2026-02/readiness')
      .set(bearer(env.viewer))
      .expect(200);
    expect(body.readiness[1]).toEqual({
      period: '2026-02',
      ready: readiness.body.ready,
      reasons: readiness.body.reasons,
    });
    // The run started above is each checkpoint's latest whole-book run.
    const checkpoints = ['salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage'];
    expect(body.lastRuns).toEqual(
      checkpoints.map((checkpoint): unknown =>
        expect.objectContaining({ checkpoint, runId, status: 'completed', breaks: expect.any(Number) }),
      ),
    );
    await request(url).get('/v1/overview?at=2026-3-1').set(bearer(env.viewer)).expect(400);
  });

  it('filters exceptions by the system they arose with', async () => {
    const fromSalesforce = await all<{ category: string; queue: string; system: string }>('/v1/exceptions', {
      status: 'open',
      system: 'salesforce',
    });
    expect(fromSalesforce.filter((e) => e.category === 'unmapped_product')).toHaveLength(2);
    for (const e of fromSalesforce)
      expect([e.system, e.queue.startsWith('crm.')]).toEqual(['salesforce', true]);
    const fromErp = await all<{ system: string }>('/v1/exceptions', { status: 'open', system: 'erp' });
    expect(fromErp.every((e) => e.system === 'erp')).toBe(true);
    await request(url).get('/v1/exceptions?system=netsuite').set(bearer(env.viewer)).expect(400);
  });

  it("links lineage hops to the vendors' own UIs when their base URLs are configured", async () => {
    const plain = await request(url)
      .get(`/v1/contracts/${orderId}/lineage`)
      .set(bearer(env.viewer))
      .expect(200);
    const hops = (
      body: unknown,
    ): Array<{ system: string; objectType: string; externalId: string; vendorUrl: string | null }> =>
      (
        body as {
          changes: Array<{
            hops: Array<{ system: string; objectType: string; externalId: string; vendorUrl: string | null }>;
          }>;
        }
      ).changes.flatMap((c) => c.hops);
    expect(hops(plain.body).every((hop) => hop.vendorUrl === null)).toBe(true);
    const linked = await env.another({
      SALESFORCE_UI_BASE_URL: 'https://acme.lightning.force.com',
      STRIPE_DASHBOARD_URL: 'https://dashboard.stripe.com/test',
      NETSUITE_UI_BASE_URL: 'https://1234567.app.netsuite.com',
    });
    const res = await request(linked.url)
      .get(`/v1/contracts/${orderId}/lineage`)
      .set(bearer(env.viewer))
      .expect(200);
    const order = hops(res.body).find((hop) => hop.system === 'salesforce' && hop.objectType === 'Order');
    expect(order?.vendorUrl).toBe(`https://acme.lightning.force.com/lightning/r/Order/${orderId}/view`);
    const billing = hops(res.body).filter((hop) => hop.system === 'billing' && hop.vendorUrl !== null);
    expect(billing.length).toBeGreaterThan(0);
    for (const hop of billing)
      expect(hop.vendorUrl).toMatch(
        /^https:\/\/dashboard\.stripe\.com\/test\/(customers|subscriptions|invoices)\//,
      );
    expect(
      hops(res.body)
        .filter((hop) => hop.system === 'revline')
        .every((hop) => hop.vendorUrl === null),
    ).toBe(true);
  });

  it("answers the contract's revenue schedule versions with money in its currency", async () => {
    const res = await request(url)
      .get(`/v1/contracts/${orderId}/revenue-schedules`)
      .set(bearer(env.viewer))
      .expect(200);
    const versions = res.body as Array<{
      version: number;
      cause: string;
      treatment: string;
      eventId: string | null;
      createdAt: string | null;
      currency: string;
      total: { amountMinor: string; currency: string; display: string };
      lines: Array<{ period: string; amount: { amountMinor: string; currency: string; display: string } }>;
    }>;
    expect(versions).toHaveLength(1);
    const [booking] = versions;
    expect(booking).toMatchObject({ version: 1, cause: 'booking', treatment: 'booking', currency: 'USD' });
    expect(booking.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(booking.createdAt).not.toBeNull();
    expect(booking.lines.map((l) => l.period)).toContain('2026-01');
    const sum = booking.lines.reduce((total, line) => total + BigInt(line.amount.amountMinor), 0n);
    expect(booking.total.amountMinor).toBe(sum.toString());
    expect(sum).toBeGreaterThan(0n);
    expect(booking.total.display).toMatch(/^[\d,]+\.\d{2} USD$/);
    await request(url)
      .get('/v1/contracts/801XX0000000000/revenue-schedules')
      .set(bearer(env.viewer))
      .expect(404);
  });

  it('documents the console routes in the OpenAPI document, with their summaries and error shapes', async () => {
    const res = await request(url).get('/docs/openapi.json').expect(200);
    const paths = res.body.paths as Record<
      string,
      | Record<string, { summary?: string; description?: string; responses: Record<string, unknown> }>
      | undefined
    >;
    const routes: Array<[string, string, string[]]> = [
      ['/v1/session', 'post', ['201', '400', '401']],
      ['/v1/session', 'get', ['200', '401']],
      ['/v1/session', 'delete', ['204', '403']],
      ['/v1/overview', 'get', ['200', '401', '403', '502', '503']],
      ['/v1/contracts/{contractId}/revenue-schedules', 'get', ['200', '404', '401', '403', '502', '503']],
      ['/v1/mappings/versions', 'get', ['200', '401', '403', '502', '503']],
      ['/v1/mappings/versions', 'post', ['201', '400', '409', '401', '403', '502', '503']],
      ['/v1/mappings/versions/{version}', 'get', ['200', '404', '401', '403']],
      ['/v1/mappings/versions/{version}/approve', 'post', ['200', '403', '404', '409']],
      ['/v1/mappings/versions/{version}/reject', 'post', ['200', '404', '409']],
      ['/v1/mappings/diff', 'get', ['200', '400', '404']],
      ['/v1/orders/validate', 'post', ['200', '404', '409', '401', '403', '502', '503']],
    ];
    for (const [path, method, statuses] of routes) {
      const operation = paths[path]?.[method];
      if (!operation) throw new Error(`${method} ${path} is not documented`);
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
      expect(operation.description, `${method} ${path}`).toBeTruthy();
      for (const status of statuses)
        expect(operation.responses, `${method} ${path} ${status}`).toHaveProperty(status);
    }
  });
});
