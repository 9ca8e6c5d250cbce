import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { spawnBuilt } from './support/processes';

const PORT = 26399;

describe('an app pointed at a Redis that may evict keys', () => {
  let redis: ChildProcess;
  // A database of its own, migrated, so that the Redis policy is the only thing wrong with the app's setup.
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase(BILLING);
    await runMigrations(appDataSourceOptions(BILLING, db.url));
    redis = spawn(
      'redis-server',
      ['--port', String(PORT), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'allkeys-lru'],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 50; i++) {
      try {
        const { Redis } = await import('ioredis');
        const client = new Redis(PORT, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
        await client.connect();
        await client.quit();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });

  afterAll(async () => {
    redis.kill('SIGKILL');
    await db.drop();
  });

  it('refuses to start, naming the policy and how to fix it', async () => {
    const app = spawnBuilt('apps/system-billing/main.js', {
      REDIS_URL: `redis://127.0.0.1:${PORT}`,
      DATABASE_URL: db.url,
      SYSTEM_BILLING_PORT: '26003',
    });
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(app.output()).toContain('Redis maxmemory-policy is "allkeys-lru"; Revline needs "noeviction"');
  });
});
