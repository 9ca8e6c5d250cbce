// `npm run compose:env`: writes .env for docker compose with a fresh random value for every secret it demands
// (see README, "Security"). An existing .env is left alone; delete it first to make new secrets.
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const random = (bytes = 32) => randomBytes(bytes).toString('base64url');
const hex = (bytes = 32) => randomBytes(bytes).toString('hex');

/** Every secret docker-compose.yml demands, with how its value is made (URL-safe: passwords go into URLs). */
export function composeSecrets() {
  return {
    POSTGRES_PASSWORD: random(),
    EXPERIENCE_FINANCE_DB_PASSWORD: random(),
    PROCESS_Q2C_DB_PASSWORD: random(),
    SYSTEM_SALESFORCE_DB_PASSWORD: random(),
    SYSTEM_BILLING_DB_PASSWORD: random(),
    SYSTEM_ERP_DB_PASSWORD: random(),
    REDIS_PASSWORD: random(),
    BOOTSTRAP_ADMIN_API_KEY: `rvl_admin_${random()}`,
    SERVICE_API_KEY: `rvl_svc_${random()}`,
    PROCESS_Q2C_API_KEY: `rvl_svc_${random()}`,
    SANDBOX_SF_CLIENT_SECRET: hex(),
    SANDBOX_SF_PASSWORD: random(18),
    STRIPE_SECRET_KEY: `sk_test_${hex(24)}`,
    SANDBOX_STRIPE_WEBHOOK_SECRET: `whsec_${hex(24)}`,
    SANDBOX_NETSUITE_CONSUMER_SECRET: hex(),
    SANDBOX_NETSUITE_TOKEN_SECRET: hex(),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = join(ROOT, '.env');
  if (existsSync(path)) {
    process.stdout.write('.env exists: left as it is (delete it to make new secrets)\n');
  } else {
    const lines = Object.entries(composeSecrets()).map(([name, value]) => `${name}=${value}`);
    writeFileSync(
      path,
      `# docker compose's secrets, made by npm run compose:env. Keep this file private.\n${lines.join('\n')}\n`,
      {
        mode: 0o600,
      },
    );
    process.stdout.write(`.env written with ${lines.length} fresh secrets\n`);
  }
}
