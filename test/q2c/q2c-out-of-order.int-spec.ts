import type { Envelope } from '@revline/messaging';
import { Queues } from '@revline/messaging';
import { bearer, eventually } from '@revline/testing';
import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
import type { ContractEndState, Q2cSystems } from '../support/q2c-end-state';
import {
  contractEndState,
  erpDuplicates as duplicatesInErp,
  expectG1G2PlanEndState,
} from '../support/q2c-end-state';
import type { Q2cEnv, SagaRow } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/**
 * Out-of-order delivery end to end through the sandbox (issue 7): an amendment captured before its booking, an
 * invoice announced before the subscription change that raised it is confirmed, and a confirmation that never
 * comes. The end state is the in-order one (golden examples G1 and G2): one Stripe subscription with the right
 * invoices, each NetSuite document once and the revenue plan stored for the period close (no journal: revenue is
 * posted at period close, the default), Salesforce written back; nothing posted twice, nothing lost.
 */

type CrmJob = Job<Envelope<'crm.record-changed'>>;

async function amend(
  env: Q2cEnv,
  sfContractId: string,
  seatLineId: string,
  effectiveDate: string,
  quantity: number,
): Promise<string> {
  const amended = await request(env.sfSandbox.url)
    .post('/sandbox/cpq/amendments')
    .send({ contractId: sfContractId, effectiveDate, changes: [{ orderItemId: seatLineId, quantity }] })
    .expect(201);
  const amendmentOrderId = (amended.body as { orderId: string }).orderId;
  await activateOrders(env.sales, [amendmentOrderId]);
  return amendmentOrderId;
}

async function seatLine(env: Q2cEnv, orderId: string): Promise<string> {
  const items = await env.sales.query<{ Id: string }>(
    `SELECT Id FROM OrderItem WHERE OrderId = '${orderId}'`,
  );
  return items.records[0]?.Id ?? '';
}

/** The in-process harness as the end-state checks read it. */
function systems(env: Q2cEnv): Q2cSystems {
  return {
    query: <T>(sql: string, params?: unknown[]) => env.db.dataSource.query<T>(sql, params),
    sales: env.sales,
    stripe: env.stripe,
    suiteql: (q) => env.netsuite.suiteql(q),
  };
}

const endState = (env: Q2cEnv, orderId: string, amendmentOrderId: string): Promise<ContractEndState> =>
  contractEndState(systems(env), orderId, amendmentOrderId);
const erpDuplicates = (env: Q2cEnv): Promise<string[]> => duplicatesInErp(systems(env));
const expectGoldenEndState = expectG1G2PlanEndState;

