import { bearer, seedApiKey } from '@revline/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MappingDefinition } from '../apps/process-q2c/src/mappings/mapping-definition';
import type { Q2cEnv } from './q2c/q2c-env';
import { startQ2cEnv } from './q2c/q2c-env';

interface Check {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}
interface Outcome {
  code: number | null;
  stdout: string;
  failing: Check[];
  checks: Check[];
}

/** The sandbox as `npm start` runs it: the default mapping's prices, meter and items set up in the accounts. */
const SEEDED = { SANDBOX_SEED_CATALOGUE: 'default' };

/** `npm run preflight` as an operator runs it, pointed at the env's apps with its admin key. */
function preflight(env: Q2cEnv, args: string[] = []): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [join(__dirname, '..', 'scripts', 'preflight.mjs'), ...args], {
    env: {
      ...process.env,
      BOOTSTRAP_ADMIN_API_KEY: env.admin,
      PROCESS_Q2C_URL: env.q2c.url,
      SYSTEM_SALESFORCE_URL: env.salesforce.url,
      SYSTEM_BILLING_URL: env.billing.url,
      SYSTEM_ERP_URL: env.erp.url,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      resolve({ code, stdout });
    });
  });
}

async function preflightJson(env: Q2cEnv): Promise<Outcome> {
  const { code, stdout } = await preflight(env, ['--json']);
  const report = JSON.parse(stdout) as { reports: Array<{ checks: Check[] }> };
  const checks = report.reports.flatMap((r) => r.checks);
  return { code, stdout, checks, failing: checks.filter((c) => c.status === 'fail') };
}

/** A Stripe event of a type Revline does not read, delivered to system-billing signed with `secret`, as Stripe would. */
async function deliverWebhook(env: Q2cEnv, secret: string, expected: number): Promise<void> {
  const payload = JSON.stringify({
    id: `evt_preflight_${String(Date.now())}`,
    object: 'event',
    type: 'customer.created',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: 'cus_preflight', object: 'customer' } },
  });
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  await request(env.billing.url)
    .post('/v1/webhooks/stripe')
    .set('content-type', 'application/json')
    .set('stripe-signature', header)
    .send(payload)
    .expect(expected);
}

/** Maps SEAT to `priceId` through a proposed and approved mapping version. */
async function mapSeatTo(env: Q2cEnv, priceId: string): Promise<void> {
  const checker = await seedApiKey(env.db.dataSource, ['integration.admin'], 'preflight checker');
  const active = await request(env.q2c.url).get('/v1/mappings/active').set(bearer(env.admin)).expect(200);
  const { definition, version } = active.body as { definition: MappingDefinition; version: number };
  const proposed = await request(env.q2c.url)
    .post('/v1/mappings/versions')
    .set(bearer(env.admin))
    .send({
      summary: 'Seats on a price nobody created',
      baseVersion: version,
      definition: {
        ...definition,
        productCatalogue: definition.productCatalogue.map((e) =>
          e.productCode === 'SEAT' ? { ...e, billingPriceId: priceId } : e,
        ),
      },
    })
    .expect(201);
  await request(env.q2c.url)
    .post(`/v1/mappings/versions/${String((proposed.body as { version: number }).version)}/approve`)
    .set(bearer(checker))
    .send({ reason: 'Approved without looking in Stripe' })
    .expect(200);
}

