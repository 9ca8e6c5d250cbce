import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PRICE_KEY,
  chargesAmount,
  contractPriceParams,
  priceLookupKey,
  unitAmountMinor,
} from './contract-change.plans';

const catalogue = {
  id: 'price_seat_annual',
  product: 'prod_seat',
  currency: 'usd',
  unit_amount: 120_000,
  unit_amount_decimal: '120000',
  recurring: { interval: 'year', interval_count: 1 },
} as unknown as Stripe.Price;

describe('the price of a contract unit amount', () => {
  it('names one price per catalogue price and amount, however the amount is written', () => {
    expect(priceLookupKey('price_seat_annual', '1260')).toBe('price_seat_annual:1260');
    expect(priceLookupKey('price_seat_annual', '1260.00')).toBe('price_seat_annual:1260');
    expect(priceLookupKey('price_seat_monthly', '105.50')).toBe('price_seat_monthly:105.5');
    expect(priceLookupKey('price_seat_monthly', '105')).not.toBe(priceLookupKey('price_seat_annual', '105'));
  });

  it("turns major units into Stripe's minor units by the currency's exponent, keeping sub-minor decimals", () => {
    expect(unitAmountMinor('105', 'usd')).toBe('10500');
    expect(unitAmountMinor('1260.00', 'USD')).toBe('126000');
    expect(unitAmountMinor('0.002', 'usd')).toBe('0.2');
    expect(unitAmountMinor('1500', 'jpy')).toBe('1500');
    expect(unitAmountMinor('1.234', 'kwd')).toBe('1234');
    expect(() => unitAmountMinor('-1', 'usd')).toThrow(/Not a unit amount/);
    expect(() => unitAmountMinor('0.000000000000001', 'usd')).toThrow(/more than 12 decimals/);
  });

  it('keeps the catalogue price when it already charges the amount', () => {
    expect(chargesAmount(catalogue, unitAmountMinor('1200.00', 'usd'))).toBe(true);
    expect(chargesAmount(catalogue, unitAmountMinor('1260', 'usd'))).toBe(false);
    expect(chargesAmount({ unit_amount_decimal: null }, '0')).toBe(false);
  });

  it("creates the new price on the catalogue price's product, currency and interval, under its lookup key", () => {
    expect(contractPriceParams(catalogue, '1260', 'price_seat_annual:1260')).toEqual({
      product: 'prod_seat',
      currency: 'usd',
      unit_amount: 126_000,
      recurring: { interval: 'year', interval_count: 1 },
      lookup_key: 'price_seat_annual:1260',
      metadata: { [CATALOGUE_PRICE_KEY]: 'price_seat_annual' },
    });
    expect(contractPriceParams(catalogue, '0.002', 'price_seat_annual:0.002')).toMatchObject({
      unit_amount_decimal: '0.2',
    });
    expect(contractPriceParams(catalogue, '0.002', 'k')).not.toHaveProperty('unit_amount');
  });
});
