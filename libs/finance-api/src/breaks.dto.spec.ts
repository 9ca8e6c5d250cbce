import { describe, expect, it } from 'vitest';
import { breakSides, breakValues } from './breaks.dto';
import { moneyView } from './money-view';

describe('break values', () => {
  it('shows money in minor units with its currency and a display string, JPY without decimals', () => {
    expect(moneyView('3541650', 'usd')).toEqual({
      amountMinor: '3541650',
      currency: 'USD',
      display: '35,416.50 USD',
    });
    expect(moneyView('-50', 'USD')).toEqual({ amountMinor: '-50', currency: 'USD', display: '-0.50 USD' });
    expect(moneyView('120000', 'JPY')?.display).toBe('120,000 JPY');
    expect(moneyView(null, 'USD')).toBeNull();
    expect(moneyView('12 seats', 'USD')).toBeNull();
  });

  it('labels quantities apart from money, and neither for dates or codes', () => {
    const raw = { expected: '10', actual: '12', difference: '2' };
    expect(breakValues('quantity', null, raw)).toEqual({ money: null, quantity: raw });
    expect(breakValues('money', 'EUR', { expected: '1000', actual: null, difference: '-1000' })).toEqual({
      money: {
        expected: { amountMinor: '1000', currency: 'EUR', display: '10.00 EUR' },
        actual: null,
        difference: { amountMinor: '-1000', currency: 'EUR', display: '-10.00 EUR' },
      },
      quantity: null,
    });
    expect(
      breakValues('date', null, { expected: '2026-03-01', actual: '2026-03-05', difference: '4 days' }),
    ).toEqual({
      money: null,
      quantity: null,
    });
  });

  it("names each checkpoint's systems on both sides", () => {
    expect(breakSides('billing-erp', 'in_1', null)).toEqual({
      expected: { system: 'billing', recordId: 'in_1' },
      actual: { system: 'erp', recordId: null },
    });
    expect(breakSides('salesforce-billing', '801A', 'si_1').expected.system).toBe('salesforce');
  });
});
