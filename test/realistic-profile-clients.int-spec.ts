import type { Type } from '@nestjs/common';
import { CrmPort } from '@revline/crm-port';
import { ErpPort } from '@revline/erp-port';
import { TransientError } from '@revline/messaging';
import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../apps/sandbox/src/app.info';
import { NetSuiteSandboxModule } from '../apps/sandbox/src/netsuite/netsuite-sandbox.module';
import { loginToSandbox, seedCatalogue } from '../apps/sandbox/src/salesforce/testing/seed';
import { AppModule as BillingAppModule } from '../apps/system-billing/src/app.module';
import { APP as BILLING_APP } from '../apps/system-billing/src/app.info';
import { StripeGateway } from '../apps/system-billing/src/stripe/stripe-gateway';
import { AppModule as ErpAppModule } from '../apps/system-erp/src/app.module';
import { APP as ERP_APP } from '../apps/system-erp/src/app.info';
import { DATABASE as ERP_DATABASE } from '../apps/system-erp/src/database';
import { SalesforceApi } from '../apps/system-salesforce/src/salesforce/salesforce-api';
import { AppModule as SalesforceAppModule } from '../apps/system-salesforce/src/app.module';
import { APP as SALESFORCE_APP } from '../apps/system-salesforce/src/app.info';
import { DATABASE as SALESFORCE_DATABASE } from '../apps/system-salesforce/src/database';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';
import { erpEnv, SANDBOX_SPEC } from './support/erp-test-env';

interface RateLimitStats {
  admitted: number;
  refused: Record<string, number>;
}

async function rateLimits(sandboxUrl: string): Promise<RateLimitStats> {
  return (await (await fetch(`${sandboxUrl}/sandbox/rate-limits`)).json()) as RateLimitStats;
}

/**
 * Revline's clients against the sandbox's realistic profile: the vendors' own 429s (not injected faults) are
 * waited out and retried, and every call completes; Salesforce's spent allocation is a transient error, not a
 * business one.
 */
