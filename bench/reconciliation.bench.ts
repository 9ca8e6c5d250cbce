/**
 * Reconciliation benchmark (issue 8): 1,000,000 invoice lines reconciled across the three sides, target ≤ 15 s.
 *
 * Headline (`mode: "sandbox"`): the data is generated in the three sandboxes — `POST /sandbox/stripe/generate`
 * writes N invoices × M lines with their customers and subscriptions, `POST /sandbox/netsuite/generate` the ERP
 * invoices mirroring them and `POST /sandbox/salesforce/generate` the activated orders they bill, each with planted
 * drift (missing in the ERP, one cent off, a day later; a Salesforce quantity changed) — and the ReconciliationRunner
 * of process-q2c runs the two checkpoints between the three systems side by side, salesforce-billing and billing-erp,
 * against the real system APIs: system-salesforce reads one Bulk API 2.0 query job (CSV pages); system-billing reads
 * the invoice lines through Stripe Sigma (query runs over 8 created-time slices, only the columns of the five fields
 * billing-erp asks for, their CSV result files streamed) and pages Stripe's subscription list in created-time slices
 * (limit 100, 4 at a time), and streams CSV; system-erp pages SuiteQL (1,000 rows a page, as
 * NetSuite) within the account's concurrency limit. The vendor sandboxes hold the generated accounts in memory (a
 * large heap and a 64 MB young generation each). Every export of a checkpoint is opened at once. As
 * deployed, each vendor and system API runs in a process of its own (the built apps in dist/), the runner in this
 * one; `cpuSeconds` tells how much CPU each spent on the run (BENCH_RECON_CPU_PROF=<dir> writes their CPU profiles
 * there) and `peakRssMb` its peak resident memory. contract-revenue and lineage need Revline's own contracts and
 * sagas, which generated vendor data does not make: their figure is the runner-only one. BENCH_RECON_SANDBOX_LINES
 * invoice lines (1,000,000 by default).
 *
 * Runner only (`mode: "runner-only"`, BENCH_RECON_RUNNER_ONLY=0 to skip): the previous figure, the system APIs'
 * exports played by a loopback HTTP server in a worker thread in the exports' own CSV shapes, scope all — the
 * engine alone (transfer, COPY, SQL and filing), not the vendors' APIs.
 * Run after the build: node dist/bench/reconciliation.bench.js
 */
import 'reflect-metadata';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { runMigrations } from '@revline/persistence';
import { appDataSourceOptions } from '@revline/platform';
import { createTestDatabase, seedApiKey, UNLIMITED_RATES } from '@revline/testing';
import axios from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { DataSource } from 'typeorm';
import { DATABASE } from '../apps/process-q2c/src/database';
import { RevenueRunsConfig } from '../apps/process-q2c/src/revenue-runs/revenue-runs.config';
import { generatedNumber as pad } from '../apps/sandbox/src/generation.dto';
import type { GenerateNetSuiteResult } from '../apps/sandbox/src/netsuite/admin/generate.controller';
import type { GenerateSalesforceResult } from '../apps/sandbox/src/salesforce/admin/generate.controller';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { DATABASE as ERP } from '../apps/system-erp/src/database';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';
import {
  DOCUMENT_CSV_COLUMNS as BILLING_DOCUMENT_CSV_COLUMNS,
  INVOICE_LINE_CSV_COLUMNS,
  SUBSCRIPTION_ITEM_CSV_COLUMNS,
} from '../apps/system-billing/src/reads/billing-reads.controller';
import {
  BALANCE_CSV_COLUMNS,
  DOCUMENT_CSV_COLUMNS,
} from '../apps/system-erp/src/reconciliation/reconciliation.controller';
import { ORDER_LINE_CSV_COLUMNS } from '../apps/system-salesforce/src/records/order-lines-export.controller';
import { ReconciliationConfig } from '../apps/process-q2c/src/reconciliation/reconciliation.config';
import { ReconciliationMetrics } from '../apps/process-q2c/src/reconciliation/reconciliation-metrics';
import { ReconciliationRunner } from '../apps/process-q2c/src/reconciliation/reconciliation-runner';
import { FiscalCalendarConfig } from '../apps/process-q2c/src/shared/fiscal-calendar.config';
import { FiscalPeriods } from '../apps/process-q2c/src/shared/fiscal-periods';
import { HttpSystemApis } from '../apps/process-q2c/src/reconciliation/system-apis';
import type { Running, StackApp } from '../test/support/q2c-stack';
import { freePort, repositoryRoot, spawnApp, waitForHealth } from '../test/support/q2c-stack';
import { printFigures, processCpuSeconds, processRssMb, runBench } from './support/bench';

