import { bearer, eventually } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperienceEnv } from './experience-env';
import { startExperienceEnv } from './experience-env';
import { G1_MONTHS } from '../support/golden';

interface SaveResult {
  id?: string;
  success: boolean;
}

interface ExceptionBody {
  id: string;
  category: string;
  status: string;
  contractId: string | null;
  firstSeenAt: string;
}

const idOf = (result: SaveResult | SaveResult[]): string => {
  const one = Array.isArray(result) ? result.at(0) : result;
  if (!one?.success || !one.id) throw new Error(`save failed: ${JSON.stringify(result)}`);
  return one.id;
};

/**
 * experience-finance in front of a real process-q2c (with the three system APIs and the sandboxes), G1 booked
 * through Salesforce and two orders for an unmapped product parked as exceptions: every finance route over HTTP.
 */
describe('experience-finance over process-q2c', () => {
  let env: ExperienceEnv;
  let url: string;
  let viewer: string;
  let operator: string;
  let orderId: string;
  let parked: ExceptionBody[];
  let refusedOrders: string[];
  const parkedId = (i: number): string => parked.at(i)?.id ?? '';

  const unmappedOrder = async (): Promise<string> => {
    const { sales, catalogue } = env.q2cEnv;
    const id = idOf(
      await sales.sobject('Order').create({
        AccountId: catalogue.accountId,
        Pricebook2Id: catalogue.pricebookId,
        EffectiveDate: '2026-01-01',
        EndDate: '2026-12-31',
        Status: 'Draft',
      }),
    );
    idOf(
      await sales.sobject('OrderItem').create({
        OrderId: id,
        PricebookEntryId: catalogue.analyticsEntryId,
        Quantity: 2,
        UnitPrice: 3000,
      }),
    );
    await sales.sobject('Order').update({ Id: id, Status: 'Activated' });
    return id;
  };

  beforeAll(async () => {
    env = await startExperienceEnv();
    ({ viewer, operator } = env);
    url = env.experience.url;
    // Billed on the term's first day (a Stripe test clock), not on the day the suite runs.
    await env.q2cEnv.customerOnTestClock('2026-01-01T00:00:00Z');
    ({ orderId } = await env.q2cEnv.bookG1());
    refusedOrders = [await unmappedOrder(), await unmappedOrder()].sort();
    parked = await eventually(async () => {
      const res = await request(url)
        .get('/v1/exceptions')
        .query({ category: 'unmapped_product', status: 'open' })
        .set(bearer(viewer));
      const body = res.body as { items: ExceptionBody[] };
      return res.status === 200 && body.items.length === 2 ? body.items : undefined;
    }, 30_000).then((found) => found ?? []);
    await env.q2cEnv.settle();
  }, 240_000);

  afterAll(async () => {
    await env.close();
  });

  describe('contracts', () => {
    it('lists G1 in sync and the refused orders as parked, filtered by status and customer, paged by cursor', async () => {
      const res = await request(url).get('/v1/contracts?status=in_sync').set(bearer(viewer)).expect(200);
      expect(res.body).toEqual({
        items: [
          expect.objectContaining({
            contractId: orderId,
            customer: env.q2cEnv.catalogue.accountId,
            currency: 'USD',
            termStart: '2026-01-01',
            termEnd: '2026-12-31',
            contractStatus: 'active',
            lifecycleStatus: 'in_sync',
            changes: 1,
            completed: 1,
            inFlight: 0,
            parked: 0,
          }),
        ],
        nextCursor: null,
      });
      const failedOnly = await request(url)
        .get('/v1/contracts?status=failed')
        .set(bearer(viewer))
        .expect(200);
      expect(failedOnly.body.items).toEqual([]);
      const other = await request(url)
        .get('/v1/contracts?customer=001XX0000000000')
        .set(bearer(viewer))
        .expect(200);
      expect(other.body.items).toEqual([]);
      const since = await request(url)
        .get('/v1/contracts')
        .query({ updatedSince: '2099-01-01T00:00:00Z' })
        .set(bearer(viewer))
        .expect(200);
      expect(since.body.items).toEqual([]);
      // The two orders refused for their unmapped product are not hidden: not booked, parked, with a lifecycle.
      const parkedOnly = await request(url)
        .get('/v1/contracts?status=parked')
        .set(bearer(viewer))
        .expect(200);
      expect(parkedOnly.body.items).toEqual(
        refusedOrders.map((contractId): unknown =>
          expect.objectContaining({
            contractId,
            customer: env.q2cEnv.catalogue.accountId,
            contractStatus: 'not_booked',
            lifecycleStatus: 'parked',
            parked: 1,
          }),
        ),
      );
      const refused = await request(url)
        .get(`/v1/contracts/${refusedOrders[0] ?? ''}/lifecycle`)
        .set(bearer(viewer))
        .expect(200);
      expect(refused.body.changes).toEqual([
        expect.objectContaining({
          sagaId: null,
          kind: 'booking',
          status: 'parked',
          step: 'normalise',
          lastError: expect.stringContaining('is not in the product catalogue') as string,
        }),
      ]);
      // Paged one by one, every contract comes once.
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const next = await request(url)
          .get('/v1/contracts')
          .query({ limit: 1, ...(cursor ? { cursor } : {}) })
          .set(bearer(viewer))
          .expect(200);
        const body = next.body as { items: Array<{ contractId: string }>; nextCursor: string | null };
        expect(body.items).toHaveLength(1);
        seen.push(...body.items.map((c) => c.contractId));
        cursor = body.nextCursor;
      } while (cursor && seen.length < 10);
      expect(seen.sort()).toEqual([orderId, ...refusedOrders].sort());
    });

    it('refuses bad filters with 400 naming the field (checked here, and by process-q2c for the cursor)', async () => {
      const status = await request(url).get('/v1/contracts?status=green').set(bearer(viewer)).expect(400);
      expect(status.headers['content-type']).toContain('application/problem+json');
      expect(status.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
      const since = await request(url)
        .get('/v1/contracts?updatedSince=yesterday')
        .set(bearer(viewer))
        .expect(400);
      expect(since.body.errors).toEqual([expect.objectContaining({ field: 'updatedSince' })]);
      await request(url).get('/v1/contracts?limit=0').set(bearer(viewer)).expect(400);
      await request(url).get('/v1/contracts?colour=red').set(bearer(viewer)).expect(400);
      const cursor = await request(url).get('/v1/contracts?cursor=not-ours!').set(bearer(viewer)).expect(400);
      expect(cursor.body.detail).toBe('cursor is not one this API returned');
    });

    it('shows the booking done in Salesforce, billing and the ERP', async () => {
      const res = await request(url)
        .get(`/v1/contracts/${orderId}/lifecycle`)
        .set(bearer(viewer))
        .expect(200);
      expect(res.body.contract).toMatchObject({ contractId: orderId, lifecycleStatus: 'in_sync' });
      expect(res.body.changes).toHaveLength(1);
      const [change] = res.body.changes;
      expect(change).toMatchObject({ kind: 'booking', status: 'completed', step: 'done', lastError: null });
      for (const system of ['salesforce', 'billing', 'erp']) {
        expect(change[system].status).toBe('done');
        expect(change[system].commandsSent).toBeGreaterThan(0);
        expect(change[system].commandsConfirmed).toBe(change[system].commandsSent);
      }
      expect(change.erp.lastHop).toMatchObject({ status: 'posted' });
      // The ERP: customer, invoice and the revenue schedule; no journal, revenue is posted at period close.
      expect(change.erp.commandsSent).toBe(3);
    });

    it('tells the lineage of the contract as a timeline', async () => {
      const res = await request(url).get(`/v1/contracts/${orderId}/lineage`).set(bearer(viewer)).expect(200);
      expect(res.body.contractId).toBe(orderId);
      const hops = res.body.changes[0].hops as Array<{
        system: string;
        objectType: string;
        status: string;
        occurredAt: string;
      }>;
      const story = hops.map((h) => `${h.system}:${h.objectType}:${h.status}`);
      expect(story).toEqual(
        expect.arrayContaining([
          'salesforce:Order:captured',
          'billing:Invoice:issued',
          'revline:Saga:completed',
        ]),
      );
      const times = hops.map((h) => h.occurredAt);
      expect([...times].sort()).toEqual(times);
    });

    it("404s an unknown contract with the process detail and the caller's correlation id", async () => {
      const res = await request(url)
        .get('/v1/contracts/801XX0000000000/lifecycle')
        .set(bearer(viewer))
        .set('x-correlation-id', 'exp-404-lifecycle')
        .expect(404);
      expect(res.body).toMatchObject({
        status: 404,
        detail: 'Contract 801XX0000000000 is not known to Revline',
        correlationId: 'exp-404-lifecycle',
      });
      await request(url).get('/v1/contracts/801XX0000000000/lineage').set(bearer(viewer)).expect(404);
    });
  });

  describe('exceptions workbench', () => {
    it('filters by category, status, age, contract and month', async () => {
      const month = parked[0]?.firstSeenAt.slice(0, 7) ?? '';
      const inMonth = await request(url)
        .get(`/v1/exceptions?period=${month}&category=unmapped_product`)
        .set(bearer(viewer))
        .expect(200);
      expect((inMonth.body as { items: ExceptionBody[] }).items.map((e) => e.id).sort()).toEqual(
        parked.map((e) => e.id).sort(),
      );
      const none = { items: [], nextCursor: null };
      const before = await request(url).get('/v1/exceptions?period=2020-01').set(bearer(viewer)).expect(200);
      expect(before.body).toEqual(none);
      const old = await request(url).get('/v1/exceptions?minAgeMinutes=600').set(bearer(viewer)).expect(200);
      expect(old.body).toEqual(none);
      const other = await request(url)
        .get('/v1/exceptions?category=customer_mismatch')
        .set(bearer(viewer))
        .expect(200);
      expect(other.body).toEqual(none);
      // Paged by cursor through the experience API: one per page, none lost or repeated.
      const first = await request(url).get('/v1/exceptions?limit=1').set(bearer(viewer)).expect(200);
      const second = await request(url)
        .get('/v1/exceptions')
        .query({ limit: 1, cursor: first.body.nextCursor as string })
        .set(bearer(viewer))
        .expect(200);
      expect([...first.body.items, ...second.body.items].map((e: ExceptionBody) => e.id)).toEqual(
        [...parked].map((e) => e.id),
      );
      expect(second.body.nextCursor).toBeNull();
      const badCursor = await request(url).get('/v1/exceptions?cursor=abc').set(bearer(viewer)).expect(400);
      expect(badCursor.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
      const one = await request(url)
        .get(`/v1/exceptions/${parkedId(0)}`)
        .set(bearer(viewer))
        .expect(200);
      expect(one.body).toMatchObject({ id: parkedId(0), category: 'unmapped_product' });
    });

    it('refuses bad filters and ids with 400, unknown ids with 404', async () => {
      const period = await request(url).get('/v1/exceptions?period=2026-13').set(bearer(viewer)).expect(400);
      expect(period.body.errors).toEqual([expect.objectContaining({ field: 'period' })]);
      await request(url).get('/v1/exceptions?status=stuck').set(bearer(viewer)).expect(400);
      await request(url).get('/v1/exceptions?minAgeMinutes=-1').set(bearer(viewer)).expect(400);
      await request(url).get('/v1/exceptions/not-a-uuid').set(bearer(viewer)).expect(400);
      const unknown = randomUUID();
      const res = await request(url).get(`/v1/exceptions/${unknown}`).set(bearer(viewer)).expect(404);
      expect(res.body.detail).toBe(`Exception ${unknown} does not exist`);
      await request(url).post(`/v1/exceptions/${unknown}/retry`).set(bearer(operator)).expect(404);
      await request(url)
        .post(`/v1/exceptions/${unknown}/resolve`)
        .set(bearer(operator))
        .send({ reason: 'no such thing' })
        .expect(404);
    });

    it('lets a viewer read but not retry, resolve or start a run (403); no key is 401', async () => {
      const id = parkedId(0);
      const retry = await request(url).post(`/v1/exceptions/${id}/retry`).set(bearer(viewer)).expect(403);
      expect(retry.body.detail).toContain('finance.operator');
      await request(url)
        .post('/v1/exceptions/retry')
        .set(bearer(viewer))
        .send({ ids: [id] })
        .expect(403);
      await request(url)
        .post(`/v1/exceptions/${id}/resolve`)
        .set(bearer(viewer))
        .send({ reason: 'viewer tries' })
        .expect(403);
      await request(url).post('/v1/reconciliation-runs').set(bearer(viewer)).send({}).expect(403);
      await request(url).get('/v1/exceptions').expect(401);
      const still = await request(url).get(`/v1/exceptions/${id}`).set(bearer(viewer)).expect(200);
      expect(still.body.status).toBe('open');
    });

    it("resolves with a reason, audited once as the person under the caller's correlation id; twice is 409", async () => {
      const id = parkedId(0);
      await request(url)
        .post(`/v1/exceptions/${id}/resolve`)
        .set(bearer(operator))
        .send({ reason: 'no' })
        .expect(400);
      await request(url).post(`/v1/exceptions/${id}/resolve`).set(bearer(operator)).send({}).expect(400);
      const res = await request(url)
        .post(`/v1/exceptions/${id}/resolve`)
        .set(bearer(operator))
        .set('x-correlation-id', 'exp-resolve-1')
        .send({ reason: 'Analytics is sold by hand this quarter' })
        .expect(200);
      expect(res.body).toMatchObject({
        id,
        status: 'resolved',
        resolution: 'Analytics is sold by hand this quarter',
      });
      const audit = await env.q2cEnv.db.dataSource.query<Array<{ actor: string; action: string }>>(
        `SELECT "actor", "action" FROM "platform"."audit_log" WHERE "correlation_id" = 'exp-resolve-1' ORDER BY "id"`,
      );
      // Audited once, by process-q2c, as the person's key carried by the experience API's service key.
      expect(audit).toEqual([
        {
          actor: expect.stringMatching(/\(close team\) via api-key:\S+ \(experience-finance \(service\)\)$/),
          action: 'exception.resolve',
        },
      ]);
      expect((res.body as { history: unknown[] }).history).toEqual([
        expect.objectContaining({
          actor: audit[0]?.actor,
          action: 'exception.resolve',
          note: 'Analytics is sold by hand this quarter',
        }),
      ]);
      const again = await request(url)
        .post(`/v1/exceptions/${id}/resolve`)
        .set(bearer(operator))
        .send({ reason: 'again please' })
        .expect(409);
      expect(again.body.detail).toContain('already resolved');
    });

    it('retries one and in bulk, audited once per exception sent back, as the person', async () => {
      const one = await request(url)
        .post(`/v1/exceptions/${parkedId(1)}/retry`)
        .set(bearer(operator))
        .set('x-correlation-id', 'exp-retry-1')
        .expect(200);
      expect(one.body).toEqual({ id: parkedId(1), outcome: 'retrying' });
      const bulk = await request(url)
        .post('/v1/exceptions/retry')
        .set(bearer(operator))
        .set('x-correlation-id', 'exp-retry-2')
        .send({ ids: [parkedId(0), parkedId(1)] })
        .expect(200);
      expect(bulk.body).toEqual([
        expect.objectContaining({ id: parkedId(0), outcome: 'skipped' }),
        expect.objectContaining({ id: parkedId(1) }),
      ]);
      const audit = await env.q2cEnv.db.dataSource.query<Array<{ target: string }>>(
        `SELECT "target" FROM "platform"."audit_log" WHERE "correlation_id" = 'exp-retry-2' AND "actor" LIKE '%(close team)%' ORDER BY "id"`,
      );
      // Audited by process-q2c as the person, once per exception actually sent back (a skipped one changed nothing).
      const retried = (bulk.body as Array<{ id: string; outcome: string }>)
        .filter((o) => o.outcome === 'retrying')
        .map((o) => `exception:${o.id}`);
      expect(audit.map((a) => a.target)).toEqual(retried);
      const once = await env.q2cEnv.db.dataSource.query<Array<{ actor: string }>>(
        `SELECT "actor" FROM "platform"."audit_log" WHERE "correlation_id" = 'exp-retry-1' AND "action" = 'exception.retry'`,
      );
      expect(once).toEqual([{ actor: expect.stringMatching(/\(close team\) via api-key:/) }]);
      await request(url)
        .post('/v1/exceptions/retry')
        .set(bearer(operator))
        .send({ ids: ['x'] })
        .expect(400);
      await request(url).post('/v1/exceptions/retry').set(bearer(operator)).send({ ids: [] }).expect(400);
    });
  });

  describe('revenue waterfall', () => {
    it('rolls G1 forward: January recognised 1,019.18, deferred 10,980.82 at its end, nothing at year end', async () => {
      const res = await request(url)
        .get('/v1/revenue/waterfall')
        .query({ from: '2026-01', to: '2026-12', contractId: orderId })
        .set(bearer(viewer))
        .expect(200);
      expect(res.body).toMatchObject({ from: '2026-01', to: '2026-12', contracts: 1 });
      const [usd] = res.body.currencies;
      expect(usd).toMatchObject({
        currency: 'USD',
        openingDeferredMinor: '0',
        openingUnbilledMinor: '0',
        billedMinor: '1200000',
        recognisedMinor: '1200000',
        closingDeferredMinor: '0',
        closingUnbilledMinor: '0',
      });
      expect(usd.months[0]).toEqual({
        period: '2026-01',
        openingDeferredMinor: '0',
        openingUnbilledMinor: '0',
        billedMinor: '1200000',
        recognisedMinor: '101918',
        closingDeferredMinor: '1098082',
        closingUnbilledMinor: '0',
      });
      expect(usd.months.map((m: { recognisedMinor: string }) => m.recognisedMinor)).toEqual(G1_MONTHS);
      expect(usd.months[1]).toMatchObject({
        openingDeferredMinor: '1098082',
        billedMinor: '0',
        closingDeferredMinor: '1006027',
      });
      const later = await request(url)
        .get('/v1/revenue/waterfall?from=2026-02&to=2026-03')
        .set(bearer(viewer))
        .expect(200);
      expect(later.body.currencies[0]).toMatchObject({
        openingDeferredMinor: '1098082',
        closingDeferredMinor: '904110',
      });
    });

    it('streams the same figures as CSV', async () => {
      const res = await request(url)
        .get('/v1/revenue/waterfall')
        .query({ from: '2026-01', to: '2026-02', contractId: orderId, format: 'csv' })
        .set(bearer(viewer))
        .expect(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain('revenue-waterfall-2026-01-2026-02.csv');
      expect(res.text.split('\r\n')).toEqual([
        '\uFEFFcurrency,period,opening_deferred,opening_unbilled,billed,recognised,closing_deferred,closing_unbilled,opening_deferred_minor,opening_unbilled_minor,billed_minor,recognised_minor,closing_deferred_minor,closing_unbilled_minor,posted_to_erp,posted_to_erp_minor',
        'USD,"=""2026-01""",0.00,0.00,12000.00,1019.18,10980.82,0.00,0,0,1200000,101918,1098082,0,,',
        'USD,"=""2026-02""",10980.82,0.00,0.00,920.55,10060.27,0.00,1098082,0,0,92055,1006027,0,,',
        '',
      ]);
      const accepted = await request(url)
        .get('/v1/revenue/waterfall?from=2026-01&to=2026-01')
        .set(bearer(viewer))
        .set('accept', 'text/csv')
        .expect(200);
      expect(accepted.text).toContain('USD,"=""2026-01""",0.00,0.00,12000.00,1019.18,10980.82,0.00');
    });

    it('refuses bad periods with 400', async () => {
      const month = await request(url)
        .get('/v1/revenue/waterfall?from=2026-13&to=2026-12')
        .set(bearer(viewer))
        .expect(400);
      expect(month.body.errors).toEqual([expect.objectContaining({ field: 'from' })]);
      await request(url).get('/v1/revenue/waterfall?from=2026-01').set(bearer(viewer)).expect(400);
      const reversed = await request(url)
        .get('/v1/revenue/waterfall?from=2026-12&to=2026-01')
        .set(bearer(viewer))
        .expect(400);
      expect(reversed.body.detail).toBe('to (2026-01) is before from (2026-12)');
      await request(url).get('/v1/revenue/waterfall?from=2000-01&to=2026-01').set(bearer(viewer)).expect(400);
      await request(url)
        .get('/v1/revenue/waterfall?from=2026-01&to=2026-02&format=xml')
        .set(bearer(viewer))
        .expect(400);
    });
  });

  describe('SLA figures', () => {
    it('gives the sync latency percentiles and the exceptions by category', async () => {
      // The day the booking and the parked exceptions happened on (not today's date: the suite may straddle midnight).
      const days = parked.map((e) => e.firstSeenAt.slice(0, 10)).sort();
      const res = await request(url)
        .get('/v1/sla')
        .query({ from: days.at(0), to: days.at(-1) })
        .set(bearer(viewer))
        .expect(200);
      const [all, booking] = res.body.syncLatency;
      expect(all).toMatchObject({ kind: 'all', count: 1 });
      expect(booking).toMatchObject({ kind: 'booking', count: 1 });
      expect(all.p50Seconds).toBeGreaterThan(0);
      expect(all.p50Seconds).toBeLessThanOrEqual(all.p99Seconds);
      expect(res.body.exceptions).toEqual([
        expect.objectContaining({ category: 'unmapped_product', opened: 2, resolved: 1, aged: 0 }),
      ]);
      expect(res.body.exceptionTotals).toMatchObject({ category: 'all', opened: 2, resolved: 1 });
      expect(res.body.breaksUnavailable).toBeNull();
      expect(res.body.breaks).toMatchObject({
        opened: expect.any(Number),
        autoClosed: expect.any(Number),
        open: expect.any(Number),
      });
      const none = await request(url)
        .get('/v1/sla?from=2020-01-01&to=2020-01-31')
        .set(bearer(viewer))
        .expect(200);
      expect(none.body.syncLatency).toEqual([
        { kind: 'all', count: 0, p50Seconds: null, p90Seconds: null, p99Seconds: null },
      ]);
    });

    it('refuses bad dates with 400', async () => {
      await request(url).get('/v1/sla?from=2026-03&to=2026-03-31').set(bearer(viewer)).expect(400);
      await request(url).get('/v1/sla?from=2026-02-30&to=2026-03-31').set(bearer(viewer)).expect(400);
      await request(url).get('/v1/sla?from=2026-03-31&to=2026-03-01').set(bearer(viewer)).expect(400);
    });
  });

  describe('reconciliation and close', () => {
    it('starts a run as an operator (audited), lists it, shows it and its breaks as JSON and CSV', async () => {
      const started = await request(url)
        .post('/v1/reconciliation-runs')
        .set(bearer(operator))
        .set('x-correlation-id', 'exp-recon-1')
        .send({ scope: 'lineage', period: '2026-01' })
        .expect(202);
      const runId = started.body.runId as string;
      expect(started.body).toMatchObject({
        scope: 'lineage',
        period: '2026-01',
        trigger: 'on_demand',
        contractId: null,
        customerId: null,
      });
      const audit = await env.q2cEnv.db.dataSource.query<Array<{ action: string; target: string }>>(
        `SELECT "action", "target" FROM "platform"."audit_log" WHERE "correlation_id" = 'exp-recon-1' AND "actor" LIKE '%(close team)%'`,
      );
      expect(audit).toEqual([{ action: 'reconciliation-run.start', target: `reconciliation-run:${runId}` }]);
      const run = await eventually(async () => {
        const res = await request(url)
          .get(`/v1/reconciliation-runs/${runId}`)
          .set(bearer(viewer))
          .expect(200);
        return res.body.status === 'running' ? undefined : (res.body as { checkpoints: unknown[] });
      }, 30_000);
      expect(run).toMatchObject({ runId, status: 'completed', error: null });
      expect(run?.checkpoints).toEqual([expect.objectContaining({ checkpoint: 'lineage' })]);
      const list = await request(url).get('/v1/reconciliation-runs?limit=10').set(bearer(viewer)).expect(200);
      expect(list.body.items.map((r: { runId: string }) => r.runId)).toContain(runId);
      const breaks = await request(url)
        .get(`/v1/reconciliation-runs/${runId}/breaks`)
        .set(bearer(viewer))
        .expect(200);
      expect(breaks.body).toEqual({ items: expect.any(Array), nextCursor: null });
      const csv = await request(url)
        .get(`/v1/reconciliation-runs/${runId}/breaks?format=csv`)
        .set(bearer(viewer))
        .expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.text.split(/\r?\n/).filter(Boolean);
      expect(lines[0]).toContain('breakId');
      expect(lines).toHaveLength(1 + (breaks.body.items as unknown[]).length);
      const unknown = randomUUID();
      await request(url).get(`/v1/reconciliation-runs/${unknown}`).set(bearer(viewer)).expect(404);
      await request(url).get(`/v1/reconciliation-runs/${unknown}/breaks`).set(bearer(viewer)).expect(404);
      await request(url)
        .get(`/v1/reconciliation-runs/${unknown}/breaks?format=csv`)
        .set(bearer(viewer))
        .expect(404);
    });

    it('lists the breaks open now by customer and contract, with money formatted, in cursor pages', async () => {
      const runId = '01a21ba1-0000-7000-8000-0000000000e1';
      const ids = ['01a21ba1-0000-7000-8000-0000000000b1', '01a21ba1-0000-7000-8000-0000000000b2'];
      await env.q2cEnv.db.dataSource.query(
        `INSERT INTO "q2c"."reconciliation_breaks" ("break_id", "checkpoint", "category", "period", "contract_id",
           "object_type", "object_id", "field", "expected", "actual", "difference", "currency", "customer_id", "unit",
           "expected_source_id", "actual_source_id", "changed_side", "first_run_id", "last_run_id", "status")
         VALUES ($1, 'billing-erp', 'amount_mismatch', '2026-01', 'exp-c1', 'Invoice', 'in_exp1', 'netTotal',
                 '3541650', '3541600', '-50', 'USD', 'cus_exp', 'money', 'in_exp1', 'erp-1', 'actual', $3, $3, 'open'),
                ($2, 'salesforce-billing', 'quantity_mismatch', NULL, 'exp-c2', 'SubscriptionItem', 'si_exp2',
                 'quantity', '10', '12', '2', NULL, 'cus_exp', 'quantity', 'exp-c2', 'si_exp2', 'actual', $3, $3,
                 'open')`,
        [...ids, runId],
      );
      try {
        const first = await request(url)
          .get('/v1/reconciliation-breaks?customerId=cus_exp&limit=1')
          .set(bearer(viewer))
          .expect(200);
        expect(first.body.items).toEqual([
          expect.objectContaining({
            breakId: ids[0],
            period: '2026-01',
            customerId: 'cus_exp',
            unit: 'money',
            sides: {
              expected: { system: 'billing', recordId: 'in_exp1' },
              actual: { system: 'erp', recordId: 'erp-1' },
            },
            changedSide: 'actual',
            money: {
              expected: { amountMinor: '3541650', currency: 'USD', display: '35,416.50 USD' },
              actual: { amountMinor: '3541600', currency: 'USD', display: '35,416.00 USD' },
              difference: { amountMinor: '-50', currency: 'USD', display: '-0.50 USD' },
            },
            quantity: null,
          }),
        ]);
        const second = await request(url)
          .get(`/v1/reconciliation-breaks?customerId=cus_exp&limit=1&cursor=${String(first.body.nextCursor)}`)
          .set(bearer(viewer))
          .expect(200);
        expect(second.body).toEqual({
          items: [
            expect.objectContaining({
              breakId: ids[1],
              money: null,
              quantity: { expected: '10', actual: '12', difference: '2' },
            }),
          ],
          nextCursor: null,
        });
        const byContract = await request(url)
          .get(
            '/v1/reconciliation-breaks?contractId=exp-c2&checkpoint=salesforce-billing&category=quantity_mismatch',
          )
          .set(bearer(viewer))
          .expect(200);
        expect(byContract.body.items.map((b: { breakId: string }) => b.breakId)).toEqual([ids[1]]);
        await request(url).get('/v1/reconciliation-breaks?checkpoint=nope').set(bearer(viewer)).expect(400);
        await request(url).get('/v1/reconciliation-breaks').expect(401);
      } finally {
        await env.q2cEnv.db.dataSource.query(
          `DELETE FROM "q2c"."reconciliation_breaks" WHERE "break_id" = ANY($1)`,
          [ids],
        );
      }
    });

    it('answers close readiness for a month with its reasons', async () => {
      // January's revenue run, started by the close team through this API, posts G1's January (1,019.18).
      const run = await request(url).post('/v1/close/2026-01/revenue-runs').set(bearer(operator)).send({});
      expect(run.status, JSON.stringify(run.body)).toBe(200);
      expect(run.body).toMatchObject({ period: '2026-01', sequence: 1, kind: 'close' });
      await env.q2cEnv.settle();
      const res = await request(url).get('/v1/close/2026-01/readiness').set(bearer(viewer));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      // January's revenue is posted as expected; the parked orders were first seen this month, so they do not
      // touch January, which cannot close only because no reconciliation run of it has completed.
      expect(res.body).toMatchObject({
        period: '2026-01',
        ready: false,
        openExceptions: 0,
        sagasInFlight: 0,
        revenueRun: { runId: run.body.runId, state: 'posted' },
        revenue: [{ currency: 'USD', expectedMinor: '101918', postedMinor: '101918' }],
      });
      expect(res.body.reasons).toEqual(['no reconciliation run of 2026-01 has completed']);
      // The month they were first seen in names them.
      const month = parked[0]?.firstSeenAt.slice(0, 7) ?? '';
      const current = await request(url).get(`/v1/close/${month}/readiness`).set(bearer(viewer)).expect(200);
      expect(current.body).toMatchObject({ period: month, ready: false });
      expect(current.body.openExceptions).toBeGreaterThanOrEqual(1);
      expect(current.body.reasons).toEqual(
        expect.arrayContaining([expect.stringMatching(/^\d+ exception\(s\) open: .*unmapped_product/)]),
      );
    });

    it('validates before calling process-q2c', async () => {
      await request(url)
        .post('/v1/reconciliation-runs')
        .set(bearer(operator))
        .send({ period: '2026-3' })
        .expect(400);
      await request(url)
        .post('/v1/reconciliation-runs')
        .set(bearer(operator))
        .send({ scope: 'everything' })
        .expect(400);
      await request(url).get('/v1/reconciliation-runs/not-a-uuid').set(bearer(viewer)).expect(400);
      await request(url)
        .get(`/v1/reconciliation-runs/${randomUUID()}/breaks?status=maybe`)
        .set(bearer(viewer))
        .expect(400);
      const close = await request(url).get('/v1/close/2026-13/readiness').set(bearer(viewer)).expect(400);
      expect(close.body.errors).toEqual([expect.objectContaining({ field: 'period' })]);
    });
  });

  describe('when process-q2c cannot serve', () => {
    it('answers 503 when it cannot be reached, after retrying reads', async () => {
      const down = await env.another({ PROCESS_Q2C_URL: 'http://127.0.0.1:9', PROCESS_Q2C_RETRIES: '1' });
      const res = await request(down.url).get('/v1/contracts').set(bearer(viewer)).expect(503);
      expect(res.body.detail).toContain('process-q2c cannot be reached at http://127.0.0.1:9');
    });

    it('answers 503 naming PROCESS_Q2C_API_KEY when it has no service key', async () => {
      const keyless = await env.another({ PROCESS_Q2C_API_KEY: undefined });
      const res = await request(keyless.url).get('/v1/contracts').set(bearer(viewer)).expect(503);
      expect(res.body.detail).toContain('PROCESS_Q2C_API_KEY');
    });
  });

  it('documents every finance route in Swagger with a summary, a description and its error shapes', async () => {
    const res = await request(url).get('/docs/openapi.json').expect(200);
    const paths = res.body.paths as Partial<
      Record<
        string,
        Partial<
          Record<string, { summary?: string; description?: string; responses: Record<string, unknown> }>
        >
      >
    >;
    const routes: Array<[string, string]> = [
      ['/v1/contracts', 'get'],
      ['/v1/contracts/{contractId}/lifecycle', 'get'],
      ['/v1/contracts/{contractId}/lineage', 'get'],
      ['/v1/exceptions', 'get'],
      ['/v1/exceptions/{id}', 'get'],
      ['/v1/exceptions/retry', 'post'],
      ['/v1/exceptions/{id}/retry', 'post'],
      ['/v1/exceptions/{id}/resolve', 'post'],
      ['/v1/reconciliation-runs', 'post'],
      ['/v1/reconciliation-runs', 'get'],
      ['/v1/reconciliation-runs/{runId}', 'get'],
      ['/v1/reconciliation-runs/{runId}/breaks', 'get'],
      ['/v1/reconciliation-breaks', 'get'],
      ['/v1/close/{period}/readiness', 'get'],
      ['/v1/revenue/waterfall', 'get'],
      ['/v1/sla', 'get'],
    ];
    for (const [path, method] of routes) {
      const operation = paths[path]?.[method];
      if (!operation) throw new Error(`${method} ${path} is not documented`);
      expect(operation.summary).toBeTruthy();
      expect(operation.description).toBeTruthy();
      const noInput = path.endsWith('/lifecycle') || path.endsWith('/lineage');
      for (const status of [...(noInput ? ['404'] : ['400']), '401', '403', '502', '503'])
        expect(operation.responses, `${method} ${path} ${status}`).toHaveProperty(status);
    }
    expect(res.body.components.schemas.ProblemDetails).toBeDefined();
  });
});
