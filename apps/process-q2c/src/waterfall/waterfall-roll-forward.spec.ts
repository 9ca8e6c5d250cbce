import { describe, expect, it } from 'vitest';
import { waterfallByCurrency } from './waterfall-roll-forward';

/** G1's first four months (golden figures), in minor units. */
const g1 = (): Map<string, bigint> =>
  new Map([
    ['2026-01', 101918n],
    ['2026-02', 92055n],
    ['2026-03', 101917n],
    ['2026-04', 98631n],
  ]);
const months = ['2026-01', '2026-02', '2026-03', '2026-04'];

describe('waterfall roll-forward by contract', () => {
  const backDated = { currency: 'USD', billed: new Map([['2026-04', 1200000n]]), recognised: g1() };
  const inAdvance = { currency: 'USD', billed: new Map([['2026-01', 1200000n]]), recognised: g1() };

  it('shows a back-dated booking as unbilled until its invoice, never as negative deferred revenue', () => {
    const usd = waterfallByCurrency(months, [backDated]).at(0);
    expect(usd?.months.map((m) => [m.period, m.closingDeferredMinor, m.closingUnbilledMinor])).toEqual([
      ['2026-01', '0', '101918'],
      ['2026-02', '0', '193973'],
      ['2026-03', '0', '295890'],
      ['2026-04', '805479', '0'],
    ]);
    expect(usd?.months[3]).toMatchObject({ openingUnbilledMinor: '295890', billedMinor: '1200000' });
  });

  it("never nets one contract's unbilled receivable against another's deferred revenue", () => {
    const usd = waterfallByCurrency(months, [backDated, inAdvance]).at(0);
    // March: 12,000.00 − 2,958.90 deferred on the one, 2,958.90 unbilled on the other.
    expect(usd?.months[2]).toMatchObject({ closingDeferredMinor: '904110', closingUnbilledMinor: '295890' });
    for (const m of usd?.months ?? [])
      expect(
        BigInt(m.openingDeferredMinor) -
          BigInt(m.openingUnbilledMinor) +
          BigInt(m.billedMinor) -
          BigInt(m.recognisedMinor),
      ).toBe(BigInt(m.closingDeferredMinor) - BigInt(m.closingUnbilledMinor));
    expect(usd).toMatchObject({
      billedMinor: '2400000',
      recognisedMinor: '789042',
      closingUnbilledMinor: '0',
    });
  });

  it('opens a later window with the balances of the months before it', () => {
    const usd = waterfallByCurrency(['2026-03', '2026-04'], [backDated, inAdvance]).at(0);
    expect(usd).toMatchObject({ openingDeferredMinor: '1006027', openingUnbilledMinor: '193973' });
    expect(usd?.months[0]).toMatchObject({ openingDeferredMinor: '1006027', openingUnbilledMinor: '193973' });
  });
});