describe('npm run preflight against the sandbox', () => {
  let env: Q2cEnv;
  beforeAll(async () => {
    env = await startQ2cEnv({}, SEEDED);
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  it('passes every check of the three vendors, the mapped products included', async () => {
    await deliverWebhook(env, 'whsec_revline_sandbox', 200);
    const outcome = await preflightJson(env);
    expect(outcome.failing).toEqual([]);
    expect(outcome.code).toBe(0);
    const passed = outcome.checks.filter((c) => c.status === 'pass').map((c) => c.id);
    expect(passed).toEqual(
      expect.arrayContaining([
        'salesforce.credentials',
        'salesforce.custom-fields',
        'salesforce.permissions',
        'salesforce.change-data-capture',
        'salesforce.api-allocation',
        'stripe.credentials',
        'stripe.webhook-endpoint',
        'stripe.webhook-secret',
        'stripe.prices',
        'stripe.meters',
        'netsuite.credentials',
        'netsuite.concurrency',
        'netsuite.permissions',
        'netsuite.custom-fields',
        'netsuite.accounting-periods',
        'netsuite.items',
      ]),
    );
    expect(outcome.checks.filter((c) => c.status === 'skip')).toEqual([]);
  });

  it('serves the same checks as JSON on each system API, to admins only', async () => {
    const answer = await request(env.erp.url)
      .get('/health/vendors')
      .query({ products: 'SEAT=ITEM-SEAT,GHOST=ITEM-GHOST' })
      .set(bearer(env.admin))
      .expect(200);
    const body = answer.body as { vendor: string; ok: boolean; checks: Check[] };
    expect(body.vendor).toBe('netsuite');
    expect(body.ok).toBe(false);
    expect(body.checks.find((c) => c.id === 'netsuite.items')?.detail).toBe(
      'GHOST: no active item with external id ITEM-GHOST',
    );
    await request(env.billing.url).get('/health/vendors').expect(401);
  });

  it('fails when Stripe signs its deliveries with a secret STRIPE_WEBHOOK_SECRETS does not hold', async () => {
    const secretCheck = async () => {
      const answer = await request(env.billing.url).get('/health/vendors').set(bearer(env.admin)).expect(200);
      return (answer.body as { checks: Check[] }).checks.find((c) => c.id === 'stripe.webhook-secret');
    };
    await deliverWebhook(env, 'whsec_of_another_endpoint', 400);
    await deliverWebhook(env, 'whsec_of_another_endpoint', 400);
    const refused = await secretCheck();
    expect(refused?.status).toBe('fail');
    expect(refused?.detail).toMatch(
      /^2 deliveries refused since the last verified one at .*: no signature matched the 1 secret\(s\) configured$/,
    );
    expect(refused?.fix).toMatch(/^Copy the endpoint's signing secret/);
    // Once the secret is right, the next delivery verifies and the check passes again.
    await deliverWebhook(env, 'whsec_revline_sandbox', 200);
    expect((await secretCheck())?.status).toBe('pass');
  });

  it("fails when Revline's concurrency is above the threads NetSuite's governance gives the integration", async () => {
    const governance = (body: object) =>
      request(env.netsuite.url).post('/sandbox/concurrency').send(body).expect(200);
    await governance({ limit: 5, integrationLimit: 3 });
    try {
      const answer = await request(env.erp.url).get('/health/vendors').set(bearer(env.admin)).expect(200);
      const check = (answer.body as { checks: Check[] }).checks.find((c) => c.id === 'netsuite.concurrency');
      expect(check).toMatchObject({
        status: 'fail',
        detail:
          'NETSUITE_CONCURRENCY_LIMIT is 5, above the 3 threads allocated to this integration: bursts would be refused with 429',
      });
      expect(check?.fix).toMatch(/^Set NETSUITE_CONCURRENCY_LIMIT to 3 or less/);
    } finally {
      await governance({ limit: 5, integrationLimit: null });
    }
  });

  it('fails, naming the product, when the active mapping names a Stripe price that does not exist', async () => {
    await mapSeatTo(env, 'price_nobody_created');
    const outcome = await preflightJson(env);
    expect(outcome.code).toBe(1);
    expect(outcome.failing.map((c) => c.id)).toEqual(['stripe.prices']);
    expect(outcome.failing[0]?.detail).toBe('SEAT: no price price_nobody_created in Stripe');
    expect(outcome.failing[0]?.fix).toMatch(/map the product to an existing active price/);
  });
});

describe('npm run preflight against a sandbox org without one custom field, and a NetSuite role that is no administrator and lacks journals', () => {
  let env: Q2cEnv;
  beforeAll(async () => {
    env = await startQ2cEnv(
      {},
      {
        ...SEEDED,
        SANDBOX_SF_ABSENT_FIELDS: 'Order.Revline_ERP_Id__c',
        SANDBOX_NETSUITE_ADMINISTRATOR_ROLE: 'false',
        SANDBOX_NETSUITE_ROLE_WITHOUT: 'TRAN_JOURNAL',
      },
    );
  }, 120_000);
  afterAll(async () => {
    await env.close();
  });

  it('fails, naming the field and how to deploy it, and exits 1', async () => {
    const { code, stdout } = await preflight(env);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /\[FAIL\] Revline custom fields .*: missing: Order\.Revline_ERP_Id__c\n\s+fix: Deploy the metadata in vendor\/salesforce/,
    );
    expect(stdout).toMatch(
      /\[FAIL\] The integration role reaches .*: journalEntry: INSUFFICIENT_PERMISSION.*You need the 'Transactions -> Make Journal Entry' permission/,
    );
    expect(stdout).toMatch(
      /preflight: 2 check\(s\) failed: salesforce\.custom-fields, netsuite\.permissions\n$/,
    );
    // governanceLimits answers administrators only: the check says where to compare by hand instead of failing.
    expect(stdout).toMatch(
      /\[skip\] Revline's concurrent requests .*: NetSuite answers governanceLimits to administrators only .*NETSUITE_CONCURRENCY_LIMIT \(5\) with Setup > Integration/,
    );
  });
});
