import { describe, expect, it } from 'vitest';
import { computeSchedules } from '../compute-schedules';
import { amendment, g1Contract, g2Expansion, seatsLine, usd } from '../testing/fixtures';
import { decideFromFacts } from './classify';

describe('treatment decided from the facts', () => {
  it.each([
    [
      { distinctGoodsAdded: true, pricedAtSsp: true, remainingGoodsDistinct: true },
      'separate_contract',
      'ASC 606-10-25-12',
    ],
    [
      { distinctGoodsAdded: true, pricedAtSsp: false, remainingGoodsDistinct: true },
      'prospective',
      'ASC 606-10-25-13(a)',
    ],
    [
      { distinctGoodsAdded: false, pricedAtSsp: false, remainingGoodsDistinct: true },
      'prospective',
      'ASC 606-10-25-13(a)',
    ],
    [
      { distinctGoodsAdded: false, pricedAtSsp: false, remainingGoodsDistinct: false },
      'cumulative_catch_up',
      'ASC 606-10-25-13(b)',
    ],
  ] as const)('%o → %s', (facts, treatment, citation) => {
    const d = decideFromFacts(facts);
    expect(d.treatment).toBe(treatment);
    expect(d.citation).toBe(citation);
    expect(d.reason).toContain(citation);
  });

  it('a tenant policy override wins and says what the facts said', () => {
    const r = computeSchedules(g1Contract(), [g2Expansion], {
      treatmentOverrides: { 'A-G2': 'prospective' },
    });
    expect(r.modifications[0]).toMatchObject({ treatment: 'prospective', decidedBy: 'policy' });
    expect(r.modifications[0]?.reason).toContain('separate_contract');
    // Prospective: the seats obligation absorbs the 4,800.00; no separate obligation.
    expect(r.obligations.map((o) => o.pobId)).toEqual(['seats']);
    expect(r.obligations[0]?.allocatedMinor).toBe(1_680_000n);
  });
});

describe('cumulative catch-up (ASC 606-10-25-13(b))', () => {
  it('books the catch-up in the modification month and keeps the total exact', () => {
    const priceChange = amendment({
      amendmentId: 'A-PC',
      amendmentType: 'price_change',
      effectiveDate: '2026-07-01',
      lineDeltas: [
        {
          lineId: 'seats',
          priorQuantity: '10',
          newQuantity: '10',
          priorUnitPrice: '100',
          newUnitPrice: '110',
        },
      ],
      modificationFacts: { distinctGoodsAdded: false, pricedAtSsp: false, remainingGoodsDistinct: false },
    });
    const r = computeSchedules(g1Contract(), [priceChange]);
    const m = r.modifications.at(0);
    expect(m?.treatment).toBe('cumulative_catch_up');
    // +10/seat/month for the rest of the year: 1,200 × 184/365 = 604.93.
    expect(m?.considerationMinor).toBe('60493');
    // New total 12,604.93 over the whole year; to 2026-06-30: round(1,260,493 × 181/365) − 595,068.
    expect(m?.catchUpMinor).toBe(String(625_066n - 595_068n));
    const seats = r.obligations.at(0);
    expect(seats?.periods.reduce((s, p) => s + p.amountMinor, 0n)).toBe(1_260_493n);
    const july = seats?.periods.at(6)?.amountMinor ?? 0n;
    // July = round(1,260,493 × 212 / 365) − 5,950.68 recognised to June: includes the catch-up.
    expect(july).toBe(732_122n - 595_068n);
  });
});

describe('cancellations', () => {
  it('a full cancellation credits the unused time and stops revenue at the effective date', () => {
    const cancel = amendment({
      amendmentId: 'A-X',
      amendmentType: 'cancellation',
      effectiveDate: '2026-10-01',
    });
    const r = computeSchedules(g1Contract(), [cancel]);
    expect(r.modifications[0]).toMatchObject({ treatment: 'prospective', creditMinor: '302466' });
    const seats = r.obligations.at(0);
    expect(seats?.periods.slice(9).map((p) => p.amountMinor)).toEqual([0n, 0n, 0n]);
    expect(seats?.allocatedMinor).toBe(897_534n);
    const last = r.deferredByPeriod.at(-1);
    expect(last?.billedToDateMinor).toBe(897_534n);
    expect(last?.deferredMinor).toBe(0n);
  });
});

