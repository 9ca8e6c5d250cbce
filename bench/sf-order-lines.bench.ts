/**
 * Salesforce order-lines export benchmark (issue 8's Salesforce side): BENCH_SF_ORDERS activated orders (100,000
 * by default, one line each) generated in the Salesforce sandbox by `POST /sandbox/salesforce/generate`, mirroring
 * the Stripe sandbox's `POST /sandbox/stripe/generate` of as many subscriptions, then
 * `GET /v1/exports/order-lines?format=csv` of system-salesforce timed (one Bulk API 2.0 query job, its CSV read
 * 50,000 rows a page) beside system-billing's subscription-items export (the checkpoint's other side), and the
 * reconciliation runner's salesforce-billing checkpoint run: its breaks must be exactly the planted drift. Each vendor and system API runs in a process of its own (the built
 * apps in dist/). Run after the build: node dist/bench/sf-order-lines.bench.js
 */
import 'reflect-metadata';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import { createTestDatabase, seedApiKey } from '@revline/testing';
import axios from 'axios';
import { performance } from 'node:perf_hooks';
import { DATABASE } from '../apps/process-q2c/src/database';
import { ReconciliationConfig } from '../apps/process-q2c/src/reconciliation/reconciliation.config';
import { ReconciliationMetrics } from '../apps/process-q2c/src/reconciliation/reconciliation-metrics';
import { ReconciliationRunner } from '../apps/process-q2c/src/reconciliation/reconciliation-runner';
import { HttpSystemApis } from '../apps/process-q2c/src/reconciliation/system-apis';
import type { GenerateSalesforceResult } from '../apps/sandbox/src/salesforce/admin/generate.controller';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';
import type { Running, StackApp } from '../test/support/q2c-stack';
import { freePort, repositoryRoot, spawnApp, waitForHealth } from '../test/support/q2c-stack';
import { printFigures, runBench } from './support/bench';

const ORDERS = Number.parseInt(process.env.BENCH_SF_ORDERS ?? '100000', 10);
const LINES_PER_INVOICE = 10;
const DRIFT_EVERY = 1000;