describe('quote-to-cash out of order through the sandbox', () => {
  let env: Q2cEnv;
  let inOrder: ContractEndState;

  beforeAll(async () => {
    // Stripe answers one test's change three seconds late (so its invoice is seen first even on a loaded machine):
    // the client waits for it.
    env = await startQ2cEnv({ STRIPE_TIMEOUT_MS: '10000' });
    // The in-order run every out-of-order run is compared with: book G1, contract it, expand it (G2).
    const { orderId, sfContractId, seatLineId } = await env.bookAndContractG1();
    const amendmentOrderId = await amend(env, sfContractId, seatLineId, '2026-03-15', 15);
    await env.completed(orderId, 2, 60_000);
    await eventually(async () => {
      const state = await endState(env, orderId, amendmentOrderId);
      return state.writeBack.every((s) => s === 'Synced');
    }, 20_000);
    inOrder = await endState(env, orderId, amendmentOrderId);
    expectGoldenEndState(inOrder);
    // Revenue is posted at period close (the default): the sagas post no journal.
    expect(await env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`)).toEqual(
      [],
    );
  }, 180_000);

  afterAll(async () => {
    await env.close();
  });

  it('parks an amendment captured before its booking, resumes it by itself once the booking is stored: the in-order end state', async () => {
    const queues = env.q2c.app.get(Queues, { strict: false });
    const crm = await queues.get('crm.changes');
    const held: CrmJob[] = [];
    let orderId = '';
    let amendmentOrderId = '';
    let sfContractId = '';
    await crm.pause();
    try {
      // Salesforce as usual: the order is activated, contracted by CPQ and amended, while process-q2c reads nothing.
      orderId = (await createDraftOrders(env.sales, env.catalogue, 1)).at(0) ?? '';
      await activateOrders(env.sales, [orderId]);
      const contracted = await request(env.sfSandbox.url)
        .post('/sandbox/cpq/contracts')
        .send({ orderId, termMonths: 12 })
        .expect(201);
      sfContractId = (contracted.body as { contractId: string }).contractId;
      amendmentOrderId = await amend(env, sfContractId, await seatLine(env, orderId), '2026-03-15', 15);

      // system-salesforce captured both orders; the booking's changes are held back (taken off the queue).
      const queued = await eventually(async () => {
        const jobs = (await crm.getJobs(['waiting', 'paused', 'prioritized'])) as CrmJob[];
        const mine = (id: string) => jobs.filter((j) => j.data.payload.recordId === id);
        const linked = mine(orderId).some((j) => j.data.payload.record.contractId === sfContractId);
        return linked && mine(amendmentOrderId).length > 0 ? jobs : undefined;
      }, 30_000);
      for (const job of (queued ?? [])
        .filter((j) => j.data.payload.recordId === orderId)
        .sort((a, b) => a.timestamp - b.timestamp)) {
        held.push(job);
        await job.remove();
      }
    } finally {
      await crm.resume();
    }

    // The amendment arrives first: it parks under its Salesforce contract; nothing is stored or started.
    const parked = await eventually(async () => {
      const rows = await env.db.dataSource.query<Array<{ status: string; wait_key: string; job: string }>>(
        `SELECT "status", "wait_key", "job" FROM "q2c"."parked_events" WHERE "wait_key" = $1`,
        [`salesforce-contract:${sfContractId}`],
      );
      return rows.length > 0 ? rows : undefined;
    }, 30_000);
    expect(parked).toEqual([
      { status: 'parked', wait_key: `salesforce-contract:${sfContractId}`, job: 'crm.record-changed' },
    ]);
    await env.settle();
    expect(await env.sagas(orderId)).toEqual([]);
    const stored = () =>
      env.db.dataSource.query<Array<{ event_type: string }>>(
        `SELECT "event_type" FROM "q2c"."canonical_events" WHERE "contract_id" = $1 ORDER BY "recorded_at"`,
        [orderId],
      );
    expect(await stored()).toEqual([]);
    // The contracts list finds the parked amendment by its order id, under the Salesforce contract it waits for.
    const byOrder = await request(env.q2c.url)
      .get('/v1/contracts')
      .query({ order: amendmentOrderId })
      .set(bearer(env.admin))
      .expect(200);
    expect((byOrder.body as { items: unknown[] }).items).toEqual([
      expect.objectContaining({
        contractId: sfContractId,
        lifecycleStatus: 'parked',
        contractStatus: 'not_booked',
      }),
    ]);

    // The booking is delivered late, as it was captured; the amendment resumes by itself.
    for (const job of held) await crm.add(job.name, job.data, { jobId: job.id });
    await env.completed(orderId, 2, 90_000);
    await eventually(async () => {
      const state = await endState(env, orderId, amendmentOrderId);
      return state.writeBack.every((s) => s === 'Synced');
    }, 20_000);
    await env.settle();

    expect((await stored()).map((e) => e.event_type)).toEqual(['ContractBooked', 'ContractAmended']);
    const released = await env.db.dataSource.query<Array<{ status: string; republished_at: Date | null }>>(
      `SELECT "status", "republished_at" FROM "q2c"."parked_events" WHERE "wait_key" = $1`,
      [`salesforce-contract:${sfContractId}`],
    );
    expect(released).toEqual([{ status: 'released', republished_at: expect.any(Date) }]);
    const state = await endState(env, orderId, amendmentOrderId);
    expectGoldenEndState(state);
    expect(state).toEqual(inOrder);
    expect(await erpDuplicates(env)).toEqual([]);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 180_000);

  it('takes an invoice announced before its subscription change is confirmed: the in-order end state', async () => {
    const { orderId, sfContractId, seatLineId } = await env.bookAndContractG1();
    // Stripe answers late (the change takes effect at once, its answer comes three seconds later) and sends its
    // webhooks newest first: invoice.finalized reaches system-billing, and process-q2c, before the
    // subscription change is confirmed to the saga.
    await request(env.stripeSandbox.url)
      .post('/sandbox/faults')
      .send({ latencyMs: 3000, webhookReorderWindowMs: 300 })
      .expect(200);
    let amendmentOrderId: string;
    try {
      amendmentOrderId = await amend(env, sfContractId, seatLineId, '2026-03-15', 15);
      await env.completed(orderId, 2, 90_000);
    } finally {
      await request(env.stripeSandbox.url).delete('/sandbox/faults').expect(200);
    }
    await eventually(async () => {
      const state = await endState(env, orderId, amendmentOrderId);
      return state.writeBack.every((s) => s === 'Synced');
    }, 20_000);
    await env.settle();

    // It did arrive first: the invoice was kept before the billing change was confirmed.
    const expansion = (await env.sagas(orderId)).at(1) as SagaRow;
    const timing = await env.db.dataSource.query<Array<{ received_at: Date; confirmed_at: Date }>>(
      `SELECT d."received_at", c."confirmed_at" FROM "q2c"."billing_documents" d, "q2c"."saga_commands" c
        WHERE d."document_id" = $1 AND c."idempotency_key" = $2`,
      [expansion.data.invoices[0]?.documentId, `saga:${expansion.event_id}:billing`],
    );
    expect(timing).toHaveLength(1);
    const [{ received_at: received, confirmed_at: confirmed }] = timing;
    expect(received.getTime()).toBeLessThan(confirmed.getTime());

    const state = await endState(env, orderId, amendmentOrderId);
    expectGoldenEndState(state);
    expect(state).toEqual(inOrder);
    expect(await erpDuplicates(env)).toEqual([]);
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });
  }, 180_000);
});

describe('a saga whose confirmation never comes', () => {
  let env: Q2cEnv;

  beforeAll(async () => {
    env = await startQ2cEnv({
      SAGA_CONFIRMATION_TIMEOUT_MS: '8000',
      QUEUE_PREFIX: `test-timeout-${randomUUID().slice(0, 8)}`,
    });
  }, 120_000);

  afterAll(async () => {
    await env.close();
    delete process.env.SAGA_CONFIRMATION_TIMEOUT_MS;
  });

  it('becomes a confirmation_timeout exception instead of hanging, and completes once the invoice is delivered', async () => {
    // A booking's invoice travels with the answer to its subscription change; an amendment's, which Stripe issues
    // itself (always_invoice), is announced by Stripe's notice alone.
    const { orderId, sfContractId, seatLineId } = await env.bookAndContractG1();
    await env.completed(orderId, 1, 60_000);
    // Every Stripe webhook is lost from now (and system-billing does not poll events): the invoice is never announced.
    await request(env.stripeSandbox.url).post('/sandbox/faults').send({ webhookDropRate: 1 }).expect(200);
    await amend(env, sfContractId, seatLineId, '2026-03-15', 15);

    const parked = await eventually(async () => {
      const saga = (await env.sagas(orderId)).find((s) => s.kind === 'expansion');
      return saga?.status === 'parked' ? saga : undefined;
    }, 60_000);
    expect(parked).toMatchObject({ kind: 'expansion', step: 'await_invoice' });
    expect(parked?.last_error).toMatch(
      /^confirmation_timeout: step await_invoice waited past .* for a billing document/,
    );
    const listed = await request(env.q2c.url)
      .get('/v1/exceptions')
      .query({ category: 'confirmation_timeout', contractId: orderId })
      .set(bearer(env.admin))
      .expect(200);
    const exceptions = (listed.body as { items: Array<{ id: string; status: string; reason: string }> })
      .items;
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ status: 'open' });
    expect(exceptions[0]?.reason).toContain(
      `Contract ${orderId}: the expansion saga waited too long at step await_invoice`,
    );
    // Nothing went to the ERP for the amendment: no invoice was posted without its billing document.
    expect(
      (await env.netsuite.suiteql("SELECT foreigntotal FROM transaction WHERE type = 'CustInvc'")).map(
        (i) => i.foreigntotal,
      ),
    ).toEqual(['12000.00']);

    // Stripe's lost events are sent again (as its dashboard's "resend" does): the saga moves on and completes,
    // and its exception is resolved.
    await request(env.stripeSandbox.url).delete('/sandbox/faults').expect(200);
    const events = await env.stripe.events.list({ limit: 100 });
    for (const event of events.data) {
      const body = JSON.stringify(event);
      const header = env.stripe.webhooks.generateTestHeaderString({
        payload: body,
        secret: 'whsec_revline_sandbox',
      });
      await request(env.billing.url)
        .post('/v1/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', header)
        .send(body)
        .expect((res) => {
          if (res.status >= 300) throw new Error(`webhook ${event.type}: ${String(res.status)} ${res.text}`);
        });
    }
    const sagas = await env.completed(orderId, 2, 60_000);
    expect(sagas.find((x) => x.kind === 'expansion')).toMatchObject({
      status: 'completed',
      step: 'done',
      last_error: null,
    });
    const after = await request(env.q2c.url)
      .get(`/v1/exceptions/${exceptions[0]?.id ?? ''}`)
      .set(bearer(env.admin))
      .expect(200);
    expect(after.body).toMatchObject({ status: 'resolved' });
    const invoices = await env.netsuite.suiteql(
      "SELECT externalid, foreigntotal FROM transaction WHERE type = 'CustInvc'",
    );
    expect(invoices.map((i) => i.foreigntotal).sort()).toEqual(['12000.00', '4800.00']);
    expect(await erpDuplicates(env)).toEqual([]);
  }, 180_000);
});
