import { describe, expect, it } from 'vitest';
import type { RedisInfoClient } from './eviction-policy';
import { assertNoEviction, EvictionPolicyError, readEvictionPolicy } from './eviction-policy';

const client = (policy: string, configWorks = true): RedisInfoClient => ({
  config: () =>
    configWorks
      ? Promise.resolve(['maxmemory-policy', policy])
      : Promise.reject(new Error('unknown command')),
  info: () => Promise.resolve(`# Memory\r\nused_memory:1\r\nmaxmemory_policy:${policy}\r\n`),
});

describe('eviction policy', () => {
  it('accepts noeviction', async () => {
    await expect(assertNoEviction(client('noeviction'))).resolves.toBeUndefined();
  });

  it('refuses any other policy, naming it', async () => {
    await expect(assertNoEviction(client('allkeys-lru'))).rejects.toThrow(EvictionPolicyError);
    await expect(assertNoEviction(client('allkeys-lru'))).rejects.toThrow(/"allkeys-lru"/);
  });

  it('falls back to INFO when CONFIG is disabled', async () => {
    await expect(readEvictionPolicy(client('volatile-ttl', false))).resolves.toBe('volatile-ttl');
  });
});
