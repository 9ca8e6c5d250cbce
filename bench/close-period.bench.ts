/**
 * Period close benchmark (issue 16): one revenue run over BENCH_CLOSE_CONTRACTS contracts (100,000 by default) through
 * the built apps as child processes (process-q2c, system-erp and the sandbox under SANDBOX_PROFILE, `realistic` by
 * default: NetSuite answers each request after its latency, five at a time per account). The contracts' stored
 * schedules are seeded straight into process-q2c's tables (one obligation of 12,000.00 over 2026 each, nothing billed
 * yet, so each contract has a revenue line and an unbilled-receivable line); the run is started through
 * `POST /v1/close/2026-01/revenue-runs` and timed until every journal is posted. Prints the seconds from the request
 * to the run posted (target ≤ 60 s), the journals and contract lines, and process-q2c's and system-erp's CPU seconds.
 * BENCH_CLOSE_MODE=detail runs detail mode (a line pair per contract line, journals of 1,000 lines). JSON lines.
 */
import 'reflect-metadata';
import { bearer, seedApiKey } from '@revline/testing';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { startQ2cStack } from '../test/support/q2c-stack';
import { printFigures, processCpuSeconds, runBench } from './support/bench';

const CONTRACTS = Number.parseInt(process.env.BENCH_CLOSE_CONTRACTS ?? '100000', 10);
const MODE = process.env.BENCH_CLOSE_MODE === 'detail' ? 'detail' : 'summary';
const PROFILE = process.env.SANDBOX_PROFILE ?? 'realistic';
const TARGET_SECONDS = 60;
const TIMEOUT_MS = 15 * 60_000;

/** G1's months in cents: 12,000.00 over 2026, by day. */
const MONTHS = [101918, 92055, 101917, 98631, 101917, 98630, 101918, 101918, 98630, 101918, 98630, 101918];

interface RunView {
  runId: string;
  state: string;
  lines: number;
  contracts: number;
  journals: Array<{ lines: number; status: string }>;
}

async function main(): Promise<void> {
  const stack = await startQ2cStack({
    LOG_LEVEL: 'error',
    SANDBOX_PROFILE: PROFILE,
    REVENUE_POSTING: 'period_close',
    REVENUE_CLOSE_MODE: MODE,
  });
  try {
    const periods = JSON.stringify(
      MONTHS.map((amount, i) => ({
        period: `2026-${String(i + 1).padStart(2, '0')}`,
        amountMinor: String(amount),
      })),
    );
    await stack.query(
      `INSERT INTO "q2c"."revenue_schedules"
         ("contract_id", "obligation_id", "schedule_version", "currency", "subsidiary", "product_class", "periods")
       SELECT 'BENCH-' || lpad(n::text, 7, '0'), 'POB-SEATS', 1, 'USD', 'US', 'subscription', $2::jsonb
         FROM generate_series(1, $1::int) n`,
      [CONTRACTS, periods],
    );
    const operator = await seedApiKey(stack.db.dataSource, ['finance.operator']);
    const url = stack.urls['process-q2c'];
    const erpCpu = () => processCpuSeconds(stack.running('system-erp')?.child.pid);
    const q2cCpu = () => processCpuSeconds(stack.running('process-q2c')?.child.pid);
    const before = { q2c: q2cCpu(), erp: erpCpu() };
    const started = performance.now();
    const res = await fetch(`${url}/v1/close/2026-01/revenue-runs`, {
      method: 'POST',
      headers: { ...bearer(operator), 'content-type': 'application/json' },
      body: '{}',
    }).catch((error: unknown) => {
      throw new Error(
        `POST revenue-runs failed; process-q2c said: ${stack.running('process-q2c')?.output() ?? ''}`,
        {
          cause: error,
        },
      );
    });
    if (!res.ok) throw new Error(`POST revenue-runs: ${String(res.status)} ${await res.text()}`);
    const run = (await res.json()) as RunView;
    const answeredSeconds = (performance.now() - started) / 1000;
    let seen: RunView | undefined;
    while (performance.now() - started < TIMEOUT_MS) {
      const list = (await (
        await fetch(`${url}/v1/close/2026-01/revenue-runs`, { headers: bearer(operator) })
      ).json()) as { items: RunView[] };
      seen = list.items.find((r) => r.runId === run.runId);
      if (seen?.state !== 'posting') break;
      await sleep(200);
    }
    const seconds = (performance.now() - started) / 1000;
    printFigures({
      bench: 'close-period',
      profile: PROFILE,
      mode: MODE,
      contracts: CONTRACTS,
      state: seen?.state,
      lines: seen?.lines,
      journals: seen?.journals.length,
      journalLines: seen?.journals.reduce((s, j) => s + j.lines, 0),
      computedAndSentSeconds: Number(answeredSeconds.toFixed(3)),
      seconds: Number(seconds.toFixed(3)),
      revlineCpuSeconds: {
        'process-q2c': Number((q2cCpu() - before.q2c).toFixed(2)),
        'system-erp': Number((erpCpu() - before.erp).toFixed(2)),
      },
      target: { seconds: TARGET_SECONDS },
      pass: seen?.state === 'posted' && seconds <= TARGET_SECONDS,
    });
  } finally {
    await stack.close();
  }
}

runBench('close-period', main);
