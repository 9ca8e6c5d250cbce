import type { Server } from 'node:http';
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../apps/sandbox/src/salesforce/testing/seed';
import type { ContractEndState } from './support/q2c-end-state';
import { contractEndState, erpDuplicates, expectG1G2EndState } from './support/q2c-end-state';
import type { Q2cStack, StackApp } from './support/q2c-stack';
import { startQ2cStack } from './support/q2c-stack';

/**
 * Workers killed mid-flight (issue 7): the built apps run as child processes against the sandbox; G1 is booked
 * and expanded (G2) through jsforce while system-billing, process-q2c and system-erp are SIGKILLed at moments
 * a job of theirs is provably in flight — the vendor has taken the effect and its answer has not arrived (the
 * sandboxes' latency and timeout-after-save switches hold the answer) — and started again. The end state is the
 * undisturbed run's: one Stripe subscription with its two invoices, each NetSuite document and journal once with
 * the golden amounts, Salesforce written back, every saga completed, no exception.
 */

const SECOND = 1000;

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 60 * SECOND,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('quote-to-cash with workers killed mid-flight (built apps as processes)', () => {
  let stack: Q2cStack;
  let undisturbed: ContractEndState;

  /** Where the chain stands, for a failure message: sagas, billing documents, exceptions, the apps' output. */
  const diagnosis = async (): Promise<string> => {
    const sagaRows = await stack.query<unknown[]>(
      `SELECT "contract_id", "kind", "status", "step", "last_error", "data"->'pending' AS pending,
              "data"->>'awaitingInvoiceId' AS awaiting FROM "q2c"."sagas" ORDER BY "saga_id"`,
    );
    const documents = await stack.query<unknown[]>(
      `SELECT "document_id", "kind", "subscription_id" FROM "q2c"."billing_documents"`,
    );
    const problems = await stack.query<unknown[]>(
      `SELECT category, reason FROM "q2c"."exceptions" UNION ALL SELECT category, reason FROM "billing"."exceptions"
        UNION ALL SELECT category, reason FROM "erp"."exceptions"`,
    );
    const outputs = (['process-q2c', 'system-billing', 'system-erp', 'system-salesforce', 'sandbox'] as const)
      .map((app) => `--- ${app}\n${(stack.running(app)?.output() ?? '').slice(-3000)}`)
      .join('\n');
    return `${JSON.stringify({ sagaRows, documents, problems }, null, 1)}\n${outputs}`;
  };

  const sandboxCall = async (
    base: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<unknown> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${String(res.status)} ${await res.text()}`);
    return res.json();
  };
  const stripeFaults = (faults: object | null) =>
    faults
      ? sandboxCall(stack.urls['stripe-sandbox'], 'POST', '/sandbox/faults', faults)
      : sandboxCall(stack.urls['stripe-sandbox'], 'DELETE', '/sandbox/faults');
  const netsuiteFaults = (faults: object) =>
    sandboxCall(stack.urls['netsuite-sandbox'], 'POST', '/sandbox/faults', {
      latencyMs: 0,
      timeoutAfterSaveRate: 0,
      timeoutAfterSaveMs: 0,
      ...faults,
    });
  const transactions = async () => (await stack.suiteql('SELECT externalid FROM transaction')).length;

  const sagas = (orderId: string) =>
    stack.query<Array<{ kind: string; status: string; step: string; last_error: string | null }>>(
      `SELECT "kind", "status", "step", "last_error" FROM "q2c"."sagas" WHERE "contract_id" = $1 ORDER BY "saga_id"`,
      [orderId],
    );
  const completed = (orderId: string, count: number) =>
    until(
      `${String(count)} completed sagas of ${orderId}`,
      async () => {
        const rows = await sagas(orderId);
        return rows.length === count && rows.every((r) => r.status === 'completed') ? rows : undefined;
      },
      180 * SECOND,
    ).catch(async (error: unknown) => {
      throw new Error(`${String(error)}: ${JSON.stringify(await sagas(orderId))}`);
    });

  const book = async (): Promise<string> => {
    const [orderId] = await createDraftOrders(stack.sales, stack.catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(stack.sales, [orderId]);
    return orderId;
  };
  const contractAndAmend = async (orderId: string): Promise<string> => {
    const { contractId } = (await sandboxCall(
      stack.urls['salesforce-sandbox'],
      'POST',
      '/sandbox/cpq/contracts',
      {
        orderId,
        termMonths: 12,
      },
    )) as { contractId: string };
    await until('the Salesforce contract linked', async () => {
      const rows = await stack.query<unknown[]>(
        `SELECT 1 FROM "q2c"."contract_refs" WHERE "salesforce_contract_id" = $1`,
        [contractId],
      );
      return rows.length > 0;
    });
    const items = await stack.sales.query<{ Id: string }>(
      `SELECT Id FROM OrderItem WHERE OrderId = '${orderId}'`,
    );
    const { orderId: amendmentOrderId } = (await sandboxCall(
      stack.urls['salesforce-sandbox'],
      'POST',
      '/sandbox/cpq/amendments',
      {
        contractId,
        effectiveDate: '2026-03-15',
        changes: [{ orderItemId: items.records[0]?.Id, quantity: 15 }],
      },
    )) as { orderId: string };
    await activateOrders(stack.sales, [amendmentOrderId]);
    return amendmentOrderId;
  };
  const restart = async (...apps: StackApp[]): Promise<void> => {
    for (const app of apps) await stack.kill(app, 'SIGKILL');
    for (const app of apps) expect(stack.running(app)?.child.signalCode).toBe('SIGKILL');
    await Promise.all(apps.map((app) => stack.start(app)));
  };
  const writtenBack = (orderId: string, amendmentOrderId: string) =>
    until('the Salesforce write-back', async () => {
      const state = await contractEndState(stack, orderId, amendmentOrderId);
      return state.writeBack.every((s) => s === 'Synced') ? state : undefined;
    });

  /**
   * A second webhook endpoint, the test's: Stripe tells it of a subscription change the moment the change takes
   * effect, while the API answer to system-billing is still held back by the latency switch.
   */
  let listener: Server;
  let waiting: Array<{ match: (event: StripeEventLike) => boolean; resolve: () => void }> = [];
  interface StripeEventLike {
    type: string;
    data: { object: { metadata?: Record<string, string>; items?: { data: Array<{ quantity?: number }> } } };
  }
  const subscriptionEvent = (match: (event: StripeEventLike) => boolean, what: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no Stripe event: ${what}`));
      }, 60 * SECOND);
      waiting.push({
        match,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  const startListener = async (): Promise<void> => {
    listener = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        res.writeHead(200).end();
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StripeEventLike;
        const matched = waiting.filter((w) => w.match(event));
        waiting = waiting.filter((w) => !matched.includes(w));
        for (const w of matched) w.resolve();
      });
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const address = listener.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    await stack.stripe.webhookEndpoints.create({
      url: `http://127.0.0.1:${String(port)}/`,
      enabled_events: ['customer.subscription.created', 'customer.subscription.updated'],
    });
  };

  beforeAll(async () => {
    stack = await startQ2cStack({ REVENUE_POSTING: 'at_booking' });
    await startListener();
    // The undisturbed run.
    const orderId = await book();
    await completed(orderId, 1);
    const amendmentOrderId = await contractAndAmend(orderId);
    await completed(orderId, 2);
    undisturbed = await writtenBack(orderId, amendmentOrderId);
    expectG1G2EndState(undisturbed);
  }, 300 * SECOND);

  afterAll(async () => {
    listener.close();
    await stack.close();
  });

  it(
    'books G1 and expands it (G2) with system-billing, process-q2c and system-erp killed mid-job: the undisturbed end state',
    async () => {
      await disturbedRun().catch(async (error: unknown) => {
        throw new Error(`${String(error)}\n${await diagnosis()}`, { cause: error });
      });
    },
    600 * SECOND,
  );

  const disturbedRun = async (): Promise<void> => {
    // Booking. Stripe takes each call at once and answers 1.5 s later: system-billing is killed while its
    // subscription call is answered, after Stripe created the subscription.
    await stripeFaults({ latencyMs: 1500 });
    let orderId = '';
    const created = subscriptionEvent(
      (e) =>
        e.type === 'customer.subscription.created' && e.data.object.metadata?.revline_contract_id === orderId,
      'the subscription of the booking created',
    );
    orderId = await book();
    await created;
    await restart('system-billing');
    await stripeFaults(null);

    // NetSuite saves every posting and never answers: process-q2c and system-erp are killed as soon as the first
    // posting of the booking is saved, system-erp still waiting for its answer.
    const erpBefore = await transactions();
    await netsuiteFaults({ timeoutAfterSaveRate: 1, timeoutAfterSaveMs: 30_000 });
    await until('the first NetSuite posting of the booking', async () => (await transactions()) > erpBefore);
    await restart('process-q2c', 'system-erp');
    await netsuiteFaults({});
    await completed(orderId, 1);

    // Expansion: the same again at the subscription change and at the first posting of the expansion.
    const expanded = subscriptionEvent(
      (e) =>
        e.type === 'customer.subscription.updated' &&
        e.data.object.metadata?.revline_contract_id === orderId &&
        e.data.object.items?.data[0]?.quantity === 15,
      'the subscription at 15 seats',
    );
    await stripeFaults({ latencyMs: 1500 });
    const amendmentOrderId = await contractAndAmend(orderId);
    await expanded;
    await restart('system-billing');
    await stripeFaults(null);
    const erpBeforeExpansion = await transactions();
    await netsuiteFaults({ timeoutAfterSaveRate: 1, timeoutAfterSaveMs: 30_000 });
    await until(
      'the first NetSuite posting of the expansion',
      async () => (await transactions()) > erpBeforeExpansion,
    );
    await restart('system-erp', 'process-q2c');
    await netsuiteFaults({});
    await completed(orderId, 2);

    const state = await writtenBack(orderId, amendmentOrderId);
    expectG1G2EndState(state);
    expect(state).toEqual(undisturbed);
    expect(await erpDuplicates(stack)).toEqual([]);
    expect(await sandboxCall(stack.urls['netsuite-sandbox'], 'GET', '/sandbox/ledger/imbalance')).toEqual({
      USD: '0',
    });
    // Every saga completed and nothing was parked as an exception on the way.
    const open = await stack.query<Array<{ category: string; reason: string }>>(
      `SELECT category, reason FROM "q2c"."exceptions" WHERE status <> 'resolved' UNION ALL
       SELECT category, reason FROM "billing"."exceptions" WHERE status <> 'resolved' UNION ALL
       SELECT category, reason FROM "erp"."exceptions" WHERE status <> 'resolved'`,
    );
    expect(open).toEqual([]);
    const unfinished = await stack.query<unknown[]>(
      `SELECT 1 FROM "q2c"."sagas" WHERE "status" <> 'completed'`,
    );
    expect(unfinished).toEqual([]);
  };
});
