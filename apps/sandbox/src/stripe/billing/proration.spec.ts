import { describe, expect, it } from 'vitest';
import type { Price } from '../state/types';
import { amountFor, proratedAmount } from './pricing';
import { prorationLines } from './proration';
import { addInterval, periodContaining } from './time';

const at = (iso: string) => Date.parse(iso) / 1000;

function price(overrides: Partial<Price> = {}): Price {
  return {
    id: 'price_seat',
    object: 'price',
    created: 0,
    livemode: false,
    product: 'prod_seat',
    active: true,
    currency: 'usd',
    nickname: 'Seat',
    lookup_key: null,
    metadata: {},
    type: 'recurring',
    billing_scheme: 'per_unit',
    tax_behavior: 'unspecified',
    unit_amount: 120_000,
    unit_amount_decimal: '120000',
    tiers_mode: null,
    recurring: { interval: 'year', interval_count: 1, usage_type: 'licensed', meter: null },
    ...overrides,
  };
}

describe('Stripe proration in the sandbox', () => {
  const year = { start: at('2026-01-01T00:00:00Z'), end: at('2027-01-01T00:00:00Z') };

  it('itemises G2 as Stripe does: -9,600.00 unused on 10 seats, +14,400.00 remaining on 15', () => {
    const seat = price();
    const lines = prorationLines(
      { itemId: 'si_1', price: seat, quantity: 10 },
      { itemId: 'si_1', price: seat, quantity: 15 },
      at('2026-03-15T00:00:00Z'),
      year,
    );
    expect(lines.map((l) => l.amount)).toEqual([-960_000, 1_440_000]);
    expect(lines[0]?.description).toBe('Unused time on 10 × Seat after 15 Mar 2026');
    expect(lines.reduce((s, l) => s + l.amount, 0)).toBe(480_000);
  });

  it("matches Stripe's own figures: 10 → 20 USD halfway through the period nets +5", () => {
    const period = { start: at('2026-05-01T00:00:00Z'), end: at('2026-05-31T00:00:00Z') };
    const ten = price({ id: 'price_10', unit_amount: 1000, unit_amount_decimal: '1000' });
    const twenty = price({ id: 'price_20', unit_amount: 2000, unit_amount_decimal: '2000' });
    const lines = prorationLines(
      { itemId: 'si_1', price: ten, quantity: 1 },
      { itemId: 'si_1', price: twenty, quantity: 1 },
      at('2026-05-16T00:00:00Z'),
      period,
    );
    expect(lines.map((l) => l.amount)).toEqual([-500, 1000]);
  });

  it('is seconds-based: a change at noon prorates half a day less than one at midnight', () => {
    const seat = price();
    const midnight = proratedAmount(seat, 1, at('2026-03-15T00:00:00Z'), year);
    const noon = proratedAmount(seat, 1, at('2026-03-15T12:00:00Z'), year);
    expect(midnight - noon).toBe(Math.round(120_000 / 365 / 2));
  });

  it('prices G7 overage with a graduated tier in unit_amount_decimal: 130,000 calls → 60.00', () => {
    const usage = price({
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      unit_amount: null,
      unit_amount_decimal: null,
      tiers: [
        {
          up_to: 100_000,
          unit_amount: 0,
          unit_amount_decimal: '0',
          flat_amount: null,
          flat_amount_decimal: null,
        },
        {
          up_to: null,
          unit_amount: null,
          unit_amount_decimal: '0.2',
          flat_amount: null,
          flat_amount_decimal: null,
        },
      ],
    });
    expect(amountFor(usage, 130_000)).toBe(6000);
    expect(amountFor(usage, 90_000)).toBe(0);
  });

  it('keeps the anchor day across short months', () => {
    const jan31 = at('2026-01-31T00:00:00Z');
    expect(new Date(addInterval(jan31, 'month', 1) * 1000).toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(new Date(addInterval(jan31, 'month', 2) * 1000).toISOString()).toBe('2026-03-31T00:00:00.000Z');
    expect(periodContaining(year.start, 'year', 1, at('2026-03-15T00:00:00Z'))).toEqual(year);
  });
});
