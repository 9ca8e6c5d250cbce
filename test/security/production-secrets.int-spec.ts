import type { ConfigClass } from '@revline/config';
import {
  AuthConfig,
  ConfigError,
  DOCUMENTED_DEFAULT_SECRETS,
  loadConfig,
  secretMinimums,
} from '@revline/config';
import { describe, expect, it } from 'vitest';
import { ProcessQ2cConfig } from '../../apps/experience-finance/src/process-q2c/process-q2c.config';
import { ReconciliationConfig } from '../../apps/process-q2c/src/reconciliation/reconciliation.config';
import { NetSuiteSandboxConfig } from '../../apps/sandbox/src/netsuite/netsuite-sandbox.config';
import { SalesforceSandboxConfig } from '../../apps/sandbox/src/salesforce/sandbox-config';
import { StripeSandboxConfig } from '../../apps/sandbox/src/stripe/stripe-sandbox.config';
import { StripeConfig } from '../../apps/system-billing/src/stripe/stripe.config';
import { NetSuiteConfig } from '../../apps/system-erp/src/netsuite/netsuite.config';
import { SalesforceConfig } from '../../apps/system-salesforce/src/config';

const PRODUCTION = { NODE_ENV: 'production' };

/** Every namespace holding a secret, with a value of its own for each secret (long enough, of the right shape). */
const NAMESPACES: [ConfigClass<object>, Record<string, string>][] = [
  [AuthConfig, { BOOTSTRAP_ADMIN_API_KEY: 'rvl_admin_4mA9qZ2vR7xK1pL8sT3wY6bN0cF5hJ' }],
  [ReconciliationConfig, { SERVICE_API_KEY: 'rvl_svc_8dK2mQ7xV1zP4rT9wB6nL3cH5jF0sA' }],
  [ProcessQ2cConfig, { PROCESS_Q2C_API_KEY: 'rvl_svc_2hG7kP4mX9vQ1zR6tW3nB8cL5jD0sF' }],
  [
    StripeConfig,
    {
      STRIPE_SECRET_KEY: 'sk_test_51Pq8rT2vX9kL4mN7bC1dF6gH3jK0wZ5yA',
      STRIPE_WEBHOOK_SECRETS: 'whsec_9kL2mQ7xV1zP4rT8wB6nL3cH5jF0sAd',
    },
  ],
  [
    NetSuiteConfig,
    {
      NETSUITE_CONSUMER_SECRET: 'c0ns7m3rS3cr3tc0ns7m3rS3cr3t12345678',
      NETSUITE_TOKEN_SECRET: 't0k3nS3cr3tt0k3nS3cr3tt0k3nS3cr3t9876',
    },
  ],
  [
    SalesforceConfig,
    {
      SALESFORCE_CLIENT_SECRET: 'Cl13ntS3cr3tCl13ntS3cr3tCl13ntS3cr3t',
      SALESFORCE_PASSWORD: 'Pa55word-and-token',
    },
  ],
  [
    SalesforceSandboxConfig,
    {
      SANDBOX_SF_CLIENT_SECRET: 'Cl13ntS3cr3tCl13ntS3cr3tCl13ntS3cr3t',
      SANDBOX_SF_PASSWORD: 'Pa55word-and-token',
    },
  ],
  [
    NetSuiteSandboxConfig,
    {
      SANDBOX_NETSUITE_CONSUMER_SECRET: 'c0ns7m3rS3cr3tc0ns7m3rS3cr3t12345678',
      SANDBOX_NETSUITE_TOKEN_SECRET: 't0k3nS3cr3tt0k3nS3cr3tt0k3nS3cr3t9876',
    },
  ],
  [StripeSandboxConfig, { SANDBOX_STRIPE_WEBHOOK_SECRET: 'whsec_9kL2mQ7xV1zP4rT8wB6nL3cH5jF0sAd' }],
];

/** Each secret of each namespace paired with each documented default of a shape the namespace accepts. */
const DEFAULT_CASES = NAMESPACES.flatMap(([cls, strong]) =>
  Object.keys(strong).flatMap((key) =>
    DOCUMENTED_DEFAULT_SECRETS.map((value) => ({ namespace: cls.name, cls, strong, key, value })),
  ),
).filter(({ cls, strong, key, value }) => {
  try {
    loadConfig(cls, { ...strong, [key]: value });
    return true;
  } catch {
    return false; // malformed for this variable (a Stripe key that is not sk_…): refused in every environment
  }
});

