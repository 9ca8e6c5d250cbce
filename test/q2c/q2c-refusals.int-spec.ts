import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateOrders, createDraftOrders } from '../../apps/sandbox/src/salesforce/testing/seed';
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
  changes: Array<{ status: string; lastError: string | null; billing: SystemView; salesforce: SystemView }>;
}

/**
 * Vendor refusals reach the workbench at once, end to end through the sandbox (jsforce drives Salesforce, the
 * stripe SDK reads Stripe): a booking whose product is mapped to a Stripe price that does not exist is an open
 * `billing_rejected` exception with Stripe's own message at the experience API within 5 s, the lifecycle shows
 * billing failed with that reason; once the mapping names a real price, the operator's retry completes the contract.
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
    const definition = change((active.body as { definition: MappingDefinition }).definition);
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(admin))
      .send({ summary, definition })
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

  it('an unknown Stripe price is a billing_rejected exception within 5 s; fixed and retried, the contract completes', async () => {
    const { sales, catalogue, stripe } = env.q2cEnv;
    const seat = await request(env.q2cEnv.q2c.url)
      .get('/v1/mappings/active')
      .set(bearer(env.q2cEnv.admin))
      .expect(200);
    const goodPrice = (seat.body as { definition: MappingDefinition }).definition.productCatalogue.find(
      (e) => e.productCode === 'SEAT',
    )?.billingPriceId;
    if (!goodPrice) throw new Error('no SEAT price');
    await approve('Seats on a price Stripe does not have', seatPrice('price_seat_monthly'));

    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    const activatedAt = Date.now();
    await activateOrders(sales, [orderId]);
    const refused = await eventually(async () => {
      const open = await exceptions(`category=billing_rejected&contractId=${orderId}`);
      return open.length > 0 ? open : undefined;
    }, 10_000);
    expect(Date.now() - activatedAt).toBeLessThan(5_000);
    expect(refused).toHaveLength(1);
    const [exception] = refused ?? [];
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
    const [saga] = await env.q2cEnv.completed(orderId, 1);
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
  }, 90_000);
});
