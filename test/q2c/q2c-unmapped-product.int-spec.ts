import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

interface ExceptionRow {
  id: string;
  category: string;
  reason: string;
  status: string;
  contractId: string | null;
  job: string;
  correlationId: string;
}

interface SaveResult {
  id?: string;
  success: boolean;
}

const idOf = (result: SaveResult | SaveResult[]): string => {
  const one = Array.isArray(result) ? result.at(0) : result;
  if (!one?.success || !one.id) throw new Error(`save failed: ${JSON.stringify(result)}`);
  return one.id;
};

/**
 * An order for a product the catalogue does not map (the org's ANALYTICS module): the saga parks with an
 * `unmapped_product` exception; once one admin proposes a mapping version that maps it and another approves it,
 * the operator retries the exception and the contract completes through the saga (Stripe, NetSuite, Salesforce).
 */
describe('an unmapped product parks, and completes once mapped and retried', () => {
  let env: Q2cEnv;
  let operator: string;
  let checker: string;

  beforeAll(async () => {
    env = await startQ2cEnv();
    operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
    checker = await seedApiKey(env.db.dataSource, ['integration.admin']);
  }, 120_000);

  afterAll(async () => {
    await env.close();
  });

  const exceptions = async (): Promise<ExceptionRow[]> => {
    const res = await request(env.q2c.url).get('/v1/exceptions').set(bearer(operator)).expect(200);
    return (res.body as { items: ExceptionRow[] }).items;
  };

  it('parks with unmapped_product, then after approval and retry posts the ERP invoice and writes back', async () => {
    const { sales, catalogue, stripe } = env;
    const orderId = idOf(
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
        OrderId: orderId,
        PricebookEntryId: catalogue.analyticsEntryId,
        Quantity: 2,
        UnitPrice: 3000,
      }),
    );
    await sales.sobject('Order').update({ Id: orderId, Status: 'Activated' });

    // Parked: one open unmapped_product exception naming the product, and no saga, nothing billed.
    const parked = await eventually(async () => {
      const open = (await exceptions()).filter((e) => e.category === 'unmapped_product');
      return open.length > 0 ? open : undefined;
    }, 30_000);
    expect(parked).toHaveLength(1);
    const exception = parked?.[0];
    if (!exception) throw new Error('no exception');
    expect(exception).toMatchObject({ status: 'open', job: 'crm.record-changed' });
    expect(exception.reason).toMatch(/Product ANALYTICS .*not in the product catalogue/);
    expect(await env.sagas(orderId)).toEqual([]);
    expect((await stripe.subscriptions.list({ limit: 100 })).data).toEqual([]);

    // Retrying before the mapping exists parks it again: the cause is not fixed.
    await request(env.q2c.url)
      .post(`/v1/exceptions/${exception.id}/retry`)
      .set(bearer(operator))
      .expect(200, { id: exception.id, outcome: 'retrying' });
    await env.settle();
    const again = await request(env.q2c.url)
      .get(`/v1/exceptions/${exception.id}`)
      .set(bearer(operator))
      .expect(200);
    expect(again.body).toMatchObject({ status: 'open', category: 'unmapped_product', occurrences: 2 });
    expect(await env.sagas(orderId)).toEqual([]);

    // Maker-checker: the maker proposes a version mapping ANALYTICS to a Stripe price and an ERP item; the maker
    // cannot approve it, another admin does.
    const product = await stripe.products.create({ name: 'Premium analytics' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 300_000,
      recurring: { interval: 'year' },
    });
    const active = await request(env.q2c.url).get('/v1/mappings/active').set(bearer(env.admin)).expect(200);
    const current = active.body as { version: number; definition: MappingDefinition };
    const seat = current.definition.productCatalogue.find((entry) => entry.productCode === 'SEAT');
    if (!seat) throw new Error('no SEAT entry');
    const proposal: MappingDefinition = {
      ...current.definition,
      productCatalogue: [
        ...current.definition.productCatalogue,
        {
          ...seat,
          productCode: 'ANALYTICS',
          billingPriceId: price.id,
          erpItemId: 'ITEM-ANALYTICS',
          pobId: 'POB-ANALYTICS',
          ssp: '3000',
        },
      ],
    };
    const proposed = await request(env.q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(env.admin))
      .send({ summary: 'Map the ANALYTICS module', baseVersion: current.version, definition: proposal })
      .expect(201);
    const version = (proposed.body as { version: number }).version;
    await request(env.q2c.url)
      .post(`/v1/mappings/versions/${String(version)}/approve`)
      .set(bearer(env.admin))
      .send({ reason: 'I proposed it' })
      .expect(403);
    await request(env.q2c.url)
      .post(`/v1/mappings/versions/${String(version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'Price and ERP item checked' })
      .expect(200);

    // The operator retries the exception; the booking saga runs to the end.
    await request(env.q2c.url)
      .post(`/v1/exceptions/${exception.id}/retry`)
      .set(bearer(operator))
      .expect(200, { id: exception.id, outcome: 'retrying' });
    const saga = (await env.completed(orderId, 1)).at(0);
    if (!saga) throw new Error('no saga');
    expect(saga).toMatchObject({ kind: 'booking', step: 'done', last_error: null });
    const events = await env.db.dataSource.query<Array<{ mapping_version: number }>>(
      `SELECT "mapping_version" FROM "q2c"."canonical_events" WHERE "event_id" = $1`,
      [saga.event_id],
    );
    expect(events.map((e) => e.mapping_version)).toEqual([version]);

    // Stripe: the subscription of 2 at the new price and its invoice of 6,000.00.
    const subscription = await stripe.subscriptions.retrieve(saga.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity])).toEqual([[price.id, 2]]);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total)).toEqual([600_000]);

    // The ERP: that invoice posted, and the year's revenue planned for the period close (no journal yet).
    expect(saga.data.invoices).toEqual([
      expect.objectContaining({ documentId: invoices.data[0]?.id, erpId: expect.any(String) }),
    ]);
    const planned = await env.db.dataSource.query<Array<{ total: string }>>(
      `SELECT sum((m->>'amountMinor')::bigint)::text AS total
         FROM "q2c"."revenue_schedules" s, jsonb_array_elements(s."periods") m WHERE s."contract_id" = $1`,
      [orderId],
    );
    expect(planned.map((p) => p.total)).toEqual(['600000']);
    expect(await env.netsuite.suiteql(`SELECT externalid FROM transaction WHERE type = 'Journal'`)).toEqual(
      [],
    );
    expect(await env.netsuite.imbalance()).toEqual({ USD: '0' });

    // Salesforce: the write-back under the saga's correlation id.
    const order = await eventually(async () => {
      const o = (await sales.sobject('Order').retrieve(orderId)) as Record<string, unknown>;
      return o.Revline_Integration_Status__c === 'Synced' ? o : undefined;
    }, 20_000);
    expect(order).toMatchObject({
      Revline_Billing_Id__c: subscription.id,
      Revline_Correlation_Id__c: saga.correlation_id,
    });

    // The exception is no longer open, and both retries are in the audit log.
    const after = await request(env.q2c.url)
      .get(`/v1/exceptions/${exception.id}`)
      .set(bearer(operator))
      .expect(200);
    expect((after.body as ExceptionRow).status).not.toBe('open');
    const audited = await env.db.dataSource.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM "platform"."audit_log" WHERE "action" = 'exception.retry' AND "target" = $1`,
      [`exception:${exception.id}`],
    );
    expect(audited[0]?.n).toBe(2);
  }, 150_000);
});
