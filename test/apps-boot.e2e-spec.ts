import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import type { TestDatabase } from '@revline/testing';
import { createTestDatabase } from '@revline/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { DATABASE as ERP } from '../apps/system-erp/src/database';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';
import { spawnBuilt, waitForHealth } from './support/processes';

const ADMIN_KEY = `boot-test-admin-${randomUUID()}`;
const APPS = [
  { app: 'experience-finance', variable: 'EXPERIENCE_FINANCE_PORT', port: 23000 },
  { app: 'process-q2c', variable: 'PROCESS_Q2C_PORT', port: 23001 },
  { app: 'system-salesforce', variable: 'SYSTEM_SALESFORCE_PORT', port: 23002 },
  { app: 'system-billing', variable: 'SYSTEM_BILLING_PORT', port: 23003 },
  { app: 'system-erp', variable: 'SYSTEM_ERP_PORT', port: 23004 },
];

describe('every built app', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase(EXPERIENCE);
    for (const database of [Q2C, SALESFORCE, BILLING, ERP])
      await runMigrations(appDataSourceOptions(database, db.url));
    env = {
      DATABASE_URL: db.url,
      BOOTSTRAP_ADMIN_API_KEY: ADMIN_KEY,
      QUEUE_PREFIX: `test-boot-${randomUUID().slice(0, 8)}`,
      SANDBOX_SALESFORCE_PORT: '24010',
      SANDBOX_STRIPE_PORT: '24020',
      SANDBOX_NETSUITE_PORT: '24030',
      ...Object.fromEntries(APPS.map((a) => [a.variable, String(a.port)])),
    };
  });

  afterAll(async () => {
    await db.drop();
  });

  it.each(APPS)(
    '$app boots, answers /health, /docs and /metrics, and exits cleanly on SIGTERM',
    async ({ app, port }) => {
      const spawned = spawnBuilt(`apps/${app}/main.js`, env);
      try {
        const url = `http://127.0.0.1:${port}`;
        const health = await waitForHealth(url);
        expect(health.status).toBe('ok');
        expect((await fetch(`${url}/docs`)).status).toBe(200);
        expect((await fetch(`${url}/metrics`)).status).toBe(401);
        const metrics = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
        expect(await metrics.text()).toContain('revline_http_requests_total');
        spawned.child.kill('SIGTERM');
        expect(await spawned.exited).toEqual({ code: 0, signal: null });
      } finally {
        spawned.child.kill('SIGKILL');
      }
    },
  );

  it('the sandbox serves Salesforce, Stripe and NetSuite on their ports and exits cleanly on SIGTERM', async () => {
    const spawned = spawnBuilt('apps/sandbox/main.js', env);
    try {
      for (const port of [24010, 24020, 24030]) {
        expect((await waitForHealth(`http://127.0.0.1:${port}`)).status).toBe('ok');
        expect((await fetch(`http://127.0.0.1:${port}/docs`)).status).toBe(200);
      }
      spawned.child.kill('SIGTERM');
      expect(await spawned.exited).toEqual({ code: 0, signal: null });
    } finally {
      spawned.child.kill('SIGKILL');
    }
  });

  it('stops at start with a non-zero exit and a message naming a malformed variable', async () => {
    const spawned = spawnBuilt('apps/process-q2c/main.js', { ...env, DATABASE_URL: 'mysql://nowhere/db' });
    const exit = await spawned.exited;
    expect(exit.code).toBe(1);
    expect(spawned.output()).toContain('process-q2c could not start');
    expect(spawned.output()).toContain('DATABASE_URL was "mysql://nowhere/db": must be a postgres:// URL');
  });

  it('stops at start when a port variable is not a port', async () => {
    const spawned = spawnBuilt('apps/system-erp/main.js', { ...env, SYSTEM_ERP_PORT: 'eighty' });
    expect((await spawned.exited).code).toBe(1);
    expect(spawned.output()).toContain('SYSTEM_ERP_PORT was "eighty": must be a port number from 1 to 65535');
  });
});
