import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activateOrders,
  createDraftOrders,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import type { ExperienceEnv } from '../experience/experience-env';
import { startExperienceEnv } from '../experience/experience-env';

interface ExceptionRow {
  id: string;
  category: string;
  reason: string;
  status: string;
  contractId: string | null;
  job: string;
  occurrences: number;
  details: Record<string, unknown>;
}

interface SystemView {
  status: string;
  reason: string | null;
}

interface Lifecycle {
  changes: Array<{
    status: string;
    lastError: string | null;
    billing: SystemView;
    erp: SystemView;
    salesforce: SystemView;
  }>;
}

interface Hop {
  system: string;
  objectType: string;
  externalId: string;
  status: string;
  detail: string | null;
}

/**
 * Vendor refusals reach the workbench at once, end to end through the sandbox (jsforce drives Salesforce, the
 * stripe SDK reads Stripe): a booking whose product is mapped to a Stripe price that does not exist is an open
 * `billing_rejected` exception with Stripe's own message at the experience API within 5 s, the lifecycle shows
 * billing failed with that reason; once the mapping names a real price, the operator's retry completes the contract.
 * A write-back a Salesforce validation rule refuses is failed in lineage and lifecycle and a `crm_rejected`
 * exception; a posting to a closed NetSuite period is an `erp_rejected` one. Stripe down is one alert for the
 * connection, and the bookings wait and complete once it is back.
 */
