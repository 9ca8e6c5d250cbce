import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's `vendor/` folder: the Salesforce and NetSuite metadata a customer deploys, which the sandbox loads
 * its custom fields from. Found above this file (the source tree in tests, `dist/` in a build); `REVLINE_VENDOR_DIR`
 * names it explicitly.
 */
export function vendorDir(): string {
  const configured = process.env.REVLINE_VENDOR_DIR;
  if (configured) return configured;
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'vendor', 'salesforce', 'sfdx-project.json'))) return join(dir, 'vendor');
  }
  throw new Error(
    'vendor/ (the Salesforce and NetSuite metadata) not found above the sandbox; set REVLINE_VENDOR_DIR',
  );
}
