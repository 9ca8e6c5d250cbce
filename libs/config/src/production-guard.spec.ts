import { MinLength } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config';
import { isProductionEnv, sandboxCredentialsAt } from './production-guard';
import { Secret } from './secret.decorator';

class VendorConfig {
  VENDOR_URL = 'http://127.0.0.1:4999';

  @MinLength(1)
  VENDOR_USER = 'sandbox-user';

  @Secret({ minLength: 20 })
  @MinLength(1)
  VENDOR_SECRET = 'sandbox-vendor-secret';

  productionProblems(): string[] {
    const host = new URL(this.VENDOR_URL).hostname;
    return sandboxCredentialsAt(
      this,
      { variable: 'VENDOR_URL', host, vendor: 'Vendor', realHost: /vendor\.com$/ },
      ['VENDOR_USER'],
    );
  }
}

const OWN_SECRET = 'a-secret-of-our-own-long-enough';

describe('production guard', () => {
  it('takes NODE_ENV=production or any REVLINE_ENV but development as outside development', () => {
    expect(isProductionEnv({ NODE_ENV: 'production' })).toBe(true);
    expect(isProductionEnv({ REVLINE_ENV: 'staging' })).toBe(true);
    expect(isProductionEnv({ NODE_ENV: 'production', REVLINE_ENV: 'development' })).toBe(true);
    expect(isProductionEnv({ REVLINE_ENV: 'development' })).toBe(false);
    expect(isProductionEnv({ NODE_ENV: 'test' })).toBe(false);
    expect(isProductionEnv({})).toBe(false);
  });

  it('accepts the defaults in development', () => {
    expect(loadConfig(VendorConfig, {}).VENDOR_SECRET).toBe('sandbox-vendor-secret');
  });

  it("refuses a secret left at its namespace's default, without echoing it", () => {
    expect(() => loadConfig(VendorConfig, { NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadConfig(VendorConfig, { NODE_ENV: 'production' })).toThrow(
      /VENDOR_SECRET is a documented default or placeholder \(anyone can read it\)/,
    );
    expect(() => loadConfig(VendorConfig, { NODE_ENV: 'production' })).not.toThrow(/sandbox-vendor-secret/);
  });

  it('refuses a secret shorter than its own minimum', () => {
    expect(() => loadConfig(VendorConfig, { REVLINE_ENV: 'prod', VENDOR_SECRET: 'x'.repeat(19) })).toThrow(
      'VENDOR_SECRET is shorter than its minimum of 20 characters outside development',
    );
    expect(
      loadConfig(VendorConfig, { REVLINE_ENV: 'prod', VENDOR_SECRET: 'x'.repeat(20) }).VENDOR_SECRET,
    ).toHaveLength(20);
  });

  it("refuses the sandbox's credentials at a real vendor host, and only there", () => {
    const env = { NODE_ENV: 'production', VENDOR_SECRET: OWN_SECRET };
    expect(() => loadConfig(VendorConfig, { ...env, VENDOR_URL: 'https://api.vendor.com' })).toThrow(
      "VENDOR_USER is the sandbox's default but VENDOR_URL points at api.vendor.com, a real Vendor host",
    );
    expect(loadConfig(VendorConfig, env).VENDOR_USER).toBe('sandbox-user');
    expect(
      loadConfig(VendorConfig, { ...env, VENDOR_URL: 'https://api.vendor.com', VENDOR_USER: 'ours' })
        .VENDOR_USER,
    ).toBe('ours');
  });
});