describe("Revline's clients under the realistic profile's limits", () => {
  const closing: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
  });

  it("system-erp retries NetSuite's 429 in place when more requests run than the account allows", async () => {
    const db: TestDatabase = await createTestDatabase(ERP_DATABASE);
    closing.push(() => db.drop());
    const sandbox = await createTestApp(NetSuiteSandboxModule as Type, SANDBOX_SPEC, {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_NETSUITE_LATENCY_MS: '100',
      SANDBOX_NETSUITE_CONCURRENCY_LIMIT: '2',
    });
    closing.push(() => sandbox.close());
    // Revline believes the account runs 5 at once; the account runs 2.
    const erpApp: TestApp = await createTestApp(
      ErpAppModule,
      ERP_APP,
      // Backoff long enough for six requests through two slots at 100 ms each: every one gets its turn.
      erpEnv(sandbox.url, { NETSUITE_CONCURRENCY_LIMIT: '5', NETSUITE_RATE_LIMIT_BACKOFF_MS: '50' }),
    );
    closing.push(() => erpApp.close());
    const erp = erpApp.app.get(ErpPort);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        erp.upsertCustomer({
          externalId: `CUS-LIMIT-${String(i)}`,
          name: `Limited ${String(i)}`,
          subsidiary: 'US',
          currency: 'USD',
        }),
      ),
    );
    expect(results).toHaveLength(6);
    const stats = (await (await fetch(`${sandbox.url}/sandbox/stats`)).json()) as Record<string, number>;
    expect(stats.refused).toBeGreaterThan(0);
    expect(stats.maxInFlight).toBe(2);
  });

  it("system-billing retries Stripe's 429 past an endpoint's rate, and its circuit stays closed", async () => {
    Object.assign(process.env, {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '3',
      SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND: '100',
    });
    const env: BillingEnv = await startBillingEnv({
      STRIPE_ATTEMPTS: '8',
      STRIPE_BREAKER_VOLUME_THRESHOLD: '4',
    });
    closing.push(() => env.close());
    const gateway = env.billing.app.get(StripeGateway);
    const created = await Promise.all(
      Array.from({ length: 7 }, (_, i) =>
        gateway.call('customers.create', (stripe) =>
          stripe.customers.create({ name: `Limited ${String(i)}` }),
        ),
      ),
    );
    expect(new Set(created.map((c) => c.id)).size).toBe(7);
    expect(gateway.circuitOpen).toBe(false);
  });

  it("two system-billing instances pace a burst over Stripe's rates through one Redis limiter: no 429 at all", async () => {
    Object.assign(process.env, {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '5',
      SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND: '8',
    });
    const limits = { STRIPE_RATE_LIMIT_PER_SECOND: '8', STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '5' };
    const env: BillingEnv = await startBillingEnv(limits);
    closing.push(() => env.close());
    const second = await createTestApp(BillingAppModule, BILLING_APP, {
      STRIPE_PORT: new URL(env.sandbox.url).port,
      STRIPE_EVENTS_POLL_MS: '0',
      ...limits,
    });
    closing.push(() => second.close());
    const gateways = [env.billing.app.get(StripeGateway), second.app.get(StripeGateway)];
    const before = await rateLimits(env.sandbox.url);
    const started = performance.now();
    const done = await Promise.all([
      ...Array.from({ length: 16 }, (_, i) =>
        gateways[i % 2].call('customers.create', (stripe) =>
          stripe.customers.create({ name: `Paced ${String(i)}` }),
        ),
      ),
      ...Array.from({ length: 8 }, (_, i) =>
        gateways[i % 2].call('customers.list', (stripe) => stripe.customers.list({ limit: 1 })),
      ),
    ]);
    const seconds = (performance.now() - started) / 1_000;
    expect(done).toHaveLength(24);
    const after = await rateLimits(env.sandbox.url);
    expect(after.refused).toEqual(before.refused);
    expect(after.admitted - before.admitted).toBe(24);
    // 24 calls at 8 per second: the first 8 at once, the last ones two windows later; 16 creates at 5 per second
    // take three. The measured rate stays under the account's limit.
    expect(seconds).toBeGreaterThanOrEqual(3);
    expect(24 / seconds).toBeLessThan(8);
  });

  it("system-salesforce takes REQUEST_LIMIT_EXCEEDED past the org's allocation as transient, and learns the usage", async () => {
    const sandbox = await createTestApp(SANDBOXES[0].module, SANDBOXES[0].spec, {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_SF_DAILY_API_REQUESTS: '1000',
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    closing.push(() => sandbox.close());
    const db = await createTestDatabase(SALESFORCE_DATABASE);
    closing.push(() => db.drop());
    const catalogue = await seedCatalogue(await loginToSandbox(sandbox.url));
    const system = await createTestApp(SalesforceAppModule, SALESFORCE_APP, {
      SALESFORCE_LOGIN_URL: sandbox.url,
      SALESFORCE_AUTH_FLOW: 'password',
      SALESFORCE_CAPTURE_ENABLED: 'false',
      OUTBOX_RELAY: 'off',
    });
    closing.push(() => system.close());
    const crm = system.app.get(CrmPort);
    expect((await crm.readAccount(catalogue.accountId))?.id).toBe(catalogue.accountId);
    // Other integrations spend the rest of the day's allocation behind system-salesforce's back.
    const spent = await fetch(`${sandbox.url}/sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiUsage: 1000 }),
    });
    expect(spent.status).toBe(200);
    const refused = await crm.readAccount(catalogue.accountId).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransientError);
    expect((refused as Error).message).toContain('TotalRequests Limit exceeded');
    // The refusal's Sforce-Limit-Info tells the client the allocation is spent, so its next calls wait.
    expect(system.app.get(SalesforceApi).apiUsage()).toEqual({ used: 1001, limit: 1000 });
  });
});
