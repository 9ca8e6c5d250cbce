import { describe, expect, it } from 'vitest';
import { computeSchedules } from './compute-schedules';
import type { ObligationSchedule, ScheduleResult } from './schedule/result';
import { g1Contract, g2Expansion, g4Modification, g5Reduction } from './testing/fixtures';

const cents = (xs: readonly string[]): bigint[] => xs.map((x) => BigInt(x.replace(/[,.]/g, '')));

function amounts(ob: ObligationSchedule | undefined): bigint[] {
  return (ob?.periods ?? []).map((p) => p.amountMinor);
}

function pob(result: ScheduleResult, pobId: string): ObligationSchedule | undefined {
  return result.obligations.find((o) => o.pobId === pobId);
}

function monthAmount(result: ScheduleResult, pobId: string, period: string): bigint | undefined {
  return pob(result, pobId)?.periods.find((p) => p.period === period)?.amountMinor;
}

describe('G1 annual subscription, ratable daily', () => {
  const result = computeSchedules(g1Contract());

  it('recognises the golden monthly amounts with cumulative rounding', () => {
    expect(amounts(pob(result, 'seats'))).toEqual(
      cents([
        '1,019.18',
        '920.55',
        '1,019.17',
        '986.31',
        '1,019.17',
        '986.30',
        '1,019.18',
        '1,019.18',
        '986.30',
        '1,019.18',
        '986.30',
        '1,019.18',
      ]),
    );
    expect(result.totals.recognisedMinor).toBe(1_200_000n);
  });

  it('has 10,980.82 deferred at 2026-01-31', () => {
    const jan = result.deferredByPeriod.find((p) => p.period === '2026-01');
    expect(jan?.billedToDateMinor).toBe(1_200_000n);
    expect(jan?.deferredMinor).toBe(1_098_082n);
  });

  it('with even monthly recognises 1,000.00 a month and defers 11,000.00 at January end', () => {
    const even = computeSchedules(g1Contract(), [], { ratableConvention: 'even_monthly' });
    expect(amounts(pob(even, 'seats'))).toEqual(Array<bigint>(12).fill(100_000n));
    expect(even.deferredByPeriod[0]?.deferredMinor).toBe(1_100_000n);
  });
});

describe('G2 mid-term seat expansion as a separate contract', () => {
  const result = computeSchedules(g1Contract(), [g2Expansion]);

  it('treats the added seats as a separate contract under ASC 606-10-25-12', () => {
    expect(result.modifications[0]).toMatchObject({
      treatment: 'separate_contract',
      citation: 'ASC 606-10-25-12',
      considerationMinor: '480000',
    });
  });

  it('recognises the 4,800.00 over 2026-03-15..2026-12-31 by the golden months', () => {
    const added = pob(result, 'seats@A-G2');
    expect(added?.allocatedMinor).toBe(480_000n);
    expect(amounts(added)).toEqual(
      cents([
        '279.45',
        '493.15',
        '509.59',
        '493.15',
        '509.59',
        '509.59',
        '493.15',
        '509.59',
        '493.15',
        '509.59',
      ]),
    );
  });

  it('gives March revenue of 1,298.62 for the customer in all', () => {
    const march = result.deferredByPeriod.find((p) => p.period === '2026-03');
    expect(march?.recognisedMinor).toBe(129_862n);
    expect(monthAmount(result, 'seats', '2026-03')).toBe(101_917n);
  });

  it('invoices the 4,800.00 proration on the effective date and keeps billed = recognised + deferred', () => {
    expect(result.deferredByPeriod.find((p) => p.period === '2026-03')?.billedMinor).toBe(480_000n);
    for (const p of result.deferredByPeriod) {
      expect(p.billedToDateMinor).toBe(p.recognisedToDateMinor + p.deferredMinor);
    }
  });

  it('lists the new obligation as the difference of schedule version 2', () => {
    expect(result.scheduleVersion).toBe(2);
    const changes = result.versions[1]?.changes ?? [];
    expect(changes.every((c) => c.pobId === 'seats@A-G2')).toBe(true);
    expect(changes.find((c) => c.period === '2026-03')).toMatchObject({
      previousMinor: 0n,
      currentMinor: 27_945n,
      deltaMinor: 27_945n,
    });
  });
});

