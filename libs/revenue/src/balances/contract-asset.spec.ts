import { describe, expect, it } from 'vitest';
import { computeSchedules } from '../compute-schedules';
import { g1Contract } from '../testing/fixtures';
import { contractPosition, contractRollForward } from './contract-asset';

const cents = (x: string): bigint => BigInt(x.replace(/[,.]/g, ''));

/** G1's recognised revenue by month, from the engine (the golden 1,019.18 / 920.55 / …). */
function g1Recognised(): Map<string, bigint> {
  const result = computeSchedules(g1Contract());
  return new Map(result.obligations.flatMap((o) => o.periods.map((p) => [p.period, p.amountMinor] as const)));
}

describe('contractPosition', () => {
  it('is deferred revenue when billed runs ahead, a contract asset when recognised does, never both', () => {
    expect(contractPosition(cents('12,000.00'), cents('1,019.18'))).toEqual({
      deferredRevenueMinor: cents('10,980.82'),
      contractAssetMinor: 0n,
    });
    expect(contractPosition(0n, cents('1,019.18'))).toEqual({
      deferredRevenueMinor: 0n,
      contractAssetMinor: cents('1,019.18'),
    });
    expect(contractPosition(cents('100.00'), cents('100.00'))).toEqual({
      deferredRevenueMinor: 0n,
      contractAssetMinor: 0n,
    });
  });
});

describe('G1 booked back-dated: term from 2026-01-01, the 12,000.00 invoiced on 2026-04-01', () => {
  const months = contractRollForward(new Map([['2026-04', cents('12,000.00')]]), g1Recognised());
  const at = (period: string) => months.find((m) => m.period === period);

  it('holds January..March revenue as an unbilled receivable, with no deferred revenue', () => {
    expect(months.map((m) => m.period)).toHaveLength(12);
    expect(at('2026-01')).toMatchObject({
      contractAssetMinor: cents('1,019.18'),
      deferredRevenueMinor: 0n,
      contractAssetMovementMinor: cents('1,019.18'),
    });
    expect(at('2026-02')).toMatchObject({
      contractAssetMinor: cents('1,939.73'),
      contractAssetMovementMinor: cents('920.55'),
    });
    expect(at('2026-03')).toMatchObject({
      recognisedToDateMinor: cents('2,958.90'),
      billedToDateMinor: 0n,
      contractAssetMinor: cents('2,958.90'),
      deferredRevenueMinor: 0n,
    });
  });

  it('clears the asset in April, when the invoice comes, and defers the rest', () => {
    expect(at('2026-04')).toMatchObject({
      billedMinor: cents('12,000.00'),
      recognisedToDateMinor: cents('3,945.21'),
      contractAssetMinor: 0n,
      contractAssetMovementMinor: -cents('2,958.90'),
      deferredRevenueMinor: cents('8,054.79'),
    });
    expect(at('2026-12')).toMatchObject({ deferredRevenueMinor: 0n, contractAssetMinor: 0n });
  });

  it('never shows a negative balance, and the movements sum to the asset', () => {
    let asset = 0n;
    for (const m of months) {
      expect(m.deferredRevenueMinor >= 0n && m.contractAssetMinor >= 0n).toBe(true);
      expect(m.deferredRevenueMinor - m.contractAssetMinor).toBe(
        m.billedToDateMinor - m.recognisedToDateMinor,
      );
      asset += m.contractAssetMovementMinor;
      expect(asset).toBe(m.contractAssetMinor);
    }
  });
});

describe('G1 billed 1,000.00 monthly in advance while recognised daily', () => {
  const billed = new Map(
    ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12'].map(
      (m) => [`2026-${m}`, cents('1,000.00')] as const,
    ),
  );
  const months = contractRollForward(billed, g1Recognised());

  it('has a 19.18 contract asset at January end (1,019.18 recognised, 1,000.00 billed), gone in February', () => {
    expect(months[0]).toMatchObject({ contractAssetMinor: cents('19.18'), deferredRevenueMinor: 0n });
    // February: 2,000.00 billed, 1,939.73 recognised.
    expect(months[1]).toMatchObject({
      contractAssetMinor: 0n,
      contractAssetMovementMinor: -cents('19.18'),
      deferredRevenueMinor: cents('60.27'),
    });
    // March: 3,000.00 billed, 2,958.90 recognised; April: 4,000.00 against 3,945.21.
    expect(months[2]?.deferredRevenueMinor).toBe(cents('41.10'));
    expect(months[3]?.deferredRevenueMinor).toBe(cents('54.79'));
    expect(months[11]).toMatchObject({ deferredRevenueMinor: 0n, contractAssetMinor: 0n });
  });

  it('stops at the month asked for', () => {
    expect(contractRollForward(billed, g1Recognised(), '2026-03').map((m) => m.period)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });
});