describe('vendor refusals', () => {
  let env: ExperienceEnv;
  let checker: string;

  beforeAll(async () => {
    env = await startExperienceEnv();
    checker = await seedApiKey(env.q2cEnv.db.dataSource, ['integration.admin']);
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  const approve = async (summary: string, change: (d: MappingDefinition) => MappingDefinition) => {
    const { q2c, admin } = env.q2cEnv;
    const active = await request(q2c.url).get('/v1/mappings/active').set(bearer(admin)).expect(200);
    const current = active.body as { definition: MappingDefinition; version: number };
    const definition = change(current.definition);
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(admin))
      .send({ summary, baseVersion: current.version, definition })
      .expect(201);
    await request(q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'Checked' })
      .expect(200);
  };
  const seatPrice = (priceId: string) => (d: MappingDefinition) => ({
    ...d,
    productCatalogue: d.productCatalogue.map((e) =>
      e.productCode === 'SEAT' ? { ...e, billingPriceId: priceId } : e,
    ),
  });
  const activeSeatPrice = async (): Promise<string> => {
    const active = await request(env.q2cEnv.q2c.url)
      .get('/v1/mappings/active')
      .set(bearer(env.q2cEnv.admin))
      .expect(200);
    const seat = (active.body as { definition: MappingDefinition }).definition.productCatalogue.find(
      (e) => e.productCode === 'SEAT',
    );
    if (!seat) throw new Error('no SEAT price');
    return seat.billingPriceId;
  };
  const exceptions = async (query: string): Promise<ExceptionRow[]> => {
    const res = await request(env.experience.url)
      .get(`/v1/exceptions?${query}`)
      .set(bearer(env.operator))
      .expect(200);
    const body = res.body as ExceptionRow[] | { items: ExceptionRow[] };
    return Array.isArray(body) ? body : body.items;
  };
  const lifecycle = async (contractId: string): Promise<Lifecycle> =>
    (
      await request(env.experience.url)
        .get(`/v1/contracts/${contractId}/lifecycle`)
        .set(bearer(env.viewer))
        .expect(200)
    ).body as Lifecycle;

  const lineage = async (contractId: string): Promise<Hop[]> => {
    const res = await request(env.experience.url)
      .get(`/v1/contracts/${contractId}/lineage`)
      .set(bearer(env.viewer))
      .expect(200);
    return (res.body as { changes: Array<{ hops: Hop[] }> }).changes.flatMap((c) => c.hops);
  };
  const retry = async (id: string) =>
    request(env.experience.url)
      .post(`/v1/exceptions/${id}/retry`)
      .set(bearer(env.operator))
      .expect(200, { id, outcome: 'retrying' });
  const openException = async (category: string, contractId: string): Promise<ExceptionRow> => {
    const found = await eventually(async () => {
      const open = await exceptions(`category=${category}&contractId=${contractId}&status=open`);
      return open.length > 0 ? open : undefined;
    }, 30_000);
    expect(found).toHaveLength(1);
    const exception = found?.at(0);
    if (!exception) throw new Error(`no ${category} exception`);
    return exception;
  };

  it('an unknown Stripe price is a billing_rejected exception within 5 s; fixed and retried, the contract completes', async () => {
    const goodPrice = await activeSeatPrice();
    await approve('Seats on a price Stripe does not have', seatPrice('price_seat_monthly'));
    try {
      await bookOnUnknownPrice(goodPrice);
    } finally {
      // Whatever happened, the later cases book on the real price.
      if ((await activeSeatPrice()) !== goodPrice)
        await approve('Seats back on the real Stripe price', seatPrice(goodPrice));
    }
  }, 90_000);

  const bookOnUnknownPrice = async (goodPrice: string): Promise<void> => {
    const { sales, catalogue, stripe, db } = env.q2cEnv;
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);
    const refused = await eventually(async () => {
      const open = await exceptions(`category=billing_rejected&contractId=${orderId}`);
      return open.length > 0 ? open : undefined;
    }, 15_000);
    const seenAt = Date.now();
    // From Stripe's refusal (system-billing's answer, written when Stripe answered) to the experience API: ≤ 5 s.
    const answers = await db.dataSource.query<Array<{ at: Date }>>(
      `SELECT "created_at" AS at FROM "billing"."outbox" WHERE "job" = 'billing.rejected'`,
    );
    expect(answers).toHaveLength(1);
    const refusedAt = answers.at(0)?.at.getTime() ?? Number.NaN;
    expect(seenAt - refusedAt).toBeLessThan(5_000);
    expect(refused).toHaveLength(1);
    const exception = refused?.at(0);
    if (!exception) throw new Error('no exception');
    expect(exception).toMatchObject({
      status: 'open',
      contractId: orderId,
      job: 'billing.apply-contract-change',
      details: expect.objectContaining({ errorCode: 'resource_missing', httpStatus: 404 }) as unknown,
    });
    expect(exception.reason).toContain("No such price: 'price_seat_monthly'");
    expect(exception.details.vendorMessage).toMatch(/^No such price: 'price_seat_monthly'/);

    const failed = await lifecycle(orderId);
    expect(failed.changes).toHaveLength(1);
    expect(failed.changes[0]).toMatchObject({ status: 'parked', billing: { status: 'failed' } });
    expect(failed.changes[0]?.billing.reason).toMatch(/^resource_missing: No such price/);
    expect((await stripe.subscriptions.list({ limit: 100 })).data).toEqual([]);
    // Nothing parks in system-billing's own table: the workbench holds the refusal.
    expect(await env.q2cEnv.db.dataSource.query(`SELECT 1 FROM "billing"."exceptions"`)).toEqual([]);

    // Fix the mapping, retry: the step runs again under a new key and the contract completes everywhere.
    await approve('Seats on the real Stripe price', seatPrice(goodPrice));
    await request(env.experience.url)
      .post(`/v1/exceptions/${exception.id}/retry`)
      .set(bearer(env.operator))
      .expect(200, { id: exception.id, outcome: 'retrying' });
    const saga = (await env.q2cEnv.completed(orderId, 1)).at(0);
    expect(saga?.data.subscriptionId).toMatch(/^sub_/);
    const subscriptions = (await stripe.subscriptions.list({ limit: 100 })).data;
    expect(subscriptions.map((s) => s.items.data.map((i) => i.price.id))).toEqual([[goodPrice]]);
    const done = await lifecycle(orderId);
    expect(done.changes[0]).toMatchObject({
      status: 'completed',
      lastError: null,
      billing: { status: 'done', reason: null },
      salesforce: { status: 'done' },
    });
    const after = await exceptions(`contractId=${orderId}`);
    expect(after.map((e) => [e.category, e.status])).toEqual([['billing_rejected', 'resolved']]);
    const order = await sales.sobject('Order').retrieve(orderId);
    expect(order).toMatchObject({ Revline_Billing_Id__c: saga?.data.subscriptionId });
  };

  it('a write-back Salesforce refuses is failed in lineage and lifecycle and a crm_rejected exception; retried once the rule is gone, it is confirmed', async () => {
    const { sales, catalogue, sfSandbox } = env.q2cEnv;
    const rule = {
      object: 'Order',
      field: 'Revline_Billing_Id__c',
      message: 'Billing ids are entered by the billing team.',
    };
    await request(sfSandbox.url).post('/sandbox/validation-rules').send(rule).expect(200);
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);
    const exception = await openException('crm_rejected', orderId);
    expect(exception).toMatchObject({
      job: 'crm.write-back',
      details: expect.objectContaining({
        errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        field: 'Revline_Billing_Id__c',
        vendorMessage: rule.message,
      }) as unknown,
    });
    expect(exception.reason).toContain(rule.message);
    const failed = await lifecycle(orderId);
    expect(failed.changes[0]).toMatchObject({
      status: 'parked',
      billing: { status: 'done' },
      erp: { status: 'done' },
      salesforce: { status: 'failed', reason: `FIELD_CUSTOM_VALIDATION_EXCEPTION: ${rule.message}` },
    });
    // The Order's write-back (the Account's, with the customer ids, is another record and went through).
    const orderWriteBacks = (hops: Hop[]) =>
      hops.filter(
        (h) => h.objectType === 'crm.write-back' && h.externalId !== env.q2cEnv.catalogue.accountId,
      );
    const hops = orderWriteBacks(await lineage(orderId));
    expect(hops.map((h) => h.status)).toEqual(['sent', 'rejected']);
    expect((await sales.sobject('Order').retrieve(orderId)).Revline_Billing_Id__c).toBeNull();

    await request(sfSandbox.url).delete('/sandbox/validation-rules').expect(200);
    await retry(exception.id);
    const saga = (await env.q2cEnv.completed(orderId, 1)).at(0);
    expect((await sales.sobject('Order').retrieve(orderId)).Revline_Billing_Id__c).toBe(
      saga?.data.subscriptionId,
    );
    const done = await lifecycle(orderId);
    expect(done.changes[0]).toMatchObject({
      status: 'completed',
      salesforce: { status: 'done', reason: null },
    });
    const after = orderWriteBacks(await lineage(orderId)).map((h) => h.status);
    expect(after).toEqual(['sent', 'rejected', 'retried', 'confirmed']);
    const [resolved] = await exceptions(`category=crm_rejected&contractId=${orderId}`);
    expect(resolved).toMatchObject({ status: 'resolved' });
  }, 90_000);

  it("an Account write-back Salesforce refuses (riding in the Order's) is its own crm_rejected; the Order is written back; retried alone, it is confirmed", async () => {
    const { sales, sfSandbox } = env.q2cEnv;
    const account = await seedCatalogue(sales, 'Account Rule Co');
    const rule = {
      object: 'Account',
      field: 'Revline_ERP_Id__c',
      message: 'ERP ids are entered by finance.',
    };
    await request(sfSandbox.url).post('/sandbox/validation-rules').send(rule).expect(200);
    try {
      const [orderId = ''] = await createDraftOrders(sales, account, 1);
      await activateOrders(sales, [orderId]);
      const exception = await openException('crm_rejected', orderId);
      expect(exception).toMatchObject({
        job: 'crm.write-back',
        details: expect.objectContaining({
          objectType: 'Account',
          recordId: account.accountId,
          vendorMessage: rule.message,
        }) as unknown,
      });
      // The Order's part of the same command was written and answered.
      await eventually(async () => {
        const o = await sales.sobject('Order').retrieve(orderId);
        return (o as Record<string, unknown>).Revline_Integration_Status__c === 'Synced' ? o : undefined;
      }, 20_000);
      const accountHops = (await lineage(orderId)).filter(
        (h) => h.objectType === 'crm.write-back' && h.externalId === account.accountId,
      );
      expect(accountHops.map((h) => h.status)).toEqual(['sent', 'rejected']);

      await request(sfSandbox.url).delete('/sandbox/validation-rules').expect(200);
      await retry(exception.id);
      await eventually(async () => {
        const row = (await exceptions(`category=crm_rejected&contractId=${orderId}`)).at(0);
        return row?.status === 'resolved' ? row : undefined;
      }, 20_000);
      const written = (await sales.sobject('Account').retrieve(account.accountId)) as Record<string, unknown>;
      expect(written.Revline_ERP_Id__c).toBe(`CUST-${account.accountId}`);
    } finally {
      await request(sfSandbox.url).delete('/sandbox/validation-rules').expect(200);
    }
  }, 90_000);

  it('a posting to a closed NetSuite period is an erp_rejected exception with NetSuite code; reopened and retried, the contract completes', async () => {
    const { sales, netsuite } = env.q2cEnv;
    const account = await seedCatalogue(sales, 'Closed Period Co');
    // Billed on a Stripe test clock at 2026-01-01: the invoice is dated in January, a period finance has closed.
    await env.q2cEnv.customerOnTestClock('2026-01-01T00:00:00Z', account.accountId);
    const [orderId = ''] = await createDraftOrders(sales, account, 1);
    await netsuite.admin('periods/2026-01/close');
    try {
      await activateOrders(sales, [orderId]);
      const exception = await openException('erp_rejected', orderId);
      expect(exception).toMatchObject({
        job: 'erp.post-invoice',
        details: expect.objectContaining({
          errorCode: 'USER_ERROR',
          erpCategory: 'closed_period',
        }) as unknown,
      });
      const failed = await lifecycle(orderId);
      expect(failed.changes[0]).toMatchObject({
        status: 'parked',
        billing: { status: 'done' },
        erp: { status: 'failed' },
      });
      expect(failed.changes[0]?.erp.reason).toMatch(/^USER_ERROR: /);
      await netsuite.admin('periods/2026-01/reopen');
      await retry(exception.id);
    } finally {
      await netsuite.admin('periods/2026-01/reopen');
    }
    await env.q2cEnv.completed(orderId, 1);
    const done = await lifecycle(orderId);
    expect(done.changes[0]).toMatchObject({ status: 'completed', erp: { status: 'done', reason: null } });
    const [resolved] = await exceptions(`category=erp_rejected&contractId=${orderId}`);
    expect(resolved).toMatchObject({ status: 'resolved' });
  }, 90_000);

  it('Stripe down is one alert for the connection, not one per contract; the bookings wait and complete when it is back', async () => {
    const { sales, catalogue, stripeSandbox, billing, db } = env.q2cEnv;
    const orderIds = await createDraftOrders(sales, catalogue, 2);
    await request(stripeSandbox.url).post('/sandbox/faults').send({ rate5xx: 1 }).expect(200);
    try {
      await activateOrders(sales, orderIds);
      const alert = await eventually(async () => {
        const rows = await db.dataSource.query<
          Array<{ category: string; status: string; occurrences: number }>
        >(`SELECT "category", "status", "occurrences" FROM "billing"."exceptions"`);
        return rows.length > 0 ? rows : undefined;
      }, 30_000);
      // Both bookings' billing commands have met the failure by now, or soon: still one alert.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(
        await db.dataSource.query(`SELECT "category", "status", "occurrences" FROM "billing"."exceptions"`),
      ).toEqual(alert);
      expect(alert).toEqual([{ category: 'connection_failed', status: 'open', occurrences: 1 }]);
      // The same alert, forwarded, is one exception at the experience API within 5 s, naming system and connection.
      const forwarded = await eventually(async () => {
        const open = await exceptions('category=connection_failed&status=open');
        return open.length > 0 ? open : undefined;
      }, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await exceptions('category=connection_failed')).toEqual(forwarded);
      expect(forwarded).toHaveLength(1);
      expect(forwarded?.[0]).toMatchObject({
        job: 'connection:stripe',
        occurrences: 1,
        details: { system: 'billing', connection: 'stripe', forwardedFrom: 'billing' },
      });
      expect(forwarded?.[0]?.reason).toContain('The stripe connection is down');
      const alertId = forwarded?.[0]?.id ?? '';
      const retried = await request(env.experience.url)
        .post(`/v1/exceptions/${alertId}/retry`)
        .set(bearer(env.operator))
        .expect(200);
      expect(retried.body).toMatchObject({ id: alertId, outcome: 'skipped' });
      expect((retried.body as { note: string }).note).toContain('resolves itself');
      await request(billing.url).get('/health').expect(503);
      const metrics = await request(billing.url).get('/metrics').set(bearer(env.viewer)).expect(200);
      expect(metrics.text).toMatch(/revline_connection_up\{connection="stripe"\} 0/);
      expect(await exceptions(`category=billing_rejected&contractId=${orderIds[0] ?? ''}`)).toEqual([]);
    } finally {
      await request(stripeSandbox.url).delete('/sandbox/faults').expect(200);
    }
    for (const orderId of orderIds) await env.q2cEnv.completed(orderId, 1, 60_000);
    await request(billing.url).get('/health').expect(200);
    expect(await db.dataSource.query(`SELECT "category", "status" FROM "billing"."exceptions"`)).toEqual([
      { category: 'connection_failed', status: 'resolved' },
    ]);
    // The system API said so: the workbench's one alert resolved itself.
    const settled = await eventually(async () => {
      const rows = await exceptions('category=connection_failed');
      return rows.every((r) => r.status === 'resolved') ? rows : undefined;
    }, 10_000);
    expect(settled).toHaveLength(1);
  }, 120_000);

  it('a Salesforce order reusing a known id reaches the workbench; retry says why not, resolve closes it in system-salesforce too', async () => {
    const { sales, catalogue, db } = env.q2cEnv;
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);
    await env.q2cEnv.completed(orderId, 1);
    // At rest first: a write-back still on its way (the invoice paid, batched for up to a second) would change the
    // order after the exception is resolved, and be seen again as the reused id it now is.
    await env.q2cEnv.settle();
    // As if an org started over: Revline knew this id as another order (another creation date, account, number).
    await db.dataSource.query(
      `UPDATE "salesforce"."captured_record" SET "identity_hash" = 'an order of the org before'
        WHERE "object_type" = 'Order' AND "record_id" = $1`,
      [orderId],
    );
    await sales.sobject('Order').update({ Id: orderId, PoNumber: 'PO-REUSED' });
    const exception = await openException('crm_record_id_reused', orderId);
    expect(exception.details).toMatchObject({
      system: 'salesforce',
      forwardedFrom: 'salesforce',
      recordId: orderId,
    });
    expect(exception.reason).toContain(`Salesforce order ${orderId}`);
    const source = async () =>
      db.dataSource.query<Array<{ id: string; status: string; resolution: string | null }>>(
        `SELECT "id", "status", "resolution" FROM "salesforce"."exceptions" WHERE "category" = 'crm_record_id_reused'`,
      );
    expect(await source()).toEqual([
      { id: exception.details.sourceExceptionId, status: 'open', resolution: null },
    ]);

    const retried = await request(env.experience.url)
      .post(`/v1/exceptions/${exception.id}/retry`)
      .set(bearer(env.operator))
      .expect(200);
    expect(retried.body).toMatchObject({ id: exception.id, outcome: 'skipped' });

    await request(env.experience.url)
      .post(`/v1/exceptions/${exception.id}/resolve`)
      .set(bearer(env.operator))
      .send({ reason: 'Checked: the org was refreshed on purpose' })
      .expect(200);
    const closed = await eventually(async () => {
      const rows = await source();
      return rows[0]?.status === 'resolved' ? rows : undefined;
    }, 30_000);
    expect(closed?.[0]?.resolution).toContain('Checked: the org was refreshed on purpose');
    expect(await exceptions(`category=crm_record_id_reused&contractId=${orderId}`)).toMatchObject([
      { id: exception.id, status: 'resolved' },
    ]);
  }, 90_000);
});
