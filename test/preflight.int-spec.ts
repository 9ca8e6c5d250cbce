import { bearer, seedApiKey } from '@revline/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
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
        'stripe.prices',
        'stripe.meters',
        'netsuite.credentials',
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

  it('fails, naming the product, when the active mapping names a Stripe price that does not exist', async () => {
    await mapSeatTo(env, 'price_nobody_created');
    const outcome = await preflightJson(env);
    expect(outcome.code).toBe(1);
    expect(outcome.failing.map((c) => c.id)).toEqual(['stripe.prices']);
    expect(outcome.failing[0]?.detail).toBe('SEAT: no price price_nobody_created in Stripe');
    expect(outcome.failing[0]?.fix).toMatch(/map the product to an existing active price/);
  });
});

describe('npm run preflight against a sandbox org without one custom field', () => {
  let env: Q2cEnv;
  beforeAll(async () => {
    env = await startQ2cEnv({}, { ...SEEDED, SANDBOX_SF_ABSENT_FIELDS: 'Order.Revline_ERP_Id__c' });
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
    expect(stdout).toMatch(/preflight: 1 check\(s\) failed: salesforce\.custom-fields\n$/);
  });
});
