import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp, TestDatabase } from '@revline/testing';
import { bearer, createTestApp, createTestDatabase, eventually, seedApiKey } from '@revline/testing';
import { Connection } from 'jsforce';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import {
  activateOrders,
  createDraftOrders,
  SANDBOX_CREDENTIALS,
  seedCatalogue,
} from '../../apps/sandbox/src/salesforce/testing/seed';
import { StripeSandboxModule } from '../../apps/sandbox/src/stripe/stripe-sandbox.module';
import type { MappingDefinition } from '../../apps/process-q2c/src/mappings/mapping-definition';
import { AppModule as Q2cModule } from '../../apps/process-q2c/src/app.module';
import { APP as Q2C_APP } from '../../apps/process-q2c/src/app.info';
import { DATABASE as Q2C } from '../../apps/process-q2c/src/database';
import { AppModule as BillingModule } from '../../apps/system-billing/src/app.module';
import { APP as BILLING_APP } from '../../apps/system-billing/src/app.info';
import { DATABASE as BILLING } from '../../apps/system-billing/src/database';
import { AppModule as ErpModule } from '../../apps/system-erp/src/app.module';
import { APP as ERP_APP } from '../../apps/system-erp/src/app.info';
import { DATABASE as ERP } from '../../apps/system-erp/src/database';
import { AppModule as SalesforceModule } from '../../apps/system-salesforce/src/app.module';
import { APP as SALESFORCE_APP } from '../../apps/system-salesforce/src/app.info';
import { DATABASE as SALESFORCE } from '../../apps/system-salesforce/src/database';
import type { Sandbox } from '../support/erp-test-env';
import { erpEnv, startSandbox } from '../support/erp-test-env';

interface SagaRow {
  saga_id: string;
  kind: string;
  status: string;
  step: string;
  correlation_id: string;
  last_error: string | null;
  data: { subscriptionId?: string; invoices: Array<{ documentId: string; erpId?: string }> };
}

/**
 * The booking saga end to end: Salesforce (jsforce) → system-salesforce → process-q2c → system-billing → Stripe
 * sandbox → signed webhook → process-q2c → system-erp → NetSuite sandbox → process-q2c → Salesforce write-back.
 */
