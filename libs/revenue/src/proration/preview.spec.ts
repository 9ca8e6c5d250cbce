import { describe, expect, it } from 'vitest';
import { RevenueInputError } from '../core/errors';
import { cpqProrateMultiplier, previewProration, type ProrationChange } from './preview';
import type { ProrationConvention } from './conventions';

/** G2: 10 → 15 seats at 100 USD/seat/month on 2026-03-15 in the annual period 2026. */
const g2: ProrationChange = {
  currency: 'USD',
  periodStart: '2026-01-01',
  periodEnd: '2026-12-31',
  effectiveDate: '2026-03-15',
  priorQuantity: '10',
  newQuantity: '15',
  priorUnitPrice: '100',
  newUnitPrice: '100',
  unitPricePeriod: 'month',
  description: 'Seat',
};

describe('G2 proration for every convention', () => {
  it('itemises actual days as Stripe does: -9,600.00 unused + 14,400.00 remaining = 4,800.00', () => {
    const p = previewProration(g2, 'actual_days');
    expect(p.lines.map((l) => l.amountMinor)).toEqual(['-960000', '1440000']);
    expect(p.lines.map((l) => l.proration)).toEqual([true, true]);
    expect(p.lines[0]?.period).toEqual({ start: '2026-03-15', end: '2026-12-31' });
    expect(p.netMinor).toBe('480000');
  });

  it.each<[ProrationConvention, string]>([
    ['stripe_seconds', '480000'],
    ['cpq_day', '480000'],
    ['cpq_monthly_daily', '477945'],
    ['cpq_month', '500000'],
    ['thirty_360', '478333'],
    ['monthly_actual_days', '477419'],
  ])('%s gives the golden net %s', (convention, net) => {
    expect(previewProration(g2, convention).netMinor).toBe(net);
  });

  it('stripe_seconds prorates from the exact instant of the change', () => {
    const noon = previewProration({ ...g2, effectiveAt: '2026-03-15T12:00:00Z' }, 'stripe_seconds');
    // 291.5 of 365 days: 6,000 × 291.5 / 365 = 4,791.78
    expect(noon.lines.map((l) => l.amountMinor)).toEqual(['-958356', '1437534']);
    expect(noon.netMinor).toBe('479178');
  });
});

describe('G5 credit for removing 5 seats on 2026-10-01', () => {
  const g5: ProrationChange = { ...g2, effectiveDate: '2026-10-01', priorQuantity: '15', newQuantity: '10' };

  it('is -1,512.33 by actual days', () => {
    expect(previewProration(g5, 'actual_days').netMinor).toBe('-151233');
  });

  it('is -1,500.00 with CPQ monthly+daily', () => {
    expect(previewProration(g5, 'cpq_monthly_daily').netMinor).toBe('-150000');
  });
});

describe('vendor figures', () => {
  it('Stripe: 10 → 20 USD halfway through the period nets +5', () => {
    const p = previewProration(
      {
        currency: 'USD',
        periodStart: '2026-04-01',
        periodEnd: '2026-04-30',
        effectiveDate: '2026-04-16',
        priorQuantity: '1',
        newQuantity: '1',
        priorUnitPrice: '10',
        newUnitPrice: '20',
      },
      'stripe_seconds',
    );
    expect(p.lines.map((l) => l.amountMinor)).toEqual(['-500', '1000']);
    expect(p.netMinor).toBe('500');
  });

  it('Stripe: 100 → 200 USD/month mid-month makes the next invoice 250 (200 + 50 proration)', () => {
    // Stripe's example treats May 15 as half the month; the exact half-month case is asserted here.
    const p = previewProration(
      {
        currency: 'USD',
        periodStart: '2026-04-01',
        periodEnd: '2026-04-30',
        effectiveDate: '2026-04-16',
        priorQuantity: '1',
        newQuantity: '1',
        priorUnitPrice: '100',
        newUnitPrice: '200',
      },
      'stripe_seconds',
    );
    expect(BigInt(p.netMinor) + 20_000n).toBe(25_000n);
  });

  it('Chargebee: 30 → 100 per month on Nov 15 of a 30-day term: credit 15, charge 50, net 35', () => {
    const p = previewProration(
      {
        currency: 'USD',
        periodStart: '2026-11-01',
        periodEnd: '2026-11-30',
        effectiveDate: '2026-11-16',
        priorQuantity: '1',
        newQuantity: '1',
        priorUnitPrice: '30',
        newUnitPrice: '100',
      },
      'actual_days',
    );
    expect(p.lines.map((l) => l.amountMinor)).toEqual(['-1500', '5000']);
    expect(p.netMinor).toBe('3500');
  });

  it('Salesforce CPQ prorate multipliers', () => {
    // 830 days (2026-01-01..2028-04-09, across the 2028 leap day) over a 365-day year.
    expect(cpqProrateMultiplier('day', '2026-01-01', '2028-04-09')).toBe('2.2740');
    // 35 months over 12.
    expect(cpqProrateMultiplier('month', '2026-01-01', '2028-11-30')).toBe('2.9167');
    // Partial months round up: 2017-01-01..2018-01-10 is 13 months.
    expect(cpqProrateMultiplier('month', '2017-01-01', '2018-01-10', 1)).toBe('13.0000');
    // Monthly + daily: (4 + 8 / (365/12)) / 12.
    expect(cpqProrateMultiplier('monthly_daily', '2019-05-23', '2019-09-30')).toBe('0.3553');
  });

  it('JPY has no minor unit and KWD three decimals', () => {
    const base = {
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      effectiveDate: '2026-03-15',
      priorQuantity: '10',
      newQuantity: '15',
      priorUnitPrice: '1000',
      newUnitPrice: '1000',
    };
    expect(previewProration({ ...base, currency: 'JPY' }, 'actual_days').netMinor).toBe('48000');
    expect(
      previewProration(
        { ...base, currency: 'KWD', priorUnitPrice: '1.234', newUnitPrice: '1.234' },
        'actual_days',
      ).netMinor,
    ).toBe('59232');
  });
});

describe('invalid proration input', () => {
  it.each<[Partial<ProrationChange>, string]>([
    [{ currency: 'XXX' }, 'currency'],
    [{ newQuantity: '-1' }, 'newQuantity'],
    [{ effectiveDate: '2027-01-01' }, 'effectiveDate'],
    [{ periodEnd: '2025-12-31' }, 'periodEnd'],
    [{ effectiveDate: '2026-02-30' }, 'effectiveDate'],
    // Item values beyond 10^15 minor units, even when the credit and the charge would net to zero.
    [{ priorQuantity: '100000000000000', newQuantity: '100000000000000' }, 'priorQuantity'],
    [{ newUnitPrice: '100000000000000' }, 'newQuantity'],
  ])('%o is rejected naming %s', (patch, field) => {
    expect(() => previewProration({ ...g2, ...patch }, 'actual_days')).toThrow(RevenueInputError);
    try {
      previewProration({ ...g2, ...patch }, 'actual_days');
    } catch (e) {
      expect(e).toMatchObject({ field });
    }
  });
});
