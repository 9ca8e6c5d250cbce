import { IsInt, Matches, Min } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redactConfig } from './load-config';
import { AuthConfig, DatabaseConfig } from './namespaces';
import { Secret } from './secret.decorator';

class SampleConfig {
  @Matches(/^https:\/\//, { message: 'must be an https URL' })
  API_URL = 'https://example.test';

  @IsInt()
  @Min(1)
  RETRIES = 3;

  @Secret()
  @Matches(/^sk_/, { message: 'must start with sk_' })
  API_SECRET = 'sk_default';
}

describe('loadConfig', () => {
  it('uses defaults and converts numbers', () => {
    const config = loadConfig(SampleConfig, { RETRIES: '5' });
    expect(config.API_URL).toBe('https://example.test');
    expect(config.RETRIES).toBe(5);
  });

  it('names every malformed variable and what is wrong', () => {
    const attempt = () => loadConfig(SampleConfig, { API_URL: 'ftp://x', RETRIES: 'lots' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as ConfigError).message;
      expect(message).toContain('API_URL was "ftp://x": must be an https URL');
      expect(message).toMatch(/RETRIES was .*: RETRIES must be an integer number/);
    }
  });

  it('never echoes a secret value in an error', () => {
    expect(() => loadConfig(SampleConfig, { API_SECRET: 'pk_live_leaked' })).toThrow(
      /API_SECRET was \(secret, not shown\): must start with sk_/,
    );
    try {
      loadConfig(SampleConfig, { API_SECRET: 'pk_live_leaked' });
    } catch (error) {
      expect((error as Error).message).not.toContain('pk_live_leaked');
    }
  });

  it('redacts secrets for printing', () => {
    const config = loadConfig(AuthConfig, { BOOTSTRAP_ADMIN_API_KEY: 'x'.repeat(30) });
    expect(redactConfig(config)).toEqual({ BOOTSTRAP_ADMIN_API_KEY: '[redacted]' });
  });

  it('rejects a malformed database URL by name', () => {
    expect(() => loadConfig(DatabaseConfig, { DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL was "mysql:\/\/x": must be a postgres:\/\/ URL/,
    );
  });
});