describe('quote-to-cash booking saga through the sandbox (all four apps in one process)', () => {
  let db: TestDatabase;
  let sfSandbox: TestApp;
  let stripeSandbox: TestApp;
  let netsuite: Sandbox;
  const apps: TestApp[] = [];
  let q2c: TestApp;
  let sales: Connection;
  let stripe: Stripe;
  let catalogue: Catalogue;
  let alice: string;
  let bob: string;

  const sagas = (contractId: string): Promise<SagaRow[]> =>
    db.dataSource.query<SagaRow[]>(
      `SELECT * FROM "q2c"."sagas" WHERE "contract_id" = $1 ORDER BY "saga_id"`,
      [contractId],
    );

  beforeAll(async () => {
    db = await createTestDatabase(Q2C);
    for (const database of [SALESFORCE, BILLING, ERP])
      await runMigrations(appDataSourceOptions(database, db.url));
    sfSandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    stripeSandbox = await createTestApp(StripeSandboxModule, SANDBOXES[1].spec, {
      SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
    });
    netsuite = await startSandbox();
    const stripePort = new URL(stripeSandbox.url).port;
    const env = {
      ...erpEnv(netsuite.url),
      OUTBOX_RELAY: 'on',
      OUTBOX_POLL_MS: '50',
      LOG_LEVEL: 'warn',
      STRIPE_PORT: stripePort,
      STRIPE_TIMEOUT_MS: '2000',
      STRIPE_EVENTS_POLL_MS: '0',
      SALESFORCE_LOGIN_URL: sfSandbox.url,
      SALESFORCE_POLL_INTERVAL_MS: '300',
      PARKED_SWEEP_MS: '200',
      SAGA_SWEEP_MS: '200',
    };
    q2c = await createTestApp(Q2cModule, Q2C_APP, env);
    apps.push(q2c);
    const billing = await createTestApp(BillingModule, BILLING_APP, env);
    apps.push(billing);
    apps.push(await createTestApp(ErpModule, ERP_APP, env));
    stripe = new Stripe('sk_test_revline_sandbox', {
      host: '127.0.0.1',
      port: Number(stripePort),
      protocol: 'http',
    });
    await stripe.webhookEndpoints.create({ url: `${billing.url}/v1/webhooks/stripe`, enabled_events: ['*'] });
    sales = new Connection({
      oauth2: {
        loginUrl: sfSandbox.url,
        clientId: SANDBOX_CREDENTIALS.clientId,
        clientSecret: SANDBOX_CREDENTIALS.clientSecret,
      },
      version: '60.0',
    });
    await sales.login(SANDBOX_CREDENTIALS.username, SANDBOX_CREDENTIALS.password);
    catalogue = await seedCatalogue(sales);
    apps.push(await createTestApp(SalesforceModule, SALESFORCE_APP, env));
    alice = await seedApiKey(db.dataSource, ['integration.admin']);
    bob = await seedApiKey(db.dataSource, ['integration.admin']);

    // The seats' billing price, and a mapping version that points the catalogue at it (maker-checker).
    const product = await stripe.products.create({ name: 'Seat' });
    const price = await stripe.prices.create({
      product: product.id,
      currency: 'usd',
      unit_amount: 120_000,
      recurring: { interval: 'year' },
    });
    const active = await request(q2c.url).get('/v1/mappings/active').set(bearer(alice)).expect(200);
    const definition = (active.body as { definition: MappingDefinition }).definition;
    const proposal: MappingDefinition = {
      ...definition,
      productCatalogue: definition.productCatalogue.map((entry) =>
        entry.productCode === 'SEAT'
          ? { ...entry, billingPriceId: price.id, unitPricePeriod: 'year' as const, ssp: '1200' }
          : entry,
      ),
    };
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(alice))
      .send({ summary: 'Seats billed annually from the Stripe price', definition: proposal })
      .expect(201);
    await request(q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(bob))
      .send({ reason: 'Checked against Stripe' })
      .expect(200);
  }, 120_000);

  afterAll(async () => {
    for (const app of apps.reverse()) await app.close();
    await netsuite.close();
    await stripeSandbox.close();
    await sfSandbox.close();
    await db.drop();
  });

  it('books G1: Stripe holds the subscription and invoice, NetSuite the invoice and revenue, Salesforce the write-back', async () => {
    const [orderId] = await createDraftOrders(sales, catalogue, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);

    const saga = await eventually(async () => {
      const rows = await sagas(orderId);
      return rows[0]?.status === 'completed' ? rows[0] : undefined;
    }, 40_000).catch(async (error: unknown) => {
      const billed = await db.dataSource.query(
        `SELECT job, published_at, (SELECT count(*) FROM "q2c"."billing_documents") AS docs, (SELECT json_agg(idempotency_key) FROM "q2c"."inbox") AS inbox FROM "billing"."outbox"`,
      );
      const q2cExceptions = await db.dataSource.query(`SELECT category, reason, job FROM "q2c"."exceptions"`);
      throw new Error(
        `saga did not complete: ${JSON.stringify(await sagas(orderId))} ${JSON.stringify(billed)} ${JSON.stringify(q2cExceptions)} ${String(error)}`,
      );
    });
    expect(saga).toMatchObject({ kind: 'booking', step: 'done', last_error: null });

    // Stripe: one subscription of 10 seats, one invoice of 12,000.00.
    const subscription = await stripe.subscriptions.retrieve(saga?.data.subscriptionId ?? '');
    expect(subscription.items.data.map((i) => i.quantity)).toEqual([10]);
    const invoices = await stripe.invoices.list({ subscription: subscription.id });
    expect(invoices.data.map((i) => i.total)).toEqual([1_200_000]);

    // NetSuite: the invoice (12,000.00) and the G1 revenue, month by month.
    const invoiceId = invoices.data[0]?.id ?? '';
    expect(saga?.data.invoices).toEqual([
      expect.objectContaining({ documentId: invoiceId, erpId: expect.any(String) }),
    ]);
    const [postings] = await db.dataSource.query<Array<{ n: number; total: string }>>(
      `SELECT count(*)::int AS n, sum("posted_amount_minor"::bigint)::text AS total FROM "erp"."revenue_postings"
        WHERE "contract_id" = $1`,
      [orderId],
    );
    expect(postings).toEqual({ n: 12, total: '1200000' });
    const months = await db.dataSource.query<Array<{ period: string; amount: string }>>(
      `SELECT "period", "posted_amount_minor" AS amount FROM "erp"."revenue_postings" WHERE "contract_id" = $1 ORDER BY "period"`,
      [orderId],
    );
    expect(months.map((m) => m.amount)).toEqual([
      '101918',
      '92055',
      '101917',
      '98631',
      '101917',
      '98630',
      '101918',
      '101918',
      '98630',
      '101918',
      '98630',
      '101918',
    ]);
    expect(await netsuite.imbalance()).toEqual({ USD: '0' });

    // Salesforce: the order shows the sync, the subscription and the correlation id.
    const order = await eventually(async () => {
      const o = await sales.sobject('Order').retrieve(orderId);
      return (o as Record<string, unknown>).Revline_Integration_Status__c === 'Synced' ? o : undefined;
    }, 20_000);
    expect(order).toMatchObject({
      Revline_Billing_Id__c: subscription.id,
      Revline_Correlation_Id__c: saga?.correlation_id,
    });

    // Lineage: the whole story under one correlation id.
    const hops = await db.dataSource.query<Array<{ system: string; object_type: string; status: string }>>(
      `SELECT "system", "object_type", "status" FROM "q2c"."lineage" WHERE "correlation_id" = $1 ORDER BY "occurred_at"`,
      [saga?.correlation_id],
    );
    const story = hops.map((h) => `${h.system}:${h.object_type}:${h.status}`);
    for (const hop of [
      'salesforce:Order:captured',
      'revline:ContractBooked:normalised',
      'erp:customer:posted',
      'billing:billing.apply-contract-change:sent',
      'billing:Invoice:issued',
      'erp:invoice:posted',
      'erp:revenueJournal:posted',
      'salesforce:crm.write-back:sent',
      'revline:Saga:completed',
    ]) {
      expect(story).toContain(hop);
    }

    // Sync latency exported as a histogram.
    const metrics = await request(q2c.url).get('/metrics').set(bearer(alice)).expect(200);
    expect(metrics.text).toMatch(/revline_q2c_sync_latency_seconds_count\{kind="booking"\} 1/);
  }, 90_000);
});
