/**
 * ERP benchmark (issue 6): invoices posted per second through the NetSuite adapter (signed upserts, the Redis
 * account-wide semaphore, the circuit breaker) against the NetSuite sandbox, with the account's concurrency limit
 * at 5 and at 10. The sandbox adds a fixed latency per request, as a real account does, so the limit is what
 * bounds the rate: the ceiling is limit / latency. Boots the sandbox and system-erp in-process on loopback, on a
 * fresh database (local Postgres and Redis). Prints one JSON line per limit.
 * Run after the build: node dist/bench/erp.bench.js
 */
import 'reflect-metadata';
import { ErpPort } from '@revline/erp-port';
import type { TestApp } from '@revline/testing';
import { createTestApp, createTestDatabase } from '@revline/testing';
import { performance } from 'node:perf_hooks';
import { SANDBOXES } from '../apps/sandbox/src/app.info';
import { NetSuiteSandboxModule } from '../apps/sandbox/src/netsuite/netsuite-sandbox.module';
import { AppModule } from '../apps/system-erp/src/app.module';
import { APP } from '../apps/system-erp/src/app.info';
import { DATABASE } from '../apps/system-erp/src/database';
import { NetSuiteConfig } from '../apps/system-erp/src/netsuite/netsuite.config';
import { runBench } from './support/bench';

const POSTINGS = Number.parseInt(process.env.BENCH_ERP_POSTINGS ?? '1500', 10);
const WORKERS = Number.parseInt(process.env.BENCH_ERP_WORKERS ?? '20', 10);
const LATENCY_MS = Number.parseInt(process.env.BENCH_ERP_LATENCY_MS ?? '20', 10);
const MAX_SECONDS = Number.parseInt(process.env.BENCH_ERP_MAX_SECONDS ?? '20', 10);
const LIMITS = [5, 10];

async function pool(
  total: number,
  concurrency: number,
  deadline: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total && performance.now() < deadline) {
      const i = next;
      next += 1;
      await task(i);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return done;
}

async function post(url: string, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.status === 204 ? undefined : res.json();
}

async function run(erpApp: TestApp, limit: number, sandboxUrl: string): Promise<void> {
  // One system-erp for both runs: the limit is read per request, so it is changed in place between runs.
  erpApp.app.get(NetSuiteConfig).NETSUITE_CONCURRENCY_LIMIT = limit;
  const erp = erpApp.app.get(ErpPort);
  await post(`${sandboxUrl}/sandbox/reset`);
  await post(`${sandboxUrl}/sandbox/concurrency`, { limit });
  await erp.upsertCustomer({
    externalId: 'bench_customer',
    name: 'Bench',
    subsidiary: 'US',
    currency: 'USD',
  });
  await post(`${sandboxUrl}/sandbox/faults`, { latencyMs: LATENCY_MS });
  await post(`${sandboxUrl}/sandbox/stats/reset`);
  const started = performance.now();
  const done = await pool(POSTINGS, WORKERS, started + MAX_SECONDS * 1000, async (i) => {
    await erp.postInvoice({
      externalId: `bench_${limit}_${i}`,
      customerExternalId: 'bench_customer',
      subsidiary: 'US',
      currency: 'USD',
      tranDate: '2026-01-15',
      contractId: `C-${i % 100}`,
      lines: [{ itemExternalId: 'SEAT', amountMinor: String(100_000 + i), productClass: 'SEAT' }],
    });
  });
  const seconds = (performance.now() - started) / 1000;
  const stats = (await (await fetch(`${sandboxUrl}/sandbox/stats`)).json()) as {
    maxInFlight: number;
    refused: number;
  };
  const perSecond = done / seconds;
  const ceiling = LATENCY_MS > 0 ? (limit * 1000) / LATENCY_MS : Number.POSITIVE_INFINITY;
  process.stdout.write(
    `${JSON.stringify({
      bench: 'erp-postings',
      concurrencyLimit: limit,
      workers: WORKERS,
      sandboxLatencyMs: LATENCY_MS,
      postings: done,
      seconds: Number(seconds.toFixed(3)),
      postingsPerSecond: Math.round(perSecond),
      ceilingPerSecond: Number.isFinite(ceiling) ? Math.round(ceiling) : null,
      maxInFlight: stats.maxInFlight,
      refused: stats.refused,
      // No design target exists for ERP postings: the figure is reported against the account's ceiling
      // (limit / latency), and `pass` means every posting landed without a refusal or an excess slot.
      ceilingShare: Number.isFinite(ceiling) ? Number((perSecond / ceiling).toFixed(2)) : null,
      pass: done === POSTINGS && stats.refused === 0 && stats.maxInFlight <= limit,
    })}\n`,
  );
}

async function main(): Promise<void> {
  process.env.LOG_LEVEL = 'error';
  process.env.OUTBOX_RELAY = 'off';
  process.env.RATE_LIMIT_PER_MINUTE = '10000000';
  const db = await createTestDatabase(DATABASE);
  const sandboxSpec = SANDBOXES.find((s) => s.spec.name === 'sandbox-netsuite');
  if (!sandboxSpec) throw new Error('The NetSuite sandbox is not in apps/sandbox/src/app.info.ts');
  const sandbox = await createTestApp(NetSuiteSandboxModule, sandboxSpec.spec);
  const erpApp = await createTestApp(AppModule, APP, { NETSUITE_BASE_URL: sandbox.url });
  try {
    for (const limit of LIMITS) await run(erpApp, limit, sandbox.url);
  } finally {
    await erpApp.close();
    await sandbox.close();
    await db.drop();
  }
}

runBench('erp', main);
