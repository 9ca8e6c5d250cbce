import { AuthConfig, loadConfig } from '@revline/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProcessQ2cConfig } from '../../apps/experience-finance/src/process-q2c/process-q2c.config';
import { ReconciliationConfig } from '../../apps/process-q2c/src/reconciliation/reconciliation.config';
import { NetSuiteSandboxConfig } from '../../apps/sandbox/src/netsuite/netsuite-sandbox.config';
import { SalesforceSandboxConfig } from '../../apps/sandbox/src/salesforce/sandbox-config';
import { StripeSandboxConfig } from '../../apps/sandbox/src/stripe/stripe-sandbox.config';
import { StripeConfig } from '../../apps/system-billing/src/stripe/stripe.config';
import { NetSuiteConfig } from '../../apps/system-erp/src/netsuite/netsuite.config';
import { SalesforceConfig } from '../../apps/system-salesforce/src/config';

const ROOT = join(__dirname, '../..');
const compose = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
const GENERATOR = join(ROOT, 'scripts/compose-env.mjs');

async function generated(): Promise<Record<string, string>> {
  const { composeSecrets } = (await import(GENERATOR)) as { composeSecrets(): Record<string, string> };
  return composeSecrets();
}

/** The lines of one top-level service of docker-compose.yml. */
function service(name: string): string {
  const match = new RegExp(`^  ${name}:\\n((?:    .*\\n|\\s*\\n)*)`, 'm').exec(compose);
  if (!match) throw new Error(`no service ${name} in docker-compose.yml`);
  return match[1];
}

describe("docker compose's secrets", () => {
  it('demands every secret it uses, and npm run compose:env makes each one', async () => {
    const demanded = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]));
    const used = new Set([...compose.matchAll(/\$\{([A-Z0-9_]+)[:}]/g)].map((m) => m[1]));
    // The optional ones: the sandbox's profile, and the OTLP endpoint that switches tracing on (empty: off).
    expect([...used].filter((name) => !demanded.has(name)).sort()).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'SANDBOX_PROFILE',
    ]);
    expect([...demanded].sort()).toEqual(Object.keys(await generated()).sort());
    expect(compose).not.toMatch(/change-me|POSTGRES_PASSWORD: postgres\b/);
  });

  it('publishes no Postgres or Redis port, and Redis asks for a password', () => {
    expect(service('postgres')).not.toMatch(/ports:/);
    expect(service('redis')).not.toMatch(/ports:/);
    expect(service('redis')).toMatch(/- --requirepass\n\s+- \$\{REDIS_PASSWORD:\?/);
    expect(compose).toMatch(/REDIS_URL: redis:\/\/:\$\{REDIS_PASSWORD:\?/);
  });

  it("gives each app a database role of its own, the one migrate makes its schema's owner", () => {
    const apps = ['experience-finance', 'process-q2c', 'system-salesforce', 'system-billing', 'system-erp'];
    const roles = apps.map((app) => {
      const url = /DATABASE_URL: postgres:\/\/(\w+):\$\{(\w+)\}@/.exec(service(app));
      const variable = `${app.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
      expect(service('migrate')).toContain(`${variable}: postgres://${url?.[1]}:\${${url?.[2]}:?`);
      return url?.[1];
    });
    expect(new Set(roles).size).toBe(apps.length);
    expect(roles).not.toContain('postgres');
  });

  it('makes secrets every app accepts in production', async () => {
    const s = await generated();
    const production = { NODE_ENV: 'production' };
    const starts = [
      () => loadConfig(AuthConfig, { ...production, BOOTSTRAP_ADMIN_API_KEY: s.BOOTSTRAP_ADMIN_API_KEY }),
      () => loadConfig(ReconciliationConfig, { ...production, SERVICE_API_KEY: s.SERVICE_API_KEY }),
      () => loadConfig(ProcessQ2cConfig, { ...production, PROCESS_Q2C_API_KEY: s.PROCESS_Q2C_API_KEY }),
      () =>
        loadConfig(SalesforceConfig, {
          ...production,
          SALESFORCE_CLIENT_SECRET: s.SANDBOX_SF_CLIENT_SECRET,
          SALESFORCE_PASSWORD: s.SANDBOX_SF_PASSWORD,
        }),
      () =>
        loadConfig(StripeConfig, {
          ...production,
          STRIPE_SECRET_KEY: s.STRIPE_SECRET_KEY,
          STRIPE_WEBHOOK_SECRETS: s.SANDBOX_STRIPE_WEBHOOK_SECRET,
        }),
      () =>
        loadConfig(NetSuiteConfig, {
          ...production,
          NETSUITE_CONSUMER_SECRET: s.SANDBOX_NETSUITE_CONSUMER_SECRET,
          NETSUITE_TOKEN_SECRET: s.SANDBOX_NETSUITE_TOKEN_SECRET,
        }),
      () => loadConfig(SalesforceSandboxConfig, { ...production, ...s }),
      () => loadConfig(StripeSandboxConfig, { ...production, ...s }),
      () => loadConfig(NetSuiteSandboxConfig, { ...production, ...s }),
    ];
    for (const start of starts) expect(start).not.toThrow();
    expect((await generated()).REDIS_PASSWORD).not.toBe(s.REDIS_PASSWORD);
  });
});
