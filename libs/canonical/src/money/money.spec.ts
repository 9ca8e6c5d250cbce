import { describe, expect, it } from 'vitest';
import { CURRENCY_EXPONENTS, currencyExponent } from './currencies';
import {
  addMoney,
  compareMoney,
  formatMoney,
  minorUnits,
  moneyFromMajor,
  parseMoney,
  subtractMoney,
  toMajorString,
} from './money';

describe('currency table', () => {
  it('knows the required currencies and their exponents', () => {
    const required =
      'USD EUR GBP CAD AUD CHF SEK NOK DKK JPY KRW KWD BHD JOD OMR TND INR BRL MXN SGD HKD NZD ZAR CNY'.split(
        ' ',
      );
    for (const c of required) {
      expect(CURRENCY_EXPONENTS).toHaveProperty(c);
    }
    expect([
      currencyExponent('JPY'),
      currencyExponent('USD'),
      currencyExponent('KWD'),
      currencyExponent('KRW'),
      currencyExponent('BHD'),
    ]).toEqual([0, 2, 3, 0, 3]);
    expect(() => currencyExponent('XXX')).toThrow(/Unknown currency/);
  });
});

describe('money helpers', () => {
  it('converts major decimal strings half-up to minor units', () => {
    expect(moneyFromMajor('12000', 'USD').amountMinor).toBe('1200000');
    expect(moneyFromMajor('0.005', 'USD').amountMinor).toBe('1');
    expect(moneyFromMajor('0.0049', 'USD').amountMinor).toBe('0');
    expect(moneyFromMajor('-0.005', 'USD').amountMinor).toBe('-1');
    expect(moneyFromMajor('1234.5', 'JPY').amountMinor).toBe('1235');
    expect(moneyFromMajor('1.2345', 'KWD').amountMinor).toBe('1235');
    expect(() => moneyFromMajor('1e3', 'USD')).toThrow();
    expect(() => moneyFromMajor('1000000000000000', 'USD')).toThrow(/10\^15/);
  });

  it('adds, subtracts and compares in one currency only', () => {
    const a = { amountMinor: '1019', currency: 'USD' } as const;
    const b = { amountMinor: '981', currency: 'USD' } as const;
    expect(addMoney(a, b).amountMinor).toBe('2000');
    expect(subtractMoney(b, a).amountMinor).toBe('-38');
    expect(compareMoney(a, b)).toBe(1);
    expect(() => addMoney(a, { amountMinor: '1', currency: 'EUR' })).toThrow(/mismatch/);
    expect(() => minorUnits({ amountMinor: '1.5', currency: 'USD' })).toThrow(/integer/);
  });

  it('formats and parses', () => {
    expect(formatMoney({ amountMinor: '1098082', currency: 'USD' })).toBe('10,980.82 USD');
    expect(formatMoney({ amountMinor: '-960000', currency: 'USD' })).toBe('-9,600.00 USD');
    expect(formatMoney({ amountMinor: '1200000', currency: 'JPY' })).toBe('1,200,000 JPY');
    expect(toMajorString({ amountMinor: '5', currency: 'KWD' })).toBe('0.005');
    expect(parseMoney('12,980.62 USD')).toEqual({ amountMinor: '1298062', currency: 'USD' });
    expect(() => parseMoney('1.234 USD')).toThrow(/decimals/);
  });
});
