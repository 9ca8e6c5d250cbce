/**
 * Reconciliation benchmark (issue 8): 1,000,000 invoice lines reconciled three ways — Salesforce order lines against
 * billing subscription items (salesforce-billing), and billing invoice lines against ERP invoices (billing-erp) — by
 * the ReconciliationRunner of process-q2c: each export streamed over HTTP straight into `COPY … FROM STDIN`,
 * compared in set-based SQL, breaks filed and auto-closed. Target ≤ 15 s per run.
 *
 * The system APIs' exports are served by a loopback HTTP server in a worker thread that generates them in the
 * exports' own CSV shapes (/v1/exports/order-lines, /v1/exports/subscription-items, /v1/invoice-lines/export,
 * /v1/exports/documents, each with format=csv; their column lists are imported from the routes), so the figure is the engine's: transfer, COPY, SQL and filing, not the vendors' APIs. The
 * data carries deliberate drift (an invoice missing in the ERP, an amount off by one cent, a quantity changed) every
 * BENCH_RECON_DRIFT_EVERY contracts; the run must find exactly those. Run twice: the first opens every break, the
 * second sees them again (the steady state of a nightly run). Also the process RSS at its peak (sampled every 20 ms).
 * Run after the build: node dist/bench/reconciliation.bench.js
 */
import 'reflect-metadata';
import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { MetricsService } from '@revline/observability';
import { createTestDatabase } from '@revline/testing';
import axios from 'axios';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DATABASE } from '../apps/process-q2c/src/database';
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
import { HttpSystemApis } from '../apps/process-q2c/src/reconciliation/system-apis';
import { printFigures, runBench } from './support/bench';

const LINES = Number.parseInt(process.env.BENCH_RECON_LINES ?? '1000000', 10);
const LINES_PER_INVOICE = Number.parseInt(process.env.BENCH_RECON_LINES_PER_INVOICE ?? '10', 10);
const DRIFT_EVERY = Number.parseInt(process.env.BENCH_RECON_DRIFT_EVERY ?? '1000', 10);
const TARGET_SECONDS = 15;
const PERIOD = '2026-03';

interface ServerInput {
  contracts: number;
  linesPerInvoice: number;
  driftEvery: number;
}

const pad = (i: number): string => String(i).padStart(7, '0');

/**
 * The exports, generated a chunk at a time, with drift on contracts i % driftEvery = 1, 2 and 3. Billing's
 * documents export (credit notes and payments; asked without `kind`) and the ERP's credit memos and payments are
 * empty: the bench measures invoices.
 */
function* exportOf(path: string, kind: string | null, input: ServerInput): Generator<string> {
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
      if (i === 0) chunk += `${INVOICE_LINE_CSV_COLUMNS.join(',')}\n`;
      for (let l = 0; l < linesPerInvoice; l++) {
        chunk += `in_B${pad(i)},il_B${pad(i)}_${String(l)},cus_B${pad(i)},Seat,${String(unit)},USD,false,price_seat,1,2026-03-01,2026-04-01,2026-03-01\n`;
      }
    } else if (path === '/v1/exports/documents') {
      if (i === 0) chunk += `${DOCUMENT_CSV_COLUMNS.join(',')}\n`;
      const total = unit * linesPerInvoice + (drift(i, 2) ? 1 : 0);
      if (!drift(i, 1))
        chunk += `invoice,${String(1000 + i)},INV-in_B${pad(i)},2026-03-01,${PERIOD},${String(500 + i)},${contract},${String(total)},USD\n`;
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
    const chunks = exportOf(path, parsed.searchParams.get('kind'), input);
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

async function main(): Promise<void> {
  Logger.overrideLogger(false);
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
    const config = Object.assign(new ReconciliationConfig(), {
      SYSTEM_SALESFORCE_URL: url,
      SYSTEM_BILLING_URL: url,
      SYSTEM_ERP_URL: url,
      SERVICE_API_KEY: 'rvl_bench_service_key_0000000000',
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

if (isMainThread) runBench('reconciliation', main);
else serve(workerData as ServerInput);
