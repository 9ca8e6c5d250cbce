/**
 * Revenue engine benchmark: 100,000 contracts × 36 monthly periods, a mix of
 * ratable, point-in-time and amended contracts, through the public computeSchedules API.
 * Prints one JSON line. Run after the build: node dist/bench/revenue.bench.js
 */
import { performance } from 'node:perf_hooks';
import type { ContractLine } from '../libs/canonical/src';
import { computeSchedules, type RevenueAmendment, type RevenueContract } from '../libs/revenue/src';

const CONTRACTS = Number.parseInt(process.env['BENCH_CONTRACTS'] ?? '100000', 10);
const PERIODS = 36;
const TARGET_SECONDS = 3;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function line(i: number, kind: 'ratable' | 'point'): ContractLine {
  const seats = 5 + (i % 50);
  const price = 20 + (i % 7) * 5;
  return {
    lineId: `L${String(i)}`,
    productCode: kind === 'ratable' ? 'SEAT' : 'SETUP',
    pobId: `P${String(i)}`,
    chargeType: kind === 'ratable' ? 'recurring' : 'one_time',
    quantity: String(seats),
    unitPrice: String(price),
    unitPricePeriod: kind === 'ratable' ? 'month' : 'term',
    netAmount: {
      amountMinor: String(kind === 'ratable' ? seats * price * 100 * PERIODS : price * 1000),
      currency: 'USD',
    },
    serviceStart: '',
    serviceEnd: '',
    revenueTreatment: kind === 'ratable' ? 'ratable_daily' : 'point_in_time',
  };
}

function build(i: number): { contract: RevenueContract; amendments: RevenueAmendment[] } {
  const startMonth = 1 + (i % 12);
  const startYear = 2026 + (i % 3);
  const termStart = `${String(startYear)}-${pad(startMonth)}-01`;
  const endMonth = startMonth === 1 ? 12 : startMonth - 1;
  const endYear = startYear + 3 - (startMonth === 1 ? 1 : 0);
  const termEnd = `${String(endYear)}-${pad(endMonth)}-${endMonth === 2 ? (endYear % 4 === 0 ? '29' : '28') : [4, 6, 9, 11].includes(endMonth) ? '30' : '31'}`;
  const kind = i % 10;
  const lines: ContractLine[] = [{ ...line(i, 'ratable'), serviceStart: termStart, serviceEnd: termEnd }];
  if (kind >= 6) {
    // 40 %: an implementation fee recognised at a point in time.
    lines.push({
      ...line(i + 1, 'point'),
      lineId: `S${String(i)}`,
      pobId: `S${String(i)}`,
      serviceStart: termStart,
      serviceEnd: termStart,
    });
  }
  const contract: RevenueContract = {
    contractId: `C${String(i)}`,
    currency: 'USD',
    termStart,
    termEnd,
    billingFrequency: i % 2 === 0 ? 'annual' : 'monthly',
    billingTiming: 'advance',
    lines,
  };
  const amendments: RevenueAmendment[] = [];
  if (kind % 3 === 0) {
    // 40 %: a mid-term expansion (separate contract) or reduction (prospective).
    const q = 5 + (i % 50);
    const effective = `${String(startYear + 1)}-${pad(1 + (i % 12))}-15`;
    amendments.push({
      amendmentId: `A${String(i)}`,
      amendsContractId: `C${String(i)}`,
      amendmentType: kind === 3 ? 'reduction' : 'expansion',
      effectiveDate: effective,
      coTerminated: true,
      lineDeltas: [
        {
          lineId: `L${String(i)}`,
          priorQuantity: String(q),
          newQuantity: String(kind === 3 ? q - 2 : q + 3),
          priorUnitPrice: String(20 + (i % 7) * 5),
          newUnitPrice: String(20 + (i % 7) * 5),
        },
      ],
    });
  }
  return { contract, amendments };
}

function main(): void {
  const inputs = Array.from({ length: CONTRACTS }, (_, i) => build(i));
  // Warm-up on a slice so the JIT sees the hot path before timing.
  for (const x of inputs.slice(0, 2000)) {
    computeSchedules(x.contract, x.amendments);
  }
  let periods = 0;
  let recognised = 0n;
  const t0 = performance.now();
  for (const x of inputs) {
    const r = computeSchedules(x.contract, x.amendments);
    periods += r.deferredByPeriod.length;
    recognised += r.totals.recognisedMinor;
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = {
    bench: 'revenue-engine',
    contracts: CONTRACTS,
    periods: PERIODS,
    balancePeriodsComputed: periods,
    recognisedMinor: recognised.toString(),
    seconds: Number.parseFloat(seconds.toFixed(3)),
    contractsPerSecond: Math.round(CONTRACTS / seconds),
    targetSeconds: TARGET_SECONDS,
    pass: seconds <= TARGET_SECONDS,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