describe('renewal with uplift', () => {
  it('adds a new term at the uplifted price as a separate contract', () => {
    const renewal = amendment({
      amendmentId: 'A-R',
      amendmentType: 'renewal',
      effectiveDate: '2027-01-01',
      coTerminated: false,
      renewal: { termEnd: '2027-12-31', upliftRate: '0.07' },
    });
    const r = computeSchedules(g1Contract(), [renewal]);
    const renewed = r.obligations.find((o) => o.pobId === 'seats@A-R');
    // 10 seats × 107 × 12 = 12,840.00
    expect(renewed?.allocatedMinor).toBe(1_284_000n);
    expect(renewed?.periods[0]).toMatchObject({ period: '2027-01', amountMinor: 109_052n });
    expect(r.modifications[0]).toMatchObject({
      treatment: 'separate_contract',
      considerationMinor: '1284000',
    });
    expect(r.deferredByPeriod.find((p) => p.period === '2027-01')?.billedMinor).toBe(1_284_000n);
  });

  it('rejects a renewal that does not start the day after the term', () => {
    const renewal = amendment({
      amendmentId: 'A-R',
      amendmentType: 'renewal',
      effectiveDate: '2027-02-01',
      renewal: { termEnd: '2027-12-31', upliftRate: '0' },
    });
    expect(() => computeSchedules(g1Contract(), [renewal])).toThrow(
      expect.objectContaining({ field: 'amendments[0].effectiveDate' }) as Error,
    );
  });
});

describe('ramps', () => {
  const ramp = g1Contract({
    termEnd: '2027-12-31',
    billingFrequency: 'annual',
    lines: [
      seatsLine({
        serviceEnd: '2027-12-31',
        netAmount: usd(3_600_000),
        rampSegments: [
          {
            segmentId: 'y1',
            start: '2026-01-01',
            end: '2026-12-31',
            quantity: '10',
            unitPrice: '100',
            netAmount: usd(1_200_000),
          },
          {
            segmentId: 'y2',
            start: '2027-01-01',
            end: '2027-12-31',
            quantity: '20',
            unitPrice: '100',
            netAmount: usd(2_400_000),
          },
        ],
      }),
    ],
  });

  it('as billed: each segment recognised over its own year, no contract balance at year ends', () => {
    const r = computeSchedules(ramp, [], { rampRecognition: 'as_billed' });
    const dec26 = r.deferredByPeriod.find((p) => p.period === '2026-12');
    expect(dec26?.recognisedToDateMinor).toBe(1_200_000n);
    expect(dec26?.deferredMinor).toBe(0n);
  });

  it('straight-line: 36,000 over two years, a contract asset at the end of year one', () => {
    const r = computeSchedules(ramp, [], { rampRecognition: 'straight_line' });
    const dec26 = r.deferredByPeriod.find((p) => p.period === '2026-12');
    // 3,600,000 × 365 / 730 = 1,800,000 recognised, 1,200,000 billed.
    expect(dec26?.recognisedToDateMinor).toBe(1_800_000n);
    expect(dec26?.contractAssetMinor).toBe(600_000n);
    expect(r.deferredByPeriod.find((p) => p.period === '2027-01')?.deferredMinor).toBe(
      3_600_000n - 1_800_000n - 152_877n,
    );
  });
});

describe('conventions and calendars', () => {
  it('monthly with first and last months prorated', () => {
    const r = computeSchedules(
      g1Contract({
        termStart: '2026-01-16',
        lines: [
          seatsLine({
            serviceStart: '2026-01-16',
            revenueTreatment: 'monthly_prorated',
            netAmount: usd(1_150_000),
          }),
        ],
      }),
    );
    const p = r.obligations[0]?.periods ?? [];
    // 16/31 of a month, then 11 full months: weight 11 + 16/31; January = 11,500 × (16/31) / (11 + 16/31).
    expect(p[0]?.amountMinor).toBe(51_541n);
    expect(p[1]?.amountMinor).toBe(99_860n);
    expect(p.reduce((s, x) => s + x.amountMinor, 0n)).toBe(1_150_000n);
  });

  it('counts the leap day of 2028', () => {
    const r = computeSchedules(
      g1Contract({
        termStart: '2028-01-01',
        termEnd: '2028-12-31',
        lines: [seatsLine({ serviceStart: '2028-01-01', serviceEnd: '2028-12-31', netAmount: usd(366_000) })],
      }),
    );
    expect(r.obligations[0]?.periods[1]).toMatchObject({ period: '2028-02', amountMinor: 29_000n });
  });

  it('uses the currency exponent (JPY, KWD)', () => {
    const jpy = computeSchedules(
      g1Contract({
        currency: 'JPY',
        lines: [seatsLine({ netAmount: { amountMinor: '1200000', currency: 'JPY' } })],
      }),
    );
    expect(jpy.obligations[0]?.periods[0]?.amountMinor).toBe(101_918n);
    const kwd = computeSchedules(
      g1Contract({
        currency: 'KWD',
        lines: [seatsLine({ netAmount: { amountMinor: '12000000', currency: 'KWD' } })],
      }),
      [
        {
          ...g2Expansion,
          lineDeltas: [
            {
              lineId: 'seats',
              priorQuantity: '10',
              newQuantity: '15',
              priorUnitPrice: '100',
              newUnitPrice: '100',
            },
          ],
        },
      ],
    );
    expect(kwd.modifications[0]?.considerationMinor).toBe('4800000');
  });
});
