import { describe, expect, it } from 'vitest';
import { addDecimals, compareDecimals, lineValue, upliftRate } from './line-amounts';

const base = { chargeType: 'recurring' as const, currency: 'USD' as const };

describe('line amounts', () => {
  it('G1: 10 seats × 100 USD/month over 2026 is 12,000.00', () => {
    const value = lineValue({
      ...base,
      quantity: '10',
      unitPrice: '100',
      unitPricePeriod: 'month',
      serviceStart: '2026-01-01',
      serviceEnd: '2026-12-31',
    });
    expect(value).toEqual({ amountMinor: '1200000', currency: 'USD' });
  });

  it('counts leftover days as a fraction of their month (9 months + 17/31 days for 2026-03-15..12-31)', () => {
    const value = lineValue({
      ...base,
      quantity: '5',
      unitPrice: '100',
      unitPricePeriod: 'month',
      serviceStart: '2026-03-15',
      serviceEnd: '2026-12-31',
    });
    // 500 × (9 + 17/31) = 4,774.19 (golden example G2, actual days per month).
    expect(value.amountMinor).toBe('477419');
  });

  it('values a line added mid-term as its share of the term by actual days (the G2 module: 3,000 × 292/365)', () => {
    const added = {
      ...base,
      quantity: '1',
      unitPrice: '3000',
      unitPricePeriod: 'year' as const,
      serviceStart: '2026-03-15',
      serviceEnd: '2026-12-31',
    };
    const term = { start: '2026-01-01', end: '2026-12-31' };
    expect(lineValue({ ...added, within: term }).amountMinor).toBe('240000');
    // Without the term it is 9 months + 17/31: 2,387.10.
    expect(lineValue(added).amountMinor).toBe('238710');
    // A line over the whole term is worth the same either way; one outside the term ignores it.
    const whole = { ...added, serviceStart: term.start };
    expect(lineValue({ ...whole, within: term })).toEqual(lineValue(whole));
    const outside = { ...added, serviceEnd: '2027-01-31' };
    expect(lineValue({ ...outside, within: term })).toEqual(lineValue(outside));
  });

  it('prices a yearly unit price by twelfths, a term price and a one-time charge once', () => {
    const year = {
      ...base,
      quantity: '2',
      unitPrice: '1200',
      serviceStart: '2026-01-01',
      serviceEnd: '2026-06-30',
    };
    expect(lineValue({ ...year, unitPricePeriod: 'year' }).amountMinor).toBe('120000');
    expect(lineValue({ ...year, unitPricePeriod: 'term' }).amountMinor).toBe('240000');
    expect(lineValue({ ...year, unitPricePeriod: 'month', chargeType: 'one_time' }).amountMinor).toBe(
      '240000',
    );
  });

  it('respects the currency exponent (JPY has none)', () => {
    const value = lineValue({
      ...base,
      currency: 'JPY',
      quantity: '3',
      unitPrice: '1000.5',
      unitPricePeriod: 'term',
      serviceStart: '2026-01-01',
      serviceEnd: '2026-01-31',
    });
    expect(value).toEqual({ amountMinor: '3002', currency: 'JPY' });
  });

  it('computes uplift rates and exact decimal sums', () => {
    expect(upliftRate('100', '105')).toBe('0.05');
    expect(upliftRate('100', '100')).toBe('0');
    expect(upliftRate('100', '90')).toBe('0');
    expect(upliftRate('99.99', '104.99')).toBe('0.050005');
    expect(addDecimals('10', '-5')).toBe('5');
    expect(addDecimals('10.5', '-10.5')).toBe('0');
    expect(addDecimals('0.1', '0.2')).toBe('0.3');
    expect(compareDecimals('15', '10')).toBe(1);
    expect(compareDecimals('-1', '0')).toBe(-1);
    expect(compareDecimals('2.50', '2.5')).toBe(0);
  });
});
