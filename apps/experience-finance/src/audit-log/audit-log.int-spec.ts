import { AuditLog, AuditLogEntity, auditRowHash } from '@revline/auth';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AppModule } from '../app.module';
import { APP } from '../app.info';
import { DATABASE } from '../database';

const ADMIN = 'bootstrap-admin-key-for-audit-tests-01';

describe('the audit log and its verification (experience-finance)', () => {
  let db: TestDatabase;
  let test: TestApp;
  let viewer: string;
  let rows: AuditLogEntity[];

  /** Changes a row the way someone with database access would: past the append-only trigger. */
  const tamper = (sql: string, params: unknown[]): Promise<void> =>
    db.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(sql, params);
    });
  const verify = async () =>
    (await request(test.url).get('/v1/audit-log/verify').set(bearer(ADMIN)).expect(200)).body as Record<
      string,
      unknown
    >;

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    test = await createTestApp(AppModule, APP, { BOOTSTRAP_ADMIN_API_KEY: ADMIN });
    viewer = await seedApiKey(db.dataSource, ['finance.viewer']);
    const audit = test.app.get(AuditLog);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-03-02T09:00:00Z'));
      // Members in an order jsonb does not keep (it sorts by length, then bytes).
      await audit.append({
        actor: 'api-key:aaaa (alice)',
        action: 'mapping.propose',
        target: 'mapping-version:2',
        before: { version: 1, status: 'active' },
        after: { middle: 'x', alpha: { b: 2, a: [1, { y: null, x: 'é' }] }, zeta: 1.5 },
      });
      vi.setSystemTime(new Date('2026-03-03T10:00:00Z'));
      await audit.append({
        actor: 'api-key:bbbb (bob)',
        action: 'mapping.approve',
        target: 'mapping-version:2',
        before: { status: 'proposed' },
        after: { status: 'active', reason: 'checked' },
      });
      vi.setSystemTime(new Date('2026-03-04T11:00:00Z'));
      await audit.append({ actor: 'api-key:aaaa (alice)', action: 'exception.retry', target: 'exception:1' });
    } finally {
      vi.useRealTimers();
    }
    rows = await db.dataSource.getRepository(AuditLogEntity).find({ order: { id: 'ASC' } });
  });

  afterAll(async () => {
    await test.close();
    await db.drop();
  });

  it('verifies rows whose jsonb members Postgres reordered: the hash is over canonical JSON', async () => {
    const [stored] = await db.dataSource.query<Array<{ after: string }>>(
      `SELECT "after"::text AS after FROM platform.audit_log ORDER BY id LIMIT 1`,
    );
    expect(stored.after.startsWith('{"zeta"')).toBe(true);
    expect(await verify()).toEqual({
      intact: true,
      checkedRows: 3,
      legacyRows: 0,
      head: { id: rows[2]?.id, hash: rows[2]?.hash },
      firstBrokenRow: null,
    });
  });

  it('lists rows newest first, filtered by actor, action and time, in cursor pages', async () => {
    const page = async (query: Record<string, string | number>) =>
      (await request(test.url).get('/v1/audit-log').query(query).set(bearer(ADMIN)).expect(200)).body as {
        items: Array<{ id: string; action: string; at: string; hash: string }>;
        nextCursor: string | null;
      };
    const alice = await page({ actor: 'alice' });
    expect(alice.items.map((r) => r.action)).toEqual(['exception.retry', 'mapping.propose']);
    expect(alice.nextCursor).toBeNull();
    expect((await page({ action: 'mapping.approve' })).items).toEqual([
      expect.objectContaining({
        at: '2026-03-03T10:00:00.000Z',
        hash: rows[1]?.hash,
        actor: 'api-key:bbbb (bob)',
      }),
    ]);
    const march3 = await page({ from: '2026-03-03T00:00:00Z', to: '2026-03-04T11:00:00Z' });
    expect(march3.items.map((r) => r.action)).toEqual(['mapping.approve']);
    const first = await page({ limit: 2 });
    expect(first.items.map((r) => r.action)).toEqual(['exception.retry', 'mapping.approve']);
    const second = await page({ limit: 2, cursor: first.nextCursor ?? '' });
    expect(second.items.map((r) => r.action)).toEqual(['mapping.propose']);
    expect(second.nextCursor).toBeNull();
    const bad = await request(test.url)
      .get('/v1/audit-log')
      .query({ cursor: 'nope' })
      .set(bearer(ADMIN))
      .expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    await request(test.url).get('/v1/audit-log').query({ from: 'yesterday' }).set(bearer(ADMIN)).expect(400);
  });

  it('is for admins only', async () => {
    await request(test.url).get('/v1/audit-log').set(bearer(viewer)).expect(403);
    await request(test.url).get('/v1/audit-log/verify').set(bearer(viewer)).expect(403);
    await request(test.url).get('/v1/audit-log/verify').expect(401);
  });

  it('exports the head hash at each write as a metric', async () => {
    const created = await request(test.url)
      .post('/v1/api-keys')
      .set(bearer(ADMIN))
      .send({ name: 'head check', roles: ['finance.viewer'] })
      .expect(201);
    const head = await db.dataSource
      .getRepository(AuditLogEntity)
      .findOneByOrFail({ target: (created.body as { apiKey: { id: string } }).apiKey.id });
    const metrics = await request(test.url).get('/metrics').set(bearer(ADMIN)).expect(200);
    expect(metrics.text).toContain(`revline_audit_log_head{hash="${head.hash}"} ${head.id}`);
    expect(metrics.text).not.toContain(`revline_audit_log_head{hash="${rows[2]?.hash}"}`);
  });

  it('announces no head for an action whose transaction rolled back', async () => {
    const before = await request(test.url).get('/metrics').set(bearer(ADMIN)).expect(200);
    const head = /revline_audit_log_head\{hash="([0-9a-f]{64})"\} (\d+)/.exec(before.text)?.[0];
    expect(head).toBeDefined();
    let written = '';
    await expect(
      test.app.get(DataSource).transaction(async (manager) => {
        written = (
          await test.app.get(AuditLog).append({ actor: 'x', action: 'doomed', target: 't' }, manager)
        ).hash;
        throw new Error('the action failed after its audit row');
      }),
    ).rejects.toThrow(/the action failed/);
    expect(written).toMatch(/^[0-9a-f]{64}$/);
    const after = await request(test.url).get('/metrics').set(bearer(ADMIN)).expect(200);
    expect(after.text).toContain(head);
    expect(after.text).not.toContain(written);
  });

  it('names the one row changed in the database, and the row after one rewritten with a fresh hash', async () => {
    const target = rows[1];
    await tamper(`UPDATE platform.audit_log SET "after" = '{"status":"rejected"}' WHERE id = $1`, [
      target.id,
    ]);
    expect(await verify()).toMatchObject({
      intact: false,
      checkedRows: 1,
      head: { id: rows[0]?.id, hash: rows[0]?.hash },
      firstBrokenRow: { id: target.id, problem: 'content', previousId: rows[0]?.id },
    });
    const rehashed = auditRowHash(target.prevHash, {
      at: target.at,
      actor: target.actor,
      action: target.action,
      target: target.target,
      before: target.before,
      after: { status: 'rejected' },
      correlationId: target.correlationId,
    });
    await tamper(`UPDATE platform.audit_log SET "hash" = $2 WHERE id = $1`, [target.id, rehashed]);
    expect(await verify()).toMatchObject({
      intact: false,
      checkedRows: 2,
      firstBrokenRow: { id: rows[2]?.id, problem: 'link', previousId: target.id },
    });
  });

  it('records when the chain was last verified, by result, for the alert rules', async () => {
    const verifiedAt = async (result: string) => {
      const metrics = await request(test.url).get('/metrics').set(bearer(ADMIN)).expect(200);
      const pattern = new RegExp(
        `^revline_audit_verification_timestamp_seconds\\{result="${result}"\\} (\\S+)$`,
        'm',
      );
      return Number(pattern.exec(metrics.text)?.[1]);
    };
    const before = Date.now() / 1000;
    await verify(); // broken since the previous case
    expect(await verifiedAt('broken')).toBeGreaterThanOrEqual(before);
    expect(await verifiedAt('intact')).toBeLessThan(before);
  });
});
