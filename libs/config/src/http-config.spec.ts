import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config';
import { HttpConfig } from './namespaces';

describe('HttpConfig: rate limits and trusted proxies', () => {
  it('limits by default: 3000 a minute per key, 60 per address without a valid key, tighter exports and starts', () => {
    const http = loadConfig(HttpConfig, {});
    expect(http.RATE_LIMIT_PER_MINUTE).toBe(3_000);
    expect(http.RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE).toBe(60);
    expect(http.RATE_LIMIT_EXPORTS_PER_MINUTE).toBe(20);
    expect(http.RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE).toBe(6);
  });

  it('trusts no proxy unless told, then the addresses and ranges listed', () => {
    expect(loadConfig(HttpConfig, {}).trustedProxies()).toBe(false);
    expect(loadConfig(HttpConfig, { TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1,::1' }).trustedProxies()).toEqual(
      ['10.0.0.0/8', '127.0.0.1', '::1'],
    );
  });

  it('refuses a trusted proxy that is not an address or a range, naming the variable', () => {
    expect(() => loadConfig(HttpConfig, { TRUSTED_PROXIES: 'true' })).toThrow(
      'TRUSTED_PROXIES was "true": must be IP addresses or CIDR ranges, comma-separated',
    );
    expect(() => loadConfig(HttpConfig, { RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '0' })).toThrow(
      'RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE',
    );
  });
});
