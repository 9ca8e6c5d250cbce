import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestApp, TestDatabase } from '@revline/testing';
import { Queues } from '@revline/messaging';
import {
  bearer,
  createTestApp,
  createTestDatabase,
  eventually,
  seedApiKey,
  waitForQueuesIdle,
} from '@revline/testing';
import type { Connection } from 'jsforce';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import request from 'supertest';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { SalesforceSandboxModule } from '../../apps/sandbox/src/salesforce/salesforce-sandbox.module';
import type { Catalogue } from '../../apps/sandbox/src/salesforce/testing/seed';
import {
  activateOrders,
  createDraftOrders,
  loginToSandbox,
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

export interface SagaRow {
  saga_id: string;
  event_id: string;
  kind: string;
  status: string;
  step: string;
  correlation_id: string;
  last_error: string | null;
  data: {
    subscriptionId?: string;
    billingCustomerId?: string;
    treatment?: string;
    scheduleVersion?: number;
    expectedProrationMinor?: string;
    billedProrationMinor?: string;
    invoices: Array<{ documentId: string; erpId?: string; erpExternalId: string }>;
    creditNotes: Array<{ documentId: string; erpId?: string; erpExternalId: string }>;
  };
}

/**
 * The three sandboxes and the four apps booted in one process against one fresh database, a Stripe price for the
 * seats and an approved mapping version pointing the catalogue at it: the stage of the quote-to-cash specs.
 */
export interface Q2cEnv {
  db: TestDatabase;
  q2c: TestApp;
  billing: TestApp;
  erp: TestApp;
  salesforce: TestApp;
  sfSandbox: TestApp;
  stripeSandbox: TestApp;
  netsuite: Sandbox;
  sales: Connection;
  stripe: Stripe;
  catalogue: Catalogue;
  admin: string;
  sagas(contractId: string): Promise<SagaRow[]>;
  /** Books G1 through Salesforce and waits for its saga to complete; the order id is the contract id. */
  bookG1(): Promise<{ orderId: string; saga: SagaRow }>;
  /**
   * Books G1, then contracts the order in CPQ (the Contract button) and waits until Revline links the Salesforce
   * contract to its own: the starting point of every amendment. On the env's account, or on another one seeded
   * with `seedCatalogue`.
   */
  bookAndContractG1(
    account?: Catalogue,
  ): Promise<{ orderId: string; saga: SagaRow; sfContractId: string; seatLineId: string }>;
  /**
   * Maps the premium analytics module (product code ANALYTICS) to a Stripe price of 3,000.00 a year of its own
   * (performance obligation POB-ANALYTICS, monthly_prorated) through a proposed and approved mapping version;
   * returns the price id.
   */
  mapPremiumModule(): Promise<string>;
  /**
   * A Stripe customer living on a test clock frozen at `frozenAt` (ISO date-time), set on the Salesforce account as
   * its billing id (Account.Revline_Billing_Id__c, which the mapping reads as customer.billingCustomerId): every
   * order of the account is billed in that clock's time.
   */
  customerOnTestClock(frozenAt: string, accountId?: string): Promise<{ customerId: string; clockId: string }>;
  /** Advances a Stripe test clock to `to` (ISO date-time) and waits until what it set off has settled. */
  advanceClock(clockId: string, to: string): Promise<void>;
  /** Waits until every outbox is published and every queue is idle, twice in a row: the system is at rest. */
  settle(): Promise<void>;
  /** Waits until the contract has `count` sagas, all completed; describes them when they do not. */
  completed(contractId: string, count: number, timeoutMs?: number): Promise<SagaRow[]>;
  close(): Promise<void>;
}

/**
 * `extraEnv` goes to the four apps; `sandboxEnv` to the three sandboxes (e.g. SANDBOX_PROFILE=realistic).
 */
export async function startQ2cEnv(
  extraEnv: Record<string, string> = {},
  sandboxEnv: Record<string, string> = {},
): Promise<Q2cEnv> {
  const apps: Array<[name: string, app: TestApp]> = [];
  const db = await createTestDatabase(Q2C);
  for (const database of [SALESFORCE, BILLING, ERP])
    await runMigrations(appDataSourceOptions(database, db.url));
  const sfSandbox = await createTestApp(SalesforceSandboxModule, SANDBOXES[0].spec, {
    SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    ...sandboxEnv,
  });
  const stripeSandbox = await createTestApp(StripeSandboxModule, SANDBOXES[1].spec, {
    SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
    ...sandboxEnv,
  });
  const netsuite = await startSandbox(sandboxEnv);
  const stripePort = new URL(stripeSandbox.url).port;
  const env = {
    ...erpEnv(netsuite.url),
    OUTBOX_RELAY: 'on',
    OUTBOX_POLL_MS: '50',
    LOG_LEVEL: 'warn',
    STRIPE_PORT: stripePort,
    STRIPE_TIMEOUT_MS: '2000',
    STRIPE_EVENTS_POLL_MS: '0',
    // The fast sandbox limits nothing, so neither does the client's Stripe limiter here (as in the e2e stack); its
    // pacing is proven against the realistic profile.
    STRIPE_RATE_LIMIT_PER_SECOND: '100000',
    STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '100000',
    SALESFORCE_LOGIN_URL: sfSandbox.url,
    SALESFORCE_POLL_INTERVAL_MS: '300',
    PARKED_SWEEP_MS: '200',
    SAGA_SWEEP_MS: '200',
    ...extraEnv,
  };
  const billing = await createTestApp(BillingModule, BILLING_APP, env);
  apps.push(['system-billing', billing]);
  const erp = await createTestApp(ErpModule, ERP_APP, env);
  apps.push(['system-erp', erp]);
  const stripe = new Stripe('sk_test_revline_sandbox', {
    host: '127.0.0.1',
    port: Number(stripePort),
    protocol: 'http',
  });
  await stripe.webhookEndpoints.create({ url: `${billing.url}/v1/webhooks/stripe`, enabled_events: ['*'] });
  const sales = await loginToSandbox(sfSandbox.url);
  const catalogue = await seedCatalogue(sales);
  const salesforce = await createTestApp(SalesforceModule, SALESFORCE_APP, env);
  apps.push(['system-salesforce', salesforce]);
  // process-q2c last: it reads the system APIs (reconciliation) with its own service key.
  const q2c = await createTestApp(Q2cModule, Q2C_APP, {
    SYSTEM_SALESFORCE_URL: salesforce.url,
    SYSTEM_BILLING_URL: billing.url,
    SYSTEM_ERP_URL: erp.url,
    SERVICE_API_KEY: `rvl_service_${randomBytes(18).toString('base64url')}`,
    // No nightly job scheduler: its delayed job would keep settle() from ever seeing idle queues. Revenue is posted
    // at period close (the default); a spec whose subject is the legacy per-contract journals passes
    // REVENUE_POSTING=at_booking in `extraEnv`.
    RECONCILIATION_CRON: 'off',
    ...extraEnv,
  });
  apps.push(['process-q2c', q2c]);
  const admin = await seedApiKey(db.dataSource, ['integration.admin']);
  const checker = await seedApiKey(db.dataSource, ['integration.admin']);

  const product = await stripe.products.create({ name: 'Seat' });
  const price = await stripe.prices.create({
    product: product.id,
    currency: 'usd',
    unit_amount: 120_000,
    recurring: { interval: 'year' },
  });
  const active = await request(q2c.url).get('/v1/mappings/active').set(bearer(admin)).expect(200);
  const { definition, version: baseVersion } = active.body as {
    definition: MappingDefinition;
    version: number;
  };
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
    .set(bearer(admin))
    .send({ summary: 'Seats billed annually from the Stripe price', baseVersion, definition: proposal })
    .expect(201);
  await request(q2c.url)
    .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
    .set(bearer(checker))
    .send({ reason: 'Checked against Stripe' })
    .expect(200);

  const sagas = (contractId: string): Promise<SagaRow[]> =>
    db.dataSource.query<SagaRow[]>(
      `SELECT * FROM "q2c"."sagas" WHERE "contract_id" = $1 ORDER BY "saga_id"`,
      [contractId],
    );
  const completed = async (contractId: string, count: number, timeoutMs = 40_000): Promise<SagaRow[]> => {
    const done = await eventually<SagaRow[] | undefined>(async () => {
      const rows = await sagas(contractId);
      return rows.length === count && rows.every((r) => r.status === 'completed') ? rows : undefined;
    }, timeoutMs).catch(async (error: unknown) => {
      const exceptions = await db.dataSource.query(
        `SELECT category, reason, job FROM "q2c"."exceptions" UNION ALL
         SELECT category, reason, job FROM "billing"."exceptions" UNION ALL
         SELECT category, reason, job FROM "erp"."exceptions"`,
      );
      throw new Error(
        `sagas of ${contractId} did not complete: ${JSON.stringify(await sagas(contractId))} ${JSON.stringify(exceptions)} ${String(error)}`,
      );
    });
    return done ?? [];
  };
  const queues = q2c.app.get(Queues, { strict: false });
  const unpublished = async (): Promise<number> => {
    const rows = await db.dataSource.query<Array<{ n: number }>>(
      `SELECT ((SELECT count(*) FROM "q2c"."outbox" WHERE "published_at" IS NULL)
        + (SELECT count(*) FROM "billing"."outbox" WHERE "published_at" IS NULL)
        + (SELECT count(*) FROM "erp"."outbox" WHERE "published_at" IS NULL)
        + (SELECT count(*) FROM "salesforce"."outbox" WHERE "published_at" IS NULL))::int AS n`,
    );
    return rows.at(0)?.n ?? 0;
  };
  const settle = async (): Promise<void> => {
    for (let quiet = 0; quiet < 2;) {
      await eventually(async () => (await unpublished()) === 0, 20_000);
      await waitForQueuesIdle(await queues.all());
      quiet = (await unpublished()) === 0 ? quiet + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const bookG1 = async (account: Catalogue = catalogue): Promise<{ orderId: string; saga: SagaRow }> => {
    const [orderId] = await createDraftOrders(sales, account, 1);
    if (!orderId) throw new Error('no order');
    await activateOrders(sales, [orderId]);
    const saga = (await completed(orderId, 1)).at(0);
    if (!saga) throw new Error('no saga');
    return { orderId, saga };
  };
  /** Proposes a definition built on `baseVersion` (the active version it was read from) and approves it. */
  const approve = async (
    summary: string,
    baseVersion: number,
    definition: MappingDefinition,
  ): Promise<void> => {
    const proposed = await request(q2c.url)
      .post('/v1/mappings/versions')
      .set(bearer(admin))
      .send({ summary, baseVersion, definition })
      .expect(201);
    await request(q2c.url)
      .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
      .set(bearer(checker))
      .send({ reason: 'Checked against Stripe' })
      .expect(200);
  };
  const seconds = (iso: string): number => Math.floor(Date.parse(iso) / 1000);
  return {
    async mapPremiumModule() {
      const moduleProduct = await stripe.products.create({ name: 'Premium analytics' });
      const modulePrice = await stripe.prices.create({
        product: moduleProduct.id,
        currency: 'usd',
        unit_amount: 300_000,
        recurring: { interval: 'year' },
      });
      const current = await request(q2c.url).get('/v1/mappings/active').set(bearer(admin)).expect(200);
      const { definition: mapping, version } = current.body as {
        definition: MappingDefinition;
        version: number;
      };
      await approve('Map the premium analytics module', version, {
        ...mapping,
        productCatalogue: [
          ...mapping.productCatalogue.filter((entry) => entry.productCode !== 'ANALYTICS'),
          {
            productCode: 'ANALYTICS',
            billingPriceId: modulePrice.id,
            erpItemId: 'ITEM-ANALYTICS',
            revenueTreatment: 'monthly_prorated',
            ssp: '3000',
            unitPricePeriod: 'year',
            pobId: 'POB-ANALYTICS',
            productClass: 'subscription',
            chargeType: 'recurring',
          },
        ],
      });
      return modulePrice.id;
    },
    async customerOnTestClock(frozenAt: string, accountId = catalogue.accountId) {
      const clock = await stripe.testHelpers.testClocks.create({
        frozen_time: seconds(frozenAt),
        name: `Revline scenario from ${frozenAt}`,
      });
      const customer = await stripe.customers.create({ name: 'Acme Corp', test_clock: clock.id });
      await sales.sobject('Account').update({ Id: accountId, Revline_Billing_Id__c: customer.id });
      return { customerId: customer.id, clockId: clock.id };
    },
    async advanceClock(clockId: string, to: string) {
      await stripe.testHelpers.testClocks.advance(clockId, { frozen_time: seconds(to) });
      await eventually(
        async () => (await stripe.testHelpers.testClocks.retrieve(clockId)).status === 'ready',
        20_000,
      );
      await settle();
    },
    settle,
    db,
    q2c,
    billing,
    erp,
    salesforce,
    sfSandbox,
    stripeSandbox,
    netsuite,
    sales,
    stripe,
    catalogue,
    admin,
    sagas,
    completed,
    bookG1: () => bookG1(),
    async bookAndContractG1(account: Catalogue = catalogue) {
      const { orderId, saga } = await bookG1(account);
      const contracted = await request(sfSandbox.url)
        .post('/sandbox/cpq/contracts')
        .send({ orderId, termMonths: 12 })
        .expect(201);
      const sfContractId = (contracted.body as { contractId: string }).contractId;
      const items = await sales.query<{ Id: string }>(
        `SELECT Id FROM OrderItem WHERE OrderId = '${orderId}'`,
      );
      const seatLineId = items.records[0]?.Id ?? '';
      // The contracts are linked once the order's second capture (ContractId set) is normalised.
      await eventually(async () => {
        const rows = await db.dataSource.query<unknown[]>(
          `SELECT 1 FROM "q2c"."contract_refs" WHERE "salesforce_contract_id" = $1`,
          [sfContractId],
        );
        return rows.length > 0;
      }, 20_000);
      return { orderId, saga, sfContractId, seatLineId };
    },
    async close() {
      // Each app and sandbox closed in turn; one that takes long is named, so a slow shutdown says whose it is.
      const timed = async (name: string, close: () => Promise<void>) => {
        const started = performance.now();
        await close();
        const ms = performance.now() - started;
        if (ms > 5_000) process.stderr.write(`q2c-env: closing ${name} took ${Math.round(ms)} ms\n`);
      };
      for (const [name, app] of [...apps].reverse()) await timed(name, () => app.close());
      await timed('netsuite sandbox', () => netsuite.close());
      await timed('stripe sandbox', () => stripeSandbox.close());
      await timed('salesforce sandbox', () => sfSandbox.close());
      await db.drop();
    },
  };
}