describe('G4 prospective modification (ASC 606-10-25-13(a))', () => {
  const result = computeSchedules(g1Contract(), [g4Modification]);

  it('is prospective: added goods below SSP, remaining services distinct', () => {
    expect(result.modifications[0]).toMatchObject({
      treatment: 'prospective',
      citation: 'ASC 606-10-25-13(a)',
      facts: { distinctGoodsAdded: true, pricedAtSsp: false, remainingGoodsDistinct: true },
    });
  });

  it('keeps the 5,950.68 recognised before the change and reallocates 9,049.32', () => {
    const seats = pob(result, 'seats');
    expect(seats?.periods.find((p) => p.period === '2026-06')?.cumulativeMinor).toBe(595_068n);
    expect(seats?.allocatedMinor).toBe(595_068n + 814_439n);
    expect(pob(result, 'training')?.allocatedMinor).toBe(90_493n);
  });

  it('recognises the seats July..December by the golden months and training on delivery', () => {
    expect(amounts(pob(result, 'seats')).slice(6)).toEqual(
      cents(['1,372.15', '1,372.16', '1,327.89', '1,372.15', '1,327.89', '1,372.15']),
    );
    expect(monthAmount(result, 'training', '2026-07')).toBe(90_493n);
  });
});

describe('G5 partial cancellation with a credit', () => {
  const result = computeSchedules(g1Contract(), [g2Expansion, g5Reduction]);

  it('credits 1,512.33, exactly the removed seats remaining schedule', () => {
    expect(result.modifications[1]).toMatchObject({
      treatment: 'prospective',
      creditMinor: '151233',
      considerationMinor: '-151233',
    });
    const removed = pob(result, 'seats@A-G2');
    const v2 = computeSchedules(g1Contract(), [g2Expansion]);
    const remaining = ['2026-10', '2026-11', '2026-12'].map((m) => monthAmount(v2, 'seats@A-G2', m) ?? 0n);
    expect(remaining.reduce((s, x) => s + x, 0n)).toBe(151_233n);
    expect(amounts(removed).slice(7)).toEqual([0n, 0n, 0n]);
  });

  it('credits 1,500.00 under CPQ monthly+daily', () => {
    const cpq = computeSchedules(g1Contract(), [g2Expansion, g5Reduction], {
      prorationConvention: 'cpq_monthly_daily',
    });
    expect(cpq.modifications[1]?.creditMinor).toBe('150000');
  });

  it('recognises 3,024.66 in Q4 for the 10 remaining seats', () => {
    const q4 = ['2026-10', '2026-11', '2026-12'].map(
      (m) => result.deferredByPeriod.find((p) => p.period === m)?.recognisedMinor ?? 0n,
    );
    expect(q4.reduce((s, x) => s + x, 0n)).toBe(302_466n);
    expect(['2026-10', '2026-11', '2026-12'].map((m) => monthAmount(result, 'seats', m))).toEqual(
      cents(['1,019.18', '986.30', '1,019.18']),
    );
  });
});

describe('G7 usage overage billed monthly in arrears', () => {
  const contract = g1Contract({
    billingFrequency: 'monthly',
    billingTiming: 'arrears',
    lines: [
      {
        lineId: 'api',
        productCode: 'API-CALLS',
        pobId: 'api',
        chargeType: 'usage',
        quantity: '1',
        unitPrice: '0',
        unitPricePeriod: 'month',
        netAmount: { amountMinor: '0', currency: 'USD' },
        serviceStart: '2026-01-01',
        serviceEnd: '2026-12-31',
        revenueTreatment: 'usage',
        includedUsage: '100000',
        overageRate: '0.002',
      },
    ],
  });
  const result = computeSchedules(contract, [], undefined, [
    { lineId: 'api', quantity: '130000', usageStart: '2026-03-01', usageEnd: '2026-03-31' },
  ]);

  it('recognises 60.00 of overage in March, the month of use', () => {
    expect(monthAmount(result, 'api:overage', '2026-03')).toBe(6_000n);
    expect(monthAmount(result, 'api:overage', '2026-04')).toBe(0n);
  });

  it('invoices it on 2026-04-01, leaving a contract asset at March end', () => {
    const march = result.deferredByPeriod.find((p) => p.period === '2026-03');
    const april = result.deferredByPeriod.find((p) => p.period === '2026-04');
    expect(march?.contractAssetMinor).toBe(6_000n);
    expect(april?.billedMinor).toBe(6_000n);
    expect(april?.deferredMinor).toBe(0n);
  });
});