/** Lines of the runner-only run (the issue's 1,000,000). */
const LINES = Number.parseInt(process.env.BENCH_RECON_LINES ?? '1000000', 10);
/** Lines of the sandbox run (the issue's 1,000,000). */
const SANDBOX_LINES = Number.parseInt(process.env.BENCH_RECON_SANDBOX_LINES ?? '1000000', 10);
const LINES_PER_INVOICE = Number.parseInt(process.env.BENCH_RECON_LINES_PER_INVOICE ?? '10', 10);
const DRIFT_EVERY = Number.parseInt(process.env.BENCH_RECON_DRIFT_EVERY ?? '1000', 10);
const RUNNER_ONLY = process.env.BENCH_RECON_RUNNER_ONLY !== '0';
const TARGET_SECONDS = 15;
const PERIOD = '2026-03';

interface ServerInput {
  contracts: number;
  linesPerInvoice: number;
  driftEvery: number;
}

/** process-q2c's reconciliation runner as the app wires it, reading the system APIs at the given settings. */
function runnerOf(dataSource: DataSource, settings: Partial<ReconciliationConfig>): ReconciliationRunner {
  const config = Object.assign(new ReconciliationConfig(), settings);
  return new ReconciliationRunner(
    dataSource,
    new HttpSystemApis(
      new HttpService(axios.create() as unknown as ConstructorParameters<typeof HttpService>[0]),
      config,
    ),
    config,
    new ReconciliationMetrics(new MetricsService(), dataSource),
    new RevenueRunsConfig(),
    new FiscalPeriods(new FiscalCalendarConfig()),
  );
}

/**
 * Revline's customer master as the bookings of the generated book would have left it: each billing customer
 * (`<prefix><number>`, numbered from 0) under a Salesforce account of its own. Without it, salesforce-billing would
 * report every subscription as billing a customer Revline never saw.
 */
async function seedCustomerMaster(dataSource: DataSource, prefix: string, customers: number): Promise<void> {
  await dataSource.query(
    `INSERT INTO "q2c"."customers" ("salesforce_account_id", "billing_customer_id", "currency", "recorded_from")
     SELECT '001BENCH' || lpad(i::text, 7, '0'), $1 || lpad(i::text, 7, '0'), 'usd', 'billing'
       FROM generate_series(0, $2::int - 1) AS i`,
    [prefix, customers],
  );
}

/**
 * The exports, generated a chunk at a time, with drift on contracts i % driftEvery = 1, 2 and 3. Billing's
 * documents export (credit notes and payments; asked without `kind`) and the ERP's credit memos and payments are
 * empty: the bench measures invoices.
 */
