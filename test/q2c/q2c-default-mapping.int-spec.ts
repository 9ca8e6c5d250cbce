import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING } from '../../apps/process-q2c/src/mappings/default-mapping';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import type { Q2cEnv } from './q2c-env';
import { startQ2cEnv } from './q2c-env';

/**
 * A newcomer's first booking: the sandbox seeded as `npm start` seeds it, the default mapping's catalogue (Stripe
 * price `price_seat_monthly`, NetSuite item `ITEM-SEAT`) as it ships, an order activated in Salesforce. It completes.
 */
describe('a first booking on the default mapping, against the seeded sandbox', () => {
  let env: Q2cEnv;

  beforeAll(async () => {
    process.env.SANDBOX_SEED_CATALOGUE = 'default';
    env = await startQ2cEnv();
    // The env maps the seats to a yearly price of its own; put the catalogue back as version 1 ships it.
    const active = await request(env.q2c.url).get('/v1/mappings/active').set(bearer(env.admin)).expect(200);
    const { definition, version: baseVersion } = active.body as {
      definition: MappingDefinition;
      version: number;
    };
    const proposed = await request(env.q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(env.admin))
      .send({
        summary: 'The default catalogue',
        baseVersion,
        definition: { ...definition, productCatalogue: DEFAULT_MAPPING.productCatalogue },
      })
      .expect(201);
    const checker = await seedApiKey(env.db.dataSource, ['integration.admin']);
    await request(env.q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'As shipped' })
      .expect(200);
  }, 120_000);

  afterAll(async () => {
    delete process.env.SANDBOX_SEED_CATALOGUE;
    await env.close();
  });

  it('bills the seeded monthly price, posts the invoice to NetSuite and completes', async () => {
    await env.customerOnTestClock('2026-01-01T00:00:00Z');
    const order = (await env.sales.sobject('Order').create({
      AccountId: env.catalogue.accountId,
      Pricebook2Id: env.catalogue.pricebookId,
      EffectiveDate: '2026-01-01',
      EndDate: '2026-12-31',
      Status: 'Draft',
    })) as { id: string };
    await env.sales.sobject('OrderItem').create({
      OrderId: order.id,
      PricebookEntryId: env.catalogue.seatsEntryId,
      Quantity: 10,
      UnitPrice: 100,
      SBQQ__BillingFrequency__c: 'Monthly',
    });
    await env.sales.sobject('Order').update({ Id: order.id, Status: 'Activated' });

    const saga = (await env.completed(order.id, 1, 60_000)).at(0);
    expect(saga).toMatchObject({ kind: 'booking', status: 'completed', last_error: null });
    const subscription = await env.stripe.subscriptions.retrieve(saga?.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => [i.price.id, i.quantity])).toEqual([
      ['price_seat_monthly', 10],
    ]);
    const lines = await env.netsuite.suiteql(
      `SELECT type, class, credit FROM transactionaccountingline tal JOIN transaction t ON t.id = tal.transaction JOIN transactionline tl ON tl.transaction = tal.transaction AND tl.id = tal.transactionline WHERE custcol_rl_contract = '${order.id}' AND type = 'CustInvc'`,
    );
    expect(lines.length).toBeGreaterThan(0);
  }, 90_000);
});
