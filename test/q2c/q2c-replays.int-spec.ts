import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

interface ReplayCommand {
  job: string;
  externalId: string;
  difference: string;
  erpId: string | null;
  wouldPost: object | null;
  posted: object | null;
}
interface ReplayResult {
  dryRun: boolean;
  sagas: number;
  differences: number;
  resent: number;
  commands: ReplayCommand[];
  skipped: unknown[];
}

/**
 * POST /v1/replays: a dry run beside what was posted, and a replay that restores an ERP deletion exactly once. It
 * compares the per-contract journals one by one, so revenue is posted at booking (REVENUE_POSTING=at_booking).
 */
describe('replays through the sandbox', () => {
  let env: Q2cEnv;
  let orderId: string;
  let saga: SagaRow;

  const replay = (body: object, key = env.admin) =>
    request(env.q2c.url).post('/v1/replays').set(bearer(key)).send(body);
  const ledger = () =>
    env.netsuite.suiteql('SELECT externalid, type, foreigntotal FROM transaction ORDER BY externalid');

  beforeAll(async () => {
    env = await startQ2cEnv({ REVENUE_POSTING: 'at_booking' });
    // Billed on the term's first day, not the day the suite runs (a later day would make it a back-dated booking).
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
    ({ orderId, saga } = await env.bookG1());
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  it('refuses bad input with problem+json naming the field, and keys without integration.admin', async () => {
    const cases: Array<[object, string]> = [
      [{}, 'contractId'],
      [{ contractId: orderId, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }, 'contractId'],
      [{ from: '2026-01-01T00:00:00Z' }, 'to'],
      [{ from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }, 'to'],
      [{ from: 'yesterday', to: '2026-01-01T00:00:00Z' }, 'from'],
      [{ contractId: orderId, dryRun: 'yes' }, 'dryRun'],
      [{ contractId: orderId, force: true }, 'force'],
      [{ contractId: '' }, 'contractId'],
    ];
    for (const [body, field] of cases) {
      const res = await replay(body).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(JSON.stringify(res.body), JSON.stringify(body)).toContain(field);
    }
    await replay({ contractId: 'no-such-contract' }).expect(404);
    const operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    await replay({ contractId: orderId }, operator).expect(403);
    await request(env.q2c.url).post('/v1/replays').send({ contractId: orderId }).expect(401);
    const audited = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "platform"."audit_log" WHERE "action" LIKE 'replay.%'`,
    );
    // A refused request writes nothing, not even its audit row.
    expect(audited).toHaveLength(0);
  });

  it('dry run of a completed contract: what would be posted is what was posted', async () => {
    const res = await replay({ contractId: orderId, dryRun: true }).expect(200);
    const result = res.body as ReplayResult;
    expect(result).toMatchObject({ dryRun: true, sagas: 1, differences: 0, resent: 0, skipped: [] });
    // The customer, the invoice, the revenue schedule and twelve journals (sent in one revenue batch, compared one
    // by one), each confirmed by the ERP.
    expect(result.commands.map((c) => c.job).sort()).toEqual(
      [
        'erp.post-invoice',
        'erp.upsert-customer',
        'erp.upsert-revenue-schedule',
        ...Array.from({ length: 12 }, () => 'erp.post-revenue-journal'),
      ].sort(),
    );
    for (const c of result.commands) {
      expect(c.difference).toBe('none');
      expect(c.wouldPost).toEqual(c.posted);
    }
    expect(result.commands.find((c) => c.job === 'erp.post-invoice')?.erpId).toBe(
      saga.data.invoices[0]?.erpId,
    );

    const window = await replay({
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    }).expect(200);
    expect(window.body).toMatchObject({ dryRun: true, sagas: 1, differences: 0 });
    const empty = await replay({ from: '2020-01-01T00:00:00Z', to: '2020-01-02T00:00:00Z' }).expect(200);
    expect(empty.body).toMatchObject({ sagas: 0, commands: [] });
  });

  it('replays after the ERP invoice was deleted in NetSuite: restored exactly once, nothing else posted again', async () => {
    const before = await ledger();
    const invoiceExternalId = saga.data.invoices[0]?.erpExternalId ?? '';
    expect(before.filter((t) => t.externalid === invoiceExternalId)).toHaveLength(1);
    const deleted = await tbaClient(env.netsuite.url)(
      'DELETE',
      `/services/rest/record/v1/invoice/eid:${invoiceExternalId}`,
    );
    expect(deleted.status).toBe(204);
    expect((await ledger()).filter((t) => t.externalid === invoiceExternalId)).toHaveLength(0);

    const res = await replay({ contractId: orderId, dryRun: false }).expect(200);
    // Three commands: the customer, the invoice, and the revenue batch carrying the schedule and twelve journals.
    expect(res.body).toMatchObject({ dryRun: false, sagas: 1, resent: 3 });
    await env.settle();

    expect(await ledger()).toEqual(before);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
    const postings = await env.db.dataSource.query<Array<{ n: number; total: string }>>(
      `SELECT count(*)::int AS n, sum("posted_amount_minor")::text AS total FROM "erp"."revenue_postings" WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(postings[0]).toEqual({ n: 12, total: '1200000' });
    const [revenue] = await env.netsuite.suiteql(
      `SELECT SUM(amount) AS b FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE account = '5' AND custcol_rl_contract = '${orderId}'`,
    );
    expect(revenue).toEqual({ b: '-12000.00' });
    // A second replay changes nothing either.
    await replay({ contractId: orderId, dryRun: false }).expect(200);
    await env.settle();
    expect(await ledger()).toEqual(before);
    const lineage = await env.db.dataSource.query<unknown[]>(
      `SELECT 1 FROM "q2c"."lineage" WHERE "correlation_id" = $1 AND "object_type" = 'Replay'`,
      [saga.correlation_id],
    );
    expect(lineage).toHaveLength(2);
  });
});