/** The namespaces whose secrets default to the sandbox's, with those secrets. */
const SANDBOX_DEFAULT_CASES = NAMESPACES.map(([cls, strong]) => ({
  namespace: cls.name,
  cls,
  keys: Object.keys(strong).filter((key) => typeof (new cls() as Record<string, unknown>)[key] === 'string'),
})).filter(({ keys }) => keys.length > 0);

function refusal(cls: ConfigClass<object>, env: Record<string, string>): string {
  try {
    loadConfig(cls, { ...PRODUCTION, ...env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`${cls.name} started in production with ${JSON.stringify(Object.keys(env))}`);
}

describe('secrets outside development', () => {
  it('covers every secret of every namespace', () => {
    for (const [cls, strong] of NAMESPACES)
      expect(Object.keys(strong).sort()).toEqual(
        [...secretMinimums(new cls()).keys()].filter((k) => k !== 'SALESFORCE_JWT_PRIVATE_KEY').sort(),
      );
  });

  it.each(NAMESPACES.map(([cls, strong]) => ({ namespace: cls.name, cls, strong })))(
    '$namespace starts in production with secrets of its own, and in development with its defaults',
    ({ cls, strong }) => {
      expect(() => loadConfig(cls, { ...PRODUCTION, ...strong })).not.toThrow();
      expect(() => loadConfig(cls, { REVLINE_ENV: 'development' })).not.toThrow();
    },
  );

  it.each(DEFAULT_CASES)(
    '$namespace refuses $key = the documented "$value"',
    ({ cls, strong, key, value }) => {
      const message = refusal(cls, { ...strong, [key]: value });
      expect(message).toContain(`${key} is a documented default or placeholder (anyone can read it)`);
      expect(message).not.toContain(value);
    },
  );

  it.each(SANDBOX_DEFAULT_CASES)(
    '$namespace refuses its own defaults with REVLINE_ENV=staging',
    ({ cls, keys }) => {
      const message = refusal(cls, { REVLINE_ENV: 'staging' });
      for (const key of keys) expect(message).toContain(`${key} is a documented default`);
    },
  );

  it('refuses a placeholder and a secret shorter than its minimum, naming the variable', () => {
    expect(refusal(AuthConfig, { BOOTSTRAP_ADMIN_API_KEY: 'change-me-please-to-something-long' })).toContain(
      'BOOTSTRAP_ADMIN_API_KEY is a documented default or placeholder',
    );
    expect(refusal(AuthConfig, { BOOTSTRAP_ADMIN_API_KEY: 'a'.repeat(31) })).toContain(
      'BOOTSTRAP_ADMIN_API_KEY is shorter than its minimum of 32 characters outside development',
    );
    const rotating = {
      STRIPE_WEBHOOK_SECRETS: 'whsec_9kL2mQ7xV1zP4rT8wB6nL3cH5jF0sAd,whsec_revline_sandbox',
    };
    expect(
      refusal(StripeConfig, { STRIPE_SECRET_KEY: 'sk_live_51Pq8rT2vX9kL4mN7bC1dF6gH3jK0wZ5yA', ...rotating }),
    ).toContain('STRIPE_WEBHOOK_SECRETS is a documented default');
  });

  it('refuses the sandbox credentials pointed at a real vendor host', () => {
    const [, salesforce] = NAMESPACES.find(([cls]) => cls === SalesforceConfig)!;
    expect(
      refusal(SalesforceConfig, { ...salesforce, SALESFORCE_LOGIN_URL: 'https://login.salesforce.com' }),
    ).toMatch(
      /SALESFORCE_USERNAME is the sandbox's default but SALESFORCE_LOGIN_URL points at login\.salesforce\.com/,
    );
    const [, netsuite] = NAMESPACES.find(([cls]) => cls === NetSuiteConfig)!;
    expect(
      refusal(NetSuiteConfig, {
        ...netsuite,
        NETSUITE_ACCOUNT: '123456_SB1',
        NETSUITE_BASE_URL: 'https://123456-sb1.suitetalk.api.netsuite.com',
      }),
    ).toContain(
      "NETSUITE_CONSUMER_KEY is the sandbox's default but NETSUITE_BASE_URL points at 123456-sb1.suitetalk.api.netsuite.com",
    );
    expect(refusal(StripeConfig, { STRIPE_HOST: 'api.stripe.com' })).toContain(
      'STRIPE_SECRET_KEY is a documented default',
    );
  });
});
