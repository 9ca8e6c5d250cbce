import Decimal from 'decimal.js';
import type { Price, Tier } from '../state/types';

/** A decimal amount in minor units rounded half-up to a whole minor unit, as Stripe rounds line amounts. */
function toMinor(amount: Decimal): number {
  return amount.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

function unitOf(value: { unit_amount: number | null; unit_amount_decimal: string | null }): Decimal {
  if (value.unit_amount_decimal !== null) return new Decimal(value.unit_amount_decimal);
  return new Decimal(value.unit_amount ?? 0);
}

function flatOf(tier: Tier): Decimal {
  if (tier.flat_amount_decimal !== null) return new Decimal(tier.flat_amount_decimal);
  return new Decimal(tier.flat_amount ?? 0);
}

/** The exact (unrounded) amount in minor units for `quantity` units of a price for one whole period. */
export function exactAmount(price: Price, quantity: number): Decimal {
  if (price.billing_scheme === 'per_unit') return unitOf(price).mul(quantity);
  const tiers = price.tiers ?? [];
  if (price.tiers_mode === 'volume') {
    const tier = tiers.find((t) => t.up_to === null || quantity <= t.up_to) ?? tiers.at(-1);
    if (!tier || quantity === 0) return new Decimal(0);
    return unitOf(tier).mul(quantity).add(flatOf(tier));
  }
  let total = new Decimal(0);
  let lower = 0;
  for (const tier of tiers) {
    if (quantity <= lower) break;
    const upper = tier.up_to === null ? quantity : Math.min(quantity, tier.up_to);
    total = total.add(unitOf(tier).mul(upper - lower)).add(flatOf(tier));
    lower = upper;
  }
  return total;
}

/** The amount in minor units for a whole period. */
export function amountFor(price: Price, quantity: number): number {
  return toMinor(exactAmount(price, quantity));
}

/**
 * Stripe's proration: the whole-period amount scaled by the seconds left in the period over the period's
 * length, rounded half-up to a minor unit. For a change at 00:00 UTC this equals proration by days.
 */
export function proratedAmount(
  price: Price,
  quantity: number,
  from: number,
  period: { start: number; end: number },
): number {
  const remaining = Math.max(0, period.end - Math.max(from, period.start));
  return toMinor(
    exactAmount(price, quantity)
      .mul(remaining)
      .div(period.end - period.start),
  );
}
