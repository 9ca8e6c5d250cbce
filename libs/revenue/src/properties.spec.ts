import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromEpochDay, toEpochDay, type ContractLine } from '@revline/canonical';
import { computeSchedules } from './compute-schedules';
import type { RevenueContract } from './input/contract-input';
import type { RevenueAmendment } from './modifications/amendment-input';
import { allocateByWeights } from './recognition/allocation';

const BASE = toEpochDay('2024-01-01');
const methods = ['ratable_daily', 'even_monthly', 'monthly_prorated', 'point_in_time'] as const;

const lineArb = fc.record({
  net: fc.bigInt({ min: 0n, max: 10n ** 11n }),
  ssp: fc.bigInt({ min: 1n, max: 10n ** 11n }),
  method: fc.constantFrom(...methods),
  quantity: fc.integer({ min: 1, max: 500 }),
});

const contractArb = fc
  .record({
    start: fc.integer({ min: 0, max: 365 * 6 }),
    length: fc.integer({ min: 1, max: 1200 }),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 4 }),
    frequency: fc.constantFrom('monthly', 'quarterly', 'semiannual', 'annual', 'upfront' as const),
    timing: fc.constantFrom('advance', 'arrears' as const),
    ratable: fc.constantFrom('ratable_daily', 'even_monthly', 'monthly_prorated' as const),
    currency: fc.constantFrom('USD', 'JPY', 'KWD', 'EUR' as const),
  })
  .map((g) => {
    const termStart = fromEpochDay(BASE + g.start);
    const termEnd = fromEpochDay(BASE + g.start + g.length - 1);
    const lines: ContractLine[] = g.lines.map((l, i) => ({
      lineId: `L${String(i)}`,
      productCode: `P${String(i)}`,
      pobId: `POB${String(i)}`,
      chargeType: l.method === 'point_in_time' ? 'one_time' : 'recurring',
      quantity: String(l.quantity),
      unitPrice: '1',
      unitPricePeriod: 'month',
      netAmount: { amountMinor: l.net.toString(), currency: g.currency },
      ssp: { amountMinor: l.ssp.toString(), currency: g.currency },
      serviceStart: termStart,
      serviceEnd: l.method === 'point_in_time' ? termStart : termEnd,
      revenueTreatment: l.method,
    }));
    const contract: RevenueContract = {
      contractId: 'C-P',
      currency: g.currency,
      termStart,
      termEnd,
      billingFrequency: g.frequency,
      billingTiming: g.timing,
      lines,
    };
    return {
      contract,
      ratable: g.ratable,
      start: BASE + g.start,
      length: g.length,
      quantity0: g.lines[0]?.quantity ?? 1,
    };
  });

const amendedArb = contractArb.chain((c) =>
  fc
    .record({
      at: fc.integer({ min: 0, max: c.length - 1 }),
      add: fc.integer({ min: 1, max: 50 }),
      price: fc.integer({ min: 1, max: 500 }),
    })
    .map(({ at, add, price }) => {
      const first = c.contract.lines.at(0);
      const am: RevenueAmendment = {
        amendmentId: 'A1',
        amendsContractId: 'C-P',
        amendmentType: 'expansion',
        effectiveDate: fromEpochDay(c.start + at),
        coTerminated: true,
        lineDeltas:
          first === undefined || first.chargeType !== 'recurring'
            ? []
            : [
                {
                  lineId: first.lineId,
                  priorQuantity: first.quantity,
                  newQuantity: String(c.quantity0 + add),
                  priorUnitPrice: '1',
                  newUnitPrice: String(price),
                },
              ],
      };
      return { ...c, amendments: [am] };
    }),
);

describe('revenue engine properties', () => {
  it('allocations sum to the transaction price', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 20 }),
        (total, weights) => {
          expect(allocateByWeights(total, weights).reduce((s, x) => s + x, 0n)).toBe(total);
        },
      ),
    );
  });

  it('period amounts of every obligation sum exactly to its allocation, and allocations to the price', () => {
    fc.assert(
      fc.property(contractArb, ({ contract, ratable }) => {
        const r = computeSchedules(contract, [], { ratableConvention: ratable });
        const price = contract.lines.reduce((s, l) => s + BigInt(l.netAmount.amountMinor), 0n);
        expect(r.totals.allocatedMinor).toBe(price);
        for (const ob of r.obligations) {
          expect(ob.periods.reduce((s, p) => s + p.amountMinor, 0n)).toBe(ob.allocatedMinor);
          expect(ob.periods.at(-1)?.cumulativeMinor).toBe(ob.allocatedMinor);
        }
      }),
    );
  });

  it('billed = recognised + deferred at every period end, and all is billed and recognised by the end', () => {
    fc.assert(
      fc.property(amendedArb, ({ contract, amendments }) => {
        const r = computeSchedules(contract, amendments);
        for (const p of r.deferredByPeriod) {
          expect(p.billedToDateMinor).toBe(p.recognisedToDateMinor + p.deferredMinor);
          expect(p.deferredRevenueMinor - p.contractAssetMinor).toBe(p.deferredMinor);
        }
        const last = r.deferredByPeriod.at(-1);
        expect(last?.billedToDateMinor).toBe(r.totals.transactionPriceMinor);
        expect(last?.recognisedToDateMinor).toBe(r.totals.transactionPriceMinor);
      }),
    );
  });

  it('never recognises negative revenue for a non-negative price, with or without an expansion', () => {
    fc.assert(
      fc.property(amendedArb, fc.boolean(), ({ contract, amendments }, amend) => {
        const r = computeSchedules(contract, amend ? amendments : []);
        for (const ob of r.obligations) {
          for (const p of ob.periods) {
            expect(p.amountMinor >= 0n).toBe(true);
          }
        }
      }),
    );
  });

  it('gives the same schedule for the same inputs', () => {
    fc.assert(
      fc.property(amendedArb, ({ contract, amendments }) => {
        expect(computeSchedules(contract, amendments)).toEqual(
          computeSchedules(structuredClone(contract), structuredClone(amendments)),
        );
      }),
      { numRuns: 50 },
    );
  });
});
