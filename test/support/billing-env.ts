import type { TestApp, TestDatabase } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import Stripe from 'stripe';
import { SANDBOXES } from '../../apps/sandbox/src/app.info';
import { StripeSandboxModule } from '../../apps/sandbox/src/stripe/stripe-sandbox.module';
import { AppModule } from '../../apps/system-billing/src/app.module';
import { APP } from '../../apps/system-billing/src/app.info';
import { DATABASE } from '../../apps/system-billing/src/database';

export interface BillingEnv {
  db: TestDatabase;
  sandbox: TestApp;
  billing: TestApp;
  /** The official SDK pointed at the sandbox. */
  stripe: Stripe;
  close(): Promise<void>;
}

/**
 * A fresh database, the Stripe sandbox (sending no webhooks unless a spec registers an endpoint) and
 * system-billing pointed at it, with the given system-billing settings.
 */
export async function startBillingEnv(billingEnv: Record<string, string>): Promise<BillingEnv> {
  const db = await createTestDatabase(DATABASE);
  const sandbox = await createTestApp(StripeSandboxModule, SANDBOXES[1].spec, {
    SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
  });
  const port = new URL(sandbox.url).port;
  const billing = await createTestApp(AppModule, APP, {
    STRIPE_PORT: port,
    STRIPE_EVENTS_POLL_MS: '0',
    ...billingEnv,
  });
  const stripe = new Stripe('sk_test_revline_sandbox', {
    host: '127.0.0.1',
    port: Number(port),
    protocol: 'http',
  });
  return {
    db,
    sandbox,
    billing,
    stripe,
    async close() {
      await billing.close();
      await sandbox.close();
      await db.drop();
    },
  };
}