const post = async <T>(url: string, body: unknown): Promise<T> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}: ${await response.text()}`);
  return (await response.json()) as T;
};

async function main(): Promise<void> {
  const db = await createTestDatabase(DATABASE);
  for (const database of [SALESFORCE, BILLING]) await runMigrations(appDataSourceOptions(database, db.url));
  const root = repositoryRoot();
  const url = async () => `http://127.0.0.1:${String(await freePort())}`;
  const urls = { salesforce: await url(), stripe: await url(), system: await url(), billing: await url() };
  const port = (u: string) => new URL(u).port;
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    QUEUE_PREFIX: `bench-sf-${String(process.pid)}`,
    LOG_LEVEL: 'error',
    OUTBOX_RELAY: 'off',
    RATE_LIMIT_PER_MINUTE: '10000000',
    SANDBOX_SALESFORCE_PORT: port(urls.salesforce),
    SANDBOX_STRIPE_PORT: port(urls.stripe),
    SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
    SYSTEM_SALESFORCE_PORT: port(urls.system),
    SALESFORCE_LOGIN_URL: urls.salesforce,
    SALESFORCE_CAPTURE_ENABLED: 'false',
    SYSTEM_BILLING_PORT: port(urls.billing),
    STRIPE_HOST: '127.0.0.1',
    STRIPE_PORT: port(urls.stripe),
    STRIPE_TIMEOUT_MS: '60000',
    STRIPE_EVENTS_POLL_MS: '0',
  };
  const running: Running[] = [];
  const start = async (app: StackApp, at: string, extra: Record<string, string> = {}) => {
    const r = spawnApp(root, app, { ...env, ...extra }, ['--max-old-space-size=8192']);
    running.push(r);
    await waitForHealth(at, r);
  };
  try {
    await Promise.all([
      start('sandbox', urls.salesforce, { SANDBOX_VENDORS: 'salesforce' }),
      start('sandbox', urls.stripe, { SANDBOX_VENDORS: 'stripe' }),
      start('system-salesforce', urls.system),
      start('system-billing', urls.billing),
    ]);
    const seed = 'B';
    const createdFrom = Date.UTC(2026, 2, 1, 1) / 1000;
    const spacingSeconds = Math.max(1, Math.floor((29 * 86_400) / ORDERS));
    const generation = {
      invoices: ORDERS,
      linesPerInvoice: LINES_PER_INVOICE,
      seed,
      createdFrom,
      spacingSeconds,
    };
    let started = performance.now();
    await post(`${urls.stripe}/sandbox/stripe/generate`, generation);
    const stripeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const generated = await post<GenerateSalesforceResult>(`${urls.salesforce}/sandbox/salesforce/generate`, {
      ...generation,
      driftEvery: DRIFT_EVERY,
    });
    const salesforceSeconds = (performance.now() - started) / 1000;

    const key = await seedApiKey(db.dataSource, ['finance.viewer'], 'salesforce order-lines bench');
    const exportOnce = async (
      from = `${urls.system}/v1/exports/order-lines`,
    ): Promise<{ seconds: number; rows: number; bytes: number }> => {
      const begun = performance.now();
      const response = await fetch(`${from}?format=csv`, {
        headers: { authorization: `Bearer ${key}` },
      });
      if (!response.ok || !response.body) throw new Error(`export answered ${String(response.status)}`);
      let rows = -1;
      let bytes = 0;
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const byte of chunk) if (byte === 10) rows += 1;
      }
      return { seconds: (performance.now() - begun) / 1000, rows, bytes };
    };
    const first = await exportOnce();
    const repeat = await exportOnce();
    if (first.rows !== ORDERS || repeat.rows !== ORDERS)
      throw new Error(
        `export answered ${String(first.rows)} / ${String(repeat.rows)} rows, not ${String(ORDERS)}`,
      );

    // The checkpoint's other side, for comparison: system-billing's subscription items from Stripe's lists.
    const billingItems = await exportOnce(`${urls.billing}/v1/exports/subscription-items`);

    const config = Object.assign(new ReconciliationConfig(), {
      SYSTEM_SALESFORCE_URL: urls.system,
      SYSTEM_BILLING_URL: urls.billing,
      SYSTEM_ERP_URL: 'http://127.0.0.1:9',
      SERVICE_API_KEY: key,
      RECONCILIATION_HTTP_TIMEOUT_MS: 600_000,
    });
    const runner = new ReconciliationRunner(
      db.dataSource,
      new HttpSystemApis(
        new HttpService(axios.create() as unknown as ConstructorParameters<typeof HttpService>[0]),
        config,
      ),
      config,
      new ReconciliationMetrics(new MetricsService(), db.dataSource),
    );
    started = performance.now();
    const outcome = await runner.start({
      scope: 'salesforce-billing',
      period: '2026-03',
      trigger: 'on_demand',
    });
    await outcome.done;
    const checkpointSeconds = (performance.now() - started) / 1000;
    const run = (
      await db.dataSource.query<Array<{ status: string; error: string | null }>>(
        `SELECT "status", "error" FROM "q2c"."reconciliation_runs" WHERE "run_id" = $1`,
        [outcome.runId],
      )
    ).at(0);
    if (run?.status !== 'completed') throw new Error(`run ${run?.status ?? '?'}: ${run?.error ?? ''}`);
    const found = await db.dataSource.query<Array<{ category: string; n: number }>>(
      `SELECT "category", count(*)::int AS n FROM "q2c"."reconciliation_breaks" WHERE "status" = 'open'
        GROUP BY "category" ORDER BY "category"`,
    );
    const breaks: Partial<Record<string, number>> = Object.fromEntries(
      found.map((row) => [row.category, row.n]),
    );
    printFigures({
      bench: 'sf-order-lines',
      orders: ORDERS,
      stripeGenerateSeconds: Number(stripeSeconds.toFixed(2)),
      salesforceGenerateSeconds: Number(salesforceSeconds.toFixed(2)),
      exportSeconds: Number(first.seconds.toFixed(2)),
      exportRepeatSeconds: Number(repeat.seconds.toFixed(2)),
      exportRows: first.rows,
      exportMegabytes: Number((first.bytes / 1e6).toFixed(1)),
      billingItemsExportSeconds: Number(billingItems.seconds.toFixed(2)),
      billingItemsRows: billingItems.rows,
      checkpointSeconds: Number(checkpointSeconds.toFixed(2)),
      planted: generated.planted,
      breaks,
    });
    const expected = generated.planted.quantity_mismatch;
    if (
      Object.keys(breaks).some((c) => c !== 'quantity_mismatch') ||
      (breaks.quantity_mismatch ?? 0) !== expected
    )
      throw new Error(`salesforce-billing found ${JSON.stringify(breaks)}, planted ${String(expected)}`);
  } finally {
    for (const r of running) r.child.kill('SIGTERM');
    await Promise.all(running.map((r) => r.exited));
    await db.drop();
  }
}

Logger.overrideLogger(false);
runBench('sf-order-lines', main);
