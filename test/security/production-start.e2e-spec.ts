import { describe, expect, it } from 'vitest';
import { spawnBuilt } from '../support/processes';

/** docker-compose's old placeholder keys, which a production start must refuse. */
const PLACEHOLDERS = {
  BOOTSTRAP_ADMIN_API_KEY: 'change-me-to-a-long-random-admin-key',
  SERVICE_API_KEY: 'change-me-to-a-long-random-q2c-service-key',
  PROCESS_Q2C_API_KEY: 'change-me-to-a-long-random-experience-key',
};

/** Each built app and the variables its refusal names (its first namespace with a default secret, at least). */
const APPS = [
  { app: 'experience-finance', names: ['PROCESS_Q2C_API_KEY'] },
  { app: 'process-q2c', names: ['SERVICE_API_KEY'] },
  { app: 'system-salesforce', names: ['SALESFORCE_CLIENT_SECRET', 'SALESFORCE_PASSWORD'] },
  { app: 'system-billing', names: ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRETS'] },
  { app: 'system-erp', names: ['NETSUITE_CONSUMER_SECRET', 'NETSUITE_TOKEN_SECRET'] },
  { app: 'sandbox', names: ['SANDBOX_SF_CLIENT_SECRET', 'SANDBOX_SF_PASSWORD'] },
];

describe('a production start with a default secret', () => {
  it.each(APPS)('$app refuses to start, naming $names', async ({ app, names }) => {
    const spawned = spawnBuilt(`apps/${app}/main.js`, { NODE_ENV: 'production', ...PLACEHOLDERS });
    const timeout = setTimeout(() => spawned.child.kill('SIGKILL'), 20_000);
    const exit = await spawned.exited;
    clearTimeout(timeout);
    expect(exit).toEqual({ code: 1, signal: null });
    const output = spawned.output();
    expect(output).toMatch(/could not start: Invalid configuration/);
    for (const name of names) {
      expect(output).toContain(`${name} is a documented default or placeholder (anyone can read it)`);
    }
    for (const value of [...Object.values(PLACEHOLDERS), 'revline-sandbox-secret', 'whsec_revline_sandbox']) {
      expect(output).not.toContain(value);
    }
  });
});
