import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';

/**
 * SLA figures on seeded data: ten bookings completed on 2026-03-10 with sync latencies of 1..10 s (the last ERP
 * posting, not the saga's completion, ends each one), an expansion the day after, and exceptions of two categories,
 * one of them open for two days.
 */
describe('SLA figures (process-q2c)', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let viewer: string;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, { RECONCILIATION_CRON: 'off' });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    await db.dataSource.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at", "data", "completed_at")
       SELECT gen_random_uuid(), gen_random_uuid(), 'booking', '801S' || i, 'completed', 'done', gen_random_uuid()::text,
              '2026-03-10T09:00:00Z'::timestamptz,
              jsonb_build_object('invoices', '[]'::jsonb, 'creditNotes', '[]'::jsonb, 'pending', '[]'::jsonb,
                                 'lastErpPostedAt', to_char(('2026-03-10T09:00:00Z'::timestamptz + make_interval(secs => i)) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')),
              '2026-03-10T09:05:00Z'::timestamptz
         FROM generate_series(1, 10) i`,
    );
    await db.dataSource.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id", "committed_at", "data", "completed_at")
       VALUES (gen_random_uuid(), gen_random_uuid(), 'expansion', '801S1', 'completed', 'done', 'x', '2026-03-11T09:00:00Z',
               '{"invoices":[],"creditNotes":[],"pending":[]}', '2026-03-11T09:00:30Z')`,
    );
    const exception = async (category: string, firstSeenAt: string, status = 'open'): Promise<void> => {
      await db.dataSource.query(
        `INSERT INTO "q2c"."exceptions" ("queue", "job", "idempotency_key", "envelope", "category", "reason", "correlation_id", "status", "first_seen_at", "resolved_at")
         VALUES ('crm.changes', 'crm.record-changed', $1, '{}', $2, 'seeded', 'c', $3, $4, CASE WHEN $3 = 'resolved' THEN $4::timestamptz + interval '1 hour' END)`,
        [randomUUID(), category, status, firstSeenAt],
      );
    };
    await exception('unmapped_product', '2026-03-10T10:00:00Z', 'resolved');
    await exception('unmapped_product', '2026-03-12T10:00:00Z');
    await exception('customer_mismatch', new Date(Date.now() - 48 * 3_600_000).toISOString());
  }, 120_000);

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  it('computes the sync latency percentiles in the window, overall and per kind', async () => {
    const res = await request(q2c.url)
      .get('/v1/sla?from=2026-03-10&to=2026-03-10')
      .set(bearer(viewer))
      .expect(200);
    expect(res.body.syncLatency).toEqual([
      { kind: 'all', count: 10, p50Seconds: 5.5, p90Seconds: 9.1, p99Seconds: 9.91 },
      { kind: 'booking', count: 10, p50Seconds: 5.5, p90Seconds: 9.1, p99Seconds: 9.91 },
    ]);
    const both = await request(q2c.url)
      .get('/v1/sla?from=2026-03-10&to=2026-03-11')
      .set(bearer(viewer))
      .expect(200);
    expect(both.body.syncLatency).toEqual([
      { kind: 'all', count: 11, p50Seconds: 6, p90Seconds: 10, p99Seconds: 28 },
      { kind: 'booking', count: 10, p50Seconds: 5.5, p90Seconds: 9.1, p99Seconds: 9.91 },
      { kind: 'expansion', count: 1, p50Seconds: 30, p90Seconds: 30, p99Seconds: 30 },
    ]);
  });

  it('counts exceptions by category: opened and resolved in the window, open and aged now', async () => {
    const res = await request(q2c.url)
      .get('/v1/sla?from=2026-03-01&to=2026-03-31')
      .set(bearer(viewer))
      .expect(200);
    expect(res.body.exceptions).toEqual([
      { category: 'unmapped_product', opened: 2, resolved: 1, open: 1, aged: 1 },
      { category: 'customer_mismatch', opened: 0, resolved: 0, open: 1, aged: 1 },
    ]);
    expect(res.body.exceptionTotals).toEqual({ category: 'all', opened: 2, resolved: 1, open: 2, aged: 2 });
    const week = await request(q2c.url)
      .get('/v1/sla?from=2026-03-01&to=2026-03-31&agedAfterHours=72')
      .set(bearer(viewer))
      .expect(200);
    expect(week.body.exceptionTotals).toMatchObject({ open: 2, aged: 1 });
  });

  it('refuses bad windows with 400', async () => {
    await request(q2c.url).get('/v1/sla?from=2026-03-10').set(bearer(viewer)).expect(400);
    await request(q2c.url).get('/v1/sla?from=2026-02-29&to=2026-03-10').set(bearer(viewer)).expect(400);
    await request(q2c.url).get('/v1/sla?from=2026-01-01&to=2027-06-01').set(bearer(viewer)).expect(400);
    await request(q2c.url)
      .get('/v1/sla?from=2026-03-01&to=2026-03-31&agedAfterHours=0')
      .set(bearer(viewer))
      .expect(400);
  });
});