function* exportOf(
  path: string,
  kind: string | null,
  input: ServerInput,
  columns: readonly string[] = INVOICE_LINE_CSV_COLUMNS,
): Generator<string> {
  // The invoice-line export's `columns`: the positions of the asked columns in a full row.
  const picked = columns.map((c) => (INVOICE_LINE_CSV_COLUMNS as readonly string[]).indexOf(c));
  if (path === '/v1/exports/contract-balances') {
    yield `${BALANCE_CSV_COLUMNS.join(',')}\n`;
    return;
  }
  if (path === '/v1/exports/documents' && kind === null) {
    yield `${BILLING_DOCUMENT_CSV_COLUMNS.join(',')}\n`;
    return;
  }
  if (path === '/v1/exports/documents' && kind !== 'invoice') {
    yield `${DOCUMENT_CSV_COLUMNS.join(',')}\n`;
    return;
  }
  const { contracts, linesPerInvoice, driftEvery } = input;
  const drift = (i: number, kind: 1 | 2 | 3) => i % driftEvery === kind;
  let chunk = '';
  for (let i = 0; i < contracts; i++) {
    const contract = `801B${pad(i)}`;
    const unit = 1000 + (i % 97);
    if (path === '/v1/exports/order-lines') {
      if (i === 0) chunk += `${ORDER_LINE_CSV_COLUMNS.join(',')}\n`;
      chunk += `${contract},new,,2026-03-01T00:00:00.000Z,2026-03-01,2027-02-28,USD,802B${pad(i)},,SEAT,${String(linesPerInvoice)},${String(unit / 100)}\n`;
    } else if (path === '/v1/exports/subscription-items') {
      if (i === 0) chunk += `${SUBSCRIPTION_ITEM_CSV_COLUMNS.join(',')}\n`;
      const quantity = linesPerInvoice + (drift(i, 3) ? 2 : 0);
      chunk += `sub_B${pad(i)},cus_B${pad(i)},active,${contract},si_B${pad(i)},802B${pad(i)},price_seat,${String(quantity)},${String(unit)},USD,month,2026-03-01,2026-04-01,2026-03-01\n`;
    } else if (path === '/v1/invoice-lines/export') {
      if (i === 0) chunk += `${columns.join(',')}\n`;
      for (let l = 0; l < linesPerInvoice; l++) {
        const full = `in_B${pad(i)},il_B${pad(i)}_${String(l)},cus_B${pad(i)},Seat,${String(unit)},0,USD,false,price_seat,1,2026-03-01,2026-04-01,2026-03-01`;
        const cells = full.split(',');
        chunk += `${columns === INVOICE_LINE_CSV_COLUMNS ? full : picked.map((p) => cells[p]).join(',')}\n`;
      }
    } else if (path === '/v1/exports/documents') {
      if (i === 0) chunk += `${DOCUMENT_CSV_COLUMNS.join(',')}\n`;
      const total = unit * linesPerInvoice + (drift(i, 2) ? 1 : 0);
      if (!drift(i, 1))
        chunk += `invoice,${String(1000 + i)},INV-in_B${pad(i)},2026-03-01,${PERIOD},${String(500 + i)},${contract},${String(total)},0,USD\n`;
    }
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** The worker thread: a loopback HTTP server answering the four exports, streamed with backpressure. */
function serve(input: ServerInput): void {
  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? '/', 'http://bench');
    const path = parsed.pathname;
    if (path === '/v1/revenue-postings') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ period: PERIOD, items: [] }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const columns = parsed.searchParams.get('columns');
    const chunks = exportOf(path, parsed.searchParams.get('kind'), input, columns?.split(','));
    const pump = () => {
      for (let next = chunks.next(); !next.done; next = chunks.next()) {
        if (!res.write(next.value)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
  });
  server.listen(0, '127.0.0.1', () => {
    parentPort?.postMessage((server.address() as AddressInfo).port);
  });
}

async function runnerOnly(): Promise<void> {
  const contracts = Math.ceil(LINES / LINES_PER_INVOICE);
  const worker = new Worker(__filename, {
    workerData: {
      contracts,
      linesPerInvoice: LINES_PER_INVOICE,
      driftEvery: DRIFT_EVERY,
    } satisfies ServerInput,
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const url = `http://127.0.0.1:${String(port)}`;
  const db = await createTestDatabase(DATABASE);
  try {
    await seedCustomerMaster(db.dataSource, 'cus_B', contracts);
    const runner = runnerOf(db.dataSource, {
      SYSTEM_SALESFORCE_URL: url,
      SYSTEM_BILLING_URL: url,
      SYSTEM_ERP_URL: url,
      SERVICE_API_KEY: 'rvl_bench_service_key_0000000000',
    });
    const drifted = (kind: number) =>
      Array.from({ length: contracts }, (_, i) => i).filter((i) => i % DRIFT_EVERY === kind).length;
    const expectedBreaks = drifted(1) + drifted(2) + drifted(3);
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    for (const pass of ['first', 'repeat'] as const) {
      const started = performance.now();
      const outcome = await runner.start({ scope: 'all', period: PERIOD, trigger: 'on_demand' });
      await outcome.done;
      const seconds = (performance.now() - started) / 1000;
      const run = (
        await db.dataSource.query<
          Array<{ status: string; error: string | null; checkpoints: Array<Record<string, number | string>> }>
        >(`SELECT "status", "error", "checkpoints" FROM "q2c"."reconciliation_runs" WHERE "run_id" = $1`, [
          outcome.runId,
        ])
      ).at(0);
      const open = (
        await db.dataSource.query<Array<{ n: number }>>(
          `SELECT count(*)::int AS n FROM "q2c"."reconciliation_breaks" WHERE "status" = 'open'`,
        )
      ).at(0);
      if (run?.status !== 'completed')
        throw new Error(`run ${pass} ${run?.status ?? '?'}: ${run?.error ?? ''}`);
      if (open?.n !== expectedBreaks)
        throw new Error(
          `run ${pass} found ${String(open?.n)} breaks, ${String(expectedBreaks)} were planted`,
        );
      printFigures({
        bench: 'reconciliation',
        mode: 'runner-only',
        note: 'exports played by a synthetic loopback server, not the sandbox',
        pass,
        invoiceLines: contracts * LINES_PER_INVOICE,
        invoices: contracts,
        contracts,
        rowsStaged: contracts * (LINES_PER_INVOICE + 3) - drifted(1),
        seconds: Number(seconds.toFixed(2)),
        linesPerSecond: Math.round((contracts * LINES_PER_INVOICE) / seconds),
        breaksOpen: open.n,
        checkpoints: run.checkpoints,
        targetSeconds: TARGET_SECONDS,
        withinTarget: seconds <= TARGET_SECONDS,
        peakRssMb: Math.round(peakRss / 1024 / 1024),
      });
    }
    clearInterval(sampler);
  } finally {
    await db.drop();
    await worker.terminate();
  }
}

const post = async <T>(url: string, body: unknown): Promise<T> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${String(response.status)}: ${await response.text()}`);
  return (await response.json()) as T;
};

/** The built apps the sandbox figure runs, each in a process of its own as deployed: vendors and system APIs. */
async function startProcesses(dbUrl: string): Promise<{
  urls: Record<'salesforce' | 'stripe' | 'netsuite' | 'crm' | 'billing' | 'erp', string>;
  cpuSeconds: () => Record<string, number>;
  peakRssMb: () => Record<string, number>;
  rssMb: () => Record<string, number>;
  close: () => Promise<void>;
}> {
  const root = repositoryRoot();
  const url = async () => `http://127.0.0.1:${String(await freePort())}`;
  const urls = {
    salesforce: await url(),
    stripe: await url(),
    netsuite: await url(),
    crm: await url(),
    billing: await url(),
    erp: await url(),
  };
  const port = (u: string) => new URL(u).port;
  const env: Record<string, string> = {
    DATABASE_URL: dbUrl,
    QUEUE_PREFIX: `bench-recon-${String(process.pid)}`,
    LOG_LEVEL: 'error',
    OUTBOX_RELAY: 'off',
    ...UNLIMITED_RATES,
    SANDBOX_SALESFORCE_PORT: port(urls.salesforce),
    SANDBOX_STRIPE_PORT: port(urls.stripe),
    SANDBOX_NETSUITE_PORT: port(urls.netsuite),
    SANDBOX_STRIPE_WEBHOOK_URLS: 'none',
    SYSTEM_SALESFORCE_PORT: port(urls.crm),
    SALESFORCE_LOGIN_URL: urls.salesforce,
    SALESFORCE_CAPTURE_ENABLED: 'false',
    SYSTEM_BILLING_PORT: port(urls.billing),
    SYSTEM_ERP_PORT: port(urls.erp),
    STRIPE_HOST: '127.0.0.1',
    STRIPE_PORT: port(urls.stripe),
    STRIPE_TIMEOUT_MS: '60000',
    // system-billing's Stripe limiter follows the sandbox's account, which refuses nothing under its fast profile:
    // the bench measures Revline's reading, not Stripe's pacing (against a real account, the pages and Sigma
    // queries go out at the account's published rates).
    STRIPE_RATE_LIMIT_PER_SECOND: '100000',
    STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '100000',
    STRIPE_EVENTS_POLL_MS: '0',
    // The invoice lines through Sigma (an opt-in; the list is the default), as this bench has always measured.
    STRIPE_INVOICE_LINES_EXPORT: 'sigma',
    NETSUITE_BASE_URL: urls.netsuite,
    NETSUITE_REQUEST_TIMEOUT_MS: '60000',
  };
  const running: Running[] = [];
  const names: string[] = [];
  const close = async (): Promise<void> => {
    for (const r of running) r.child.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const r of running) r.child.kill('SIGKILL');
    }, 10_000);
    await Promise.all(running.map((r) => r.exited));
    clearTimeout(killer);
  };
  const start = async (
    app: StackApp,
    at: string,
    extra: Record<string, string> = {},
    args: string[] = [],
  ) => {
    const r = spawnApp(root, app, { ...env, ...extra }, args);
    running.push(r);
    names.push(extra.SANDBOX_VENDORS ? `sandbox-${extra.SANDBOX_VENDORS}` : app);
    await waitForHealth(at, r);
  };
  try {
    // Each vendor in its own process, holding the generated account in memory (a million Stripe lines is GBs).
    const heap = ['--max-old-space-size=12288', '--max-semi-space-size=64'];
    const profile = process.env.BENCH_RECON_CPU_PROF
      ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.BENCH_RECON_CPU_PROF}`]
      : [];
    await Promise.all([
      start('sandbox', urls.salesforce, { SANDBOX_VENDORS: 'salesforce' }, [...heap, ...profile]),
      start('sandbox', urls.stripe, { SANDBOX_VENDORS: 'stripe' }, [...heap, ...profile]),
      start('sandbox', urls.netsuite, { SANDBOX_VENDORS: 'netsuite' }, [...heap, ...profile]),
      start('system-salesforce', urls.crm, {}, profile),
      start('system-billing', urls.billing, {}, profile),
      start('system-erp', urls.erp, {}, profile),
    ]);
  } catch (error) {
    await close();
    throw error;
  }
  const cpuSeconds = () =>
    Object.fromEntries(running.map((r, i) => [names[i] ?? '?', processCpuSeconds(r.child.pid)]));
  const peakRssMb = () =>
    Object.fromEntries(running.map((r, i) => [names[i] ?? '?', processRssMb(r.child.pid, 'VmHWM')]));
  const rssMb = () =>
    Object.fromEntries(running.map((r, i) => [names[i] ?? '?', processRssMb(r.child.pid, 'VmRSS')]));
  return { urls, cpuSeconds, peakRssMb, rssMb, close };
}

/** The headline: data generated in the sandboxes, read through system-billing and system-erp. */
async function throughSandbox(): Promise<void> {
  const invoices = Math.ceil(SANDBOX_LINES / LINES_PER_INVOICE);
  const db = await createTestDatabase(DATABASE);
  for (const database of [SALESFORCE, BILLING, ERP])
    await runMigrations(appDataSourceOptions(database, db.url));
  const stack = await startProcesses(db.url);
  const { urls } = stack;
  try {
    const seed = 'B';
    const createdFrom = Date.UTC(2026, 2, 1, 1) / 1000;
    // Spread over the first 29 days of the period (a day later stays in it), as a month's invoices are.
    const spacingSeconds = Math.max(1, Math.floor((29 * 86_400) / invoices));
    const generation = { invoices, linesPerInvoice: LINES_PER_INVOICE, seed, createdFrom, spacingSeconds };
    let started = performance.now();
    await post(`${urls.stripe}/sandbox/stripe/generate`, generation);
    const stripeSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const erpGenerated = await post<GenerateNetSuiteResult>(`${urls.netsuite}/sandbox/netsuite/generate`, {
      ...generation,
      driftEvery: DRIFT_EVERY,
    });
    const netsuiteSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const crmGenerated = await post<GenerateSalesforceResult>(
      `${urls.salesforce}/sandbox/salesforce/generate`,
      {
        ...generation,
        driftEvery: DRIFT_EVERY,
      },
    );
    const salesforceSeconds = (performance.now() - started) / 1000;
    await seedCustomerMaster(db.dataSource, `cus_${seed}_`, invoices);
    const plantedBreaks = { ...erpGenerated.planted, ...crmGenerated.planted };
    const planted = Object.values(plantedBreaks).reduce((a, b) => a + b, 0);
    printFigures({
      bench: 'reconciliation',
      mode: 'sandbox',
      phase: 'generation',
      invoices,
      invoiceLines: invoices * LINES_PER_INVOICE,
      stripeSeconds: Number(stripeSeconds.toFixed(2)),
      netsuiteSeconds: Number(netsuiteSeconds.toFixed(2)),
      salesforceSeconds: Number(salesforceSeconds.toFixed(2)),
      salesforceOrders: crmGenerated.orders,
      planted: plantedBreaks,
    });

    const runner = runnerOf(db.dataSource, {
      SYSTEM_SALESFORCE_URL: urls.crm,
      SYSTEM_BILLING_URL: urls.billing,
      SYSTEM_ERP_URL: urls.erp,
      SERVICE_API_KEY: await seedApiKey(db.dataSource, ['finance.viewer'], 'reconciliation bench'),
      RECONCILIATION_HTTP_TIMEOUT_MS: 600_000,
    });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    const cpuBefore = stack.cpuSeconds();
    const rssBeforeMb = stack.rssMb();
    const ownCpuBefore = process.cpuUsage();
    started = performance.now();
    // The two checkpoints between the three systems, side by side (each its own run).
    const outcomes = await Promise.all(
      (['salesforce-billing', 'billing-erp'] as const).map((scope) =>
        runner.start({ scope, period: PERIOD, trigger: 'on_demand' }),
      ),
    );
    await Promise.all(outcomes.map((o) => o.done));
    const seconds = (performance.now() - started) / 1000;
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const cpuSeconds: Record<string, number> = {};
    for (const [name, after] of Object.entries(stack.cpuSeconds()))
      cpuSeconds[name] = Number((after - (cpuBefore[name] ?? 0)).toFixed(2));
    cpuSeconds.runner = Number(((ownCpu.user + ownCpu.system) / 1e6).toFixed(2));
    clearInterval(sampler);
    const runs = await db.dataSource.query<
      Array<{ status: string; error: string | null; checkpoints: Array<Record<string, number | string>> }>
    >(`SELECT "status", "error", "checkpoints" FROM "q2c"."reconciliation_runs" WHERE "run_id" = ANY($1)`, [
      outcomes.map((o) => o.runId),
    ]);
    const failed = runs.find((r) => r.status !== 'completed');
    if (runs.length !== outcomes.length || failed)
      throw new Error(`sandbox run ${failed?.status ?? '?'}: ${failed?.error ?? ''}`);
    const found = await db.dataSource.query<Array<{ category: string; n: number }>>(
      `SELECT "category", count(*)::int AS n FROM "q2c"."reconciliation_breaks" WHERE "status" = 'open'
        GROUP BY "category" ORDER BY "category"`,
    );
    const breaksFound = found.reduce((sum, row) => sum + row.n, 0);
    if (process.env.BENCH_RECON_DEBUG === '1')
      process.stderr.write(
        `${JSON.stringify(
          await db.dataSource.query(
            `SELECT "category", "object_id", "expected", "actual" FROM "q2c"."reconciliation_breaks" ORDER BY "object_id" LIMIT 80`,
          ),
        )}\n`,
      );
    printFigures({
      bench: 'reconciliation',
      mode: 'sandbox',
      phase: 'reconciliation',
      scope: 'salesforce-billing + billing-erp, side by side',
      invoiceLines: invoices * LINES_PER_INVOICE,
      invoices,
      rowsStaged: {
        salesforceOrderLines: crmGenerated.lines,
        billingSubscriptionItems: invoices,
        billingInvoiceLines: invoices * LINES_PER_INVOICE,
        erpInvoices: invoices - erpGenerated.planted.missing_in_erp,
      },
      seconds: Number(seconds.toFixed(2)),
      linesPerSecond: Math.round((invoices * LINES_PER_INVOICE) / seconds),
      breaksPlanted: plantedBreaks,
      breaksFound: Object.fromEntries(found.map((row) => [row.category, row.n])),
      allFound: breaksFound === planted,
      checkpoints: runs.flatMap((r) => r.checkpoints),
      targetSeconds: TARGET_SECONDS,
      withinTarget: seconds <= TARGET_SECONDS,
      cpuSeconds,
      rssBeforeMb,
      peakRssMb: { ...stack.peakRssMb(), runner: Math.round(peakRss / 1024 / 1024) },
      rssNote: 'peak resident memory of each process; the vendor sandboxes hold the generated account',
      paging:
        'Salesforce Bulk API 2.0 query, CSV pages of 10,000; Stripe invoice lines through Sigma query runs (8 created slices, CSV result files, five fields) and subscriptions.list limit 100 over 64 created slices, 4 at a time; SuiteQL 1000 rows a page, concurrently within the NetSuite limit',
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    });
    if (breaksFound !== planted)
      throw new Error(`sandbox run found ${String(breaksFound)} breaks, ${String(planted)} were planted`);
  } finally {
    await stack.close();
    await db.drop();
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(false);
  await throughSandbox();
  if (RUNNER_ONLY) await runnerOnly();
}

if (isMainThread) runBench('reconciliation', main);
else serve(workerData as ServerInput);
