import type { Type } from '@nestjs/common';
import type { HttpAppSpec } from '@revline/http';
import type { TestApp } from '@revline/testing';
import { createTestApp } from '@revline/testing';
import { NetSuiteSandboxModule } from '../../apps/sandbox/src/netsuite/netsuite-sandbox.module';
import { tbaClient } from '../../apps/sandbox/src/netsuite/testing/tba-client';

/** Test wiring for system-erp: the NetSuite sandbox booted in-process, and helpers that drive it. */
export const SANDBOX_SPEC: HttpAppSpec = {
  name: 'sandbox-netsuite',
  port: { variable: 'SANDBOX_NETSUITE_PORT', default: 4030 },
  docs: { title: 'NetSuite sandbox', description: 'test' },
};

export interface Sandbox {
  app: TestApp;
  url: string;
  admin(path: string, body?: unknown): Promise<unknown>;
  stats(): Promise<{
    maxInFlight: number;
    refused: number;
    accepted: number;
    faults: { timeoutsAfterSave: number; rateLimited: number; serverErrors: number };
  }>;
  suiteql(q: string): Promise<Array<Record<string, string>>>;
  imbalance(): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts the sandbox; `env` sets its configuration (e.g. a lower SuiteQL result cap). */
export async function startSandbox(env: Record<string, string> = {}): Promise<Sandbox> {
  const app = await createTestApp(NetSuiteSandboxModule as Type, SANDBOX_SPEC, env);
  const call = tbaClient(app.url);
  const admin = async (path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(`${app.url}/sandbox/${path}`, {
      method: 'POST',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`sandbox admin ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : res.json();
  };
  return {
    app,
    url: app.url,
    admin,
    stats: async () => (await fetch(`${app.url}/sandbox/stats`)).json() as ReturnType<Sandbox['stats']>,
    imbalance: async () =>
      (await fetch(`${app.url}/sandbox/ledger/imbalance`)).json() as ReturnType<Sandbox['imbalance']>,
    async suiteql(q: string) {
      const res = await call('POST', '/services/rest/query/v1/suiteql', { q });
      if (res.status !== 200) throw new Error(`SuiteQL ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body as { items: Array<Record<string, string>> }).items.map((item) => {
        const row = { ...item };
        delete row.links;
        return row;
      });
    },
    close: () => app.close(),
  };
}

/** The environment system-erp needs to talk to the in-process sandbox, fast. */
export function erpEnv(sandboxUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NETSUITE_BASE_URL: sandboxUrl,
    NETSUITE_REQUEST_TIMEOUT_MS: '1000',
    NETSUITE_RATE_LIMIT_BACKOFF_MS: '5',
    NETSUITE_BREAKER_RESET_MS: '200',
    OUTBOX_RELAY: 'off',
    LOG_LEVEL: 'error',
    JOB_BACKOFF_BASE_MS: '10',
    JOB_ATTEMPTS: '25',
    ...extra,
  };
}
