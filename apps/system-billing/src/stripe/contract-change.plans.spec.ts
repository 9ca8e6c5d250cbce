import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import {
  CATALOGUE_PRICE_KEY,
  chargesAmount,
  contractPriceParams,
  currentPhaseItems,
  itemDiff,
  licensedPeriod,
  LINE_KEY,
  newItems,
  phaseItems,
  phasesEndingAt,
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

  it("carries the catalogue price's tax behaviour, so Stripe Tax taxes the contract's price alike", () => {
    const taxed = { ...catalogue, tax_behavior: 'exclusive' } as Stripe.Price;
    expect(contractPriceParams(taxed, '1260', 'k')).toMatchObject({ tax_behavior: 'exclusive' });
    const unspecified = { ...catalogue, tax_behavior: 'unspecified' } as Stripe.Price;
    expect(contractPriceParams(unspecified, '1260', 'k')).toMatchObject({ tax_behavior: 'unspecified' });
  });
});

describe('a schedule cut at a cancellation date', () => {
  const phase = (start: number, end: number | null, quantity: number) =>
    ({
      start_date: start,
      end_date: end,
      proration_behavior: 'create_prorations',
      metadata: {},
      items: [{ price: { id: 'price_seat' }, quantity, metadata: { [LINE_KEY]: 'L1' } }],
    }) as unknown as Stripe.SubscriptionSchedule.Phase;

  it('keeps the phase in effect and the later ones that start before the date, the last ending on it', () => {
    const phases = [phase(0, 100, 5), phase(100, 200, 10), phase(200, 300, 20), phase(300, null, 30)];
    expect(phasesEndingAt(phases, 250, 150)).toEqual([
      {
        start_date: 100,
        end_date: 200,
        proration_behavior: 'create_prorations',
        items: [{ price: 'price_seat', quantity: 10, metadata: { [LINE_KEY]: 'L1' } }],
      },
      {
        start_date: 200,
        end_date: 250,
        proration_behavior: 'create_prorations',
        items: [{ price: 'price_seat', quantity: 20, metadata: { [LINE_KEY]: 'L1' } }],
      },
    ]);
  });

  it('ends an open last phase on the date', () => {
    expect(phasesEndingAt([phase(0, null, 5)], 400, 10).map((p) => [p.start_date, p.end_date])).toEqual([
      [0, 400],
    ]);
  });
});

describe('the items of a subscription with a metered price', () => {
  const seat = { lineId: 'seats', priceId: 'price_seat_annual', quantity: 10 };
  const calls = { lineId: 'calls', priceId: 'price_calls', quantity: 1, metered: true };
  const item = (id: string, price: string, usage: 'licensed' | 'metered', quantity?: number, line = id) =>
    ({
      id,
      price: { id: price, recurring: { usage_type: usage } },
      ...(quantity === undefined ? {} : { quantity }),
      metadata: { [LINE_KEY]: line },
      current_period_start: usage === 'metered' ? 200 : 100,
      current_period_end: usage === 'metered' ? 300 : 1000,
    }) as unknown as Stripe.SubscriptionItem;

  it('sends no quantity for the metered line (Stripe refuses one), the seats with theirs', () => {
    expect(newItems([seat, calls])).toEqual([
      { price: 'price_seat_annual', quantity: 10, metadata: { [LINE_KEY]: 'seats' } },
      { price: 'price_calls', metadata: { [LINE_KEY]: 'calls' } },
    ]);
    expect(phaseItems([calls])).toEqual([{ price: 'price_calls', metadata: { [LINE_KEY]: 'calls' } }]);
  });

  it('leaves the metered item alone when the seats change, and adds a new metered line without a quantity', () => {
    const current = [item('si_seat', 'price_seat_annual', 'licensed', 10, 'seats')];
    expect(
      itemDiff(
        [...current, item('si_calls', 'price_calls', 'metered', undefined, 'calls')],
        [{ ...seat, quantity: 15 }, calls],
      ),
    ).toEqual([{ id: 'si_seat', quantity: 15 }]);
    expect(itemDiff(current, [seat, calls])).toEqual([
      { price: 'price_calls', metadata: { [LINE_KEY]: 'calls' } },
    ]);
  });

  it("prorates over the licensed items' period, and phases keep the metered item without a quantity", () => {
    const sub = {
      items: {
        data: [
          item('si_calls', 'price_calls', 'metered', undefined, 'calls'),
          item('si_seat', 'price_seat_annual', 'licensed', 10, 'seats'),
        ],
      },
    } as unknown as Stripe.Subscription;
    expect(licensedPeriod(sub)).toEqual({ start: 100, end: 1000 });
    expect(currentPhaseItems(sub)).toEqual([
      { price: 'price_calls', metadata: { [LINE_KEY]: 'calls' } },
      { price: 'price_seat_annual', quantity: 10, metadata: { [LINE_KEY]: 'seats' } },
    ]);
  });
});
