// `npm run preflight`: the go-live checklist of the vendor accounts Revline is configured with (the sandbox by
// default). It reads the active mapping from process-q2c, asks each system API for its vendor's checks
// (GET /health/vendors, the same checks as JSON; products of the mapping passed along), prints one line per check
// with the fix for each failure, and exits 1 when any check failed. The apps must be running (`npm start`, or the
// deployment); their URLs come from PROCESS_Q2C_URL and SYSTEM_{SALESFORCE,BILLING,ERP}_URL, the key from
// BOOTSTRAP_ADMIN_API_KEY (or the one npm start keeps). `--json` prints the reports as JSON instead;
// `--fix` first asks system-billing to create or update the Stripe webhook endpoint (STRIPE_WEBHOOK_URL).
import { adminKey, portOf, revline } from './lib.mjs';

const local = (name) => `http://127.0.0.1:${portOf(name)}`;
const URLS = {
  process: process.env.PROCESS_Q2C_URL ?? local('process-q2c'),
  salesforce: process.env.SYSTEM_SALESFORCE_URL ?? local('system-salesforce'),
  billing: process.env.SYSTEM_BILLING_URL ?? local('system-billing'),
  erp: process.env.SYSTEM_ERP_URL ?? local('system-erp'),
};
/** Each system API, the vendor it speaks to, and which id of a catalogue entry names the product there. */
const SYSTEMS = [
  { app: 'system-salesforce', vendor: 'salesforce', url: URLS.salesforce, idOf: null },
  { app: 'system-billing', vendor: 'stripe', url: URLS.billing, idOf: (entry) => entry.billingPriceId },
  { app: 'system-erp', vendor: 'netsuite', url: URLS.erp, idOf: (entry) => entry.erpItemId },
];

const failed = (id, title, detail, fix) => ({ id, title, status: 'fail', detail, fix });
const unreachable = (app, url, error) =>
  failed(
    `${app}.reachable`,
    `${app} answers at ${url}`,
    error.message,
    error.status === 401 || error.status === 403
      ? 'Use an integration.admin key (BOOTSTRAP_ADMIN_API_KEY)'
      : `Start ${app} (npm start) or point ${app.toUpperCase().replace(/-/g, '_')}_URL at it`,
  );

async function activeCatalogue(key) {
  try {
    const active = await revline(URLS.process, key)('/v1/mappings/active');
    return { catalogue: active.definition.productCatalogue, version: active.version };
  } catch (error) {
    return { error: unreachable('process-q2c', URLS.process, error) };
  }
}

async function vendorReport(system, key, catalogue) {
  const pairs = system.idOf ? catalogue.map((entry) => `${entry.productCode}=${system.idOf(entry)}`) : [];
  const query = pairs.length > 0 ? `?products=${encodeURIComponent(pairs.join(','))}` : '';
  try {
    return await revline(system.url, key)(`/health/vendors${query}`);
  } catch (error) {
    return { vendor: system.vendor, ok: false, checks: [unreachable(system.app, system.url, error)] };
  }
}

async function fixWebhook(key) {
  try {
    return await revline(URLS.billing, key)('/health/vendors/fixes', { method: 'POST' });
  } catch (error) {
    return { vendor: 'stripe', ok: false, checks: [unreachable('system-billing', URLS.billing, error)] };
  }
}

const MARK = { pass: 'ok  ', fail: 'FAIL', skip: 'skip' };

function print(reports) {
  for (const report of reports) {
    process.stdout.write(`\n${report.vendor}\n`);
    for (const check of report.checks) {
      process.stdout.write(`  [${MARK[check.status]}] ${check.title}: ${check.detail}\n`);
      if (check.status === 'fail') process.stdout.write(`         fix: ${check.fix}\n`);
    }
  }
}

async function main() {
  const args = process.argv.slice(2);
  const key = adminKey();
  const reports = [];
  if (args.includes('--fix')) reports.push({ ...(await fixWebhook(key)), vendor: 'stripe (--fix)' });
  const mapping = await activeCatalogue(key);
  reports.push(
    mapping.error
      ? { vendor: 'revline', ok: false, checks: [mapping.error] }
      : {
          vendor: 'revline',
          ok: true,
          checks: [
            {
              id: 'revline.mapping',
              title: 'Active mapping read from process-q2c',
              status: 'pass',
              detail: `version ${mapping.version}, ${mapping.catalogue.length} products`,
            },
          ],
        },
  );
  for (const system of SYSTEMS) reports.push(await vendorReport(system, key, mapping.catalogue ?? []));
  const failures = reports.flatMap((r) => r.checks).filter((c) => c.status === 'fail');
  if (args.includes('--json'))
    process.stdout.write(`${JSON.stringify({ ok: failures.length === 0, reports }, null, 2)}\n`);
  else {
    print(reports);
    process.stdout.write(
      failures.length === 0
        ? '\npreflight: every check passed\n'
        : `\npreflight: ${failures.length} check(s) failed: ${failures.map((c) => c.id).join(', ')}\n`,
    );
  }
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`\npreflight failed: ${error?.stack ?? error}\n`);
  process.exit(1);
});
