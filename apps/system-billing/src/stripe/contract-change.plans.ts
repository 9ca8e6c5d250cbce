import type { ContractChange, ContractLineItem } from '@revline/billing-port';
import { currencyExponent } from '@revline/canonical';
import Decimal from 'decimal.js';
import type Stripe from 'stripe';

export const LINE_KEY = 'revline_line_id';
export const CONTRACT_KEY = 'revline_contract_id';
/** On a price Revline created for a contract price: the catalogue price it derives from. */
export const CATALOGUE_PRICE_KEY = 'revline_catalogue_price';

/** Stripe allows 12 decimal places in `unit_amount_decimal` (minor units). */
const MAX_MINOR_DECIMALS = 12;

/**
 * A unit amount in major units as Stripe's minor-unit amount: "105" USD → "10500", "0.002" USD → "0.2",
 * "1500" JPY → "1500". Refused when it is negative or finer than Stripe can price.
 */
export function unitAmountMinor(unitAmount: string, currency: string): string {
  const major = new Decimal(unitAmount);
  if (major.isNegative() || !major.isFinite()) throw new Error(`Not a unit amount: ${unitAmount}`);
  const minor = major.times(new Decimal(10).pow(currencyExponent(currency.toUpperCase())));
  if (minor.decimalPlaces() > MAX_MINOR_DECIMALS)
    throw new Error(
      `${unitAmount} ${currency} has more than ${String(MAX_MINOR_DECIMALS)} decimals in minor units`,
    );
  return minor.toFixed();
}

/**
 * The lookup key of the price that bills a contract's own unit amount for a catalogue price: the catalogue price id
 * and the amount in major units, normalised ("105.00" and "105" name one price), so every command asking for that
 * amount finds the same price.
 */
export function priceLookupKey(cataloguePriceId: string, unitAmount: string): string {
  return `${cataloguePriceId}:${new Decimal(unitAmount).toFixed()}`;
}

/** True when the catalogue price already charges this minor-unit amount per unit. */
export function chargesAmount(price: Pick<Stripe.Price, 'unit_amount_decimal'>, minor: string): boolean {
  return price.unit_amount_decimal !== null && new Decimal(price.unit_amount_decimal.toString()).eq(minor);
}

/** The price Revline creates for a contract's unit amount: the catalogue price's product, currency and interval. */
export function contractPriceParams(
  catalogue: Stripe.Price,
  unitAmount: string,
  lookupKey: string,
): Stripe.PriceCreateParams {
  const minor = unitAmountMinor(unitAmount, catalogue.currency);
  const whole = /^\d+$/.test(minor);
  const product = typeof catalogue.product === 'string' ? catalogue.product : catalogue.product.id;
  return {
    product,
    currency: catalogue.currency,
    // The SDK types `unit_amount_decimal` as its Decimal but form-encodes a plain string just the same, and a string
    // is what the request ledger keeps and sends again.
    ...(whole ? { unit_amount: Number(minor) } : { unit_amount_decimal: minor as unknown as Stripe.Decimal }),
    ...(catalogue.recurring
      ? {
          recurring: {
            interval: catalogue.recurring.interval,
            interval_count: catalogue.recurring.interval_count,
          },
        }
      : {}),
    // Stripe Tax reads a price's tax behaviour: the contract's price taxes as the catalogue's does (and an
    // `unspecified` one stays refused on automatic-tax invoices, as the catalogue's would be).
    ...(catalogue.tax_behavior ? { tax_behavior: catalogue.tax_behavior } : {}),
    lookup_key: lookupKey,
    metadata: { [CATALOGUE_PRICE_KEY]: catalogue.id },
  };
}

/**
 * A line of the command on the price that bills it; `metered` when that price is metered (`recurring.usage_type`
 * `metered`): Stripe bills such an item from its meter in arrears and refuses a quantity on it.
 */
export type PricedItem = ContractLineItem & { metered?: boolean };

/** The quantity of an item's parameters: none on a metered price. */
function quantityOf(item: PricedItem): { quantity?: number } {
  return item.metered ? {} : { quantity: item.quantity };
}

function isMetered(item: Stripe.SubscriptionItem): boolean {
  return item.price.recurring?.usage_type === 'metered';
}

/**
 * The billing period of the subscription's licensed items (the first of them; the first item when all are
 * metered). A subscription may mix a yearly licensed price with a monthly metered one (flexible billing mode): its
 * changes prorate over the licensed period, not the meter's month.
 */
export function licensedPeriod(sub: Stripe.Subscription): { start: number; end: number } | null {
  const item = sub.items.data.find((i) => !isMetered(i)) ?? sub.items.data.at(0);
  return item ? { start: item.current_period_start, end: item.current_period_end } : null;
}

/** The items of a new subscription: catalogue price ids, quantities, and the Revline line id on each. */
export function newItems(items: PricedItem[]): Stripe.SubscriptionCreateParams.Item[] {
  return items.map((item) => ({
    price: item.priceId,
    ...quantityOf(item),
    metadata: { [LINE_KEY]: item.lineId },
  }));
}

/**
 * The item changes that turn a subscription into the lines of the command: a changed quantity or price keeps the
 * item, a new line adds one, a line no longer listed removes its item. A metered item has no quantity to change.
 */
export function itemDiff(
  current: Stripe.SubscriptionItem[],
  wanted: PricedItem[],
): Stripe.SubscriptionUpdateParams.Item[] {
  const byLine = new Map(current.map((item) => [item.metadata[LINE_KEY] ?? item.id, item]));
  const changes: Stripe.SubscriptionUpdateParams.Item[] = [];
  for (const line of wanted) {
    const item = byLine.get(line.lineId);
    byLine.delete(line.lineId);
    if (!item) {
      changes.push({ price: line.priceId, ...quantityOf(line), metadata: { [LINE_KEY]: line.lineId } });
    } else if (item.price.id !== line.priceId) {
      changes.push({ id: item.id, price: line.priceId, ...quantityOf(line) });
    } else if (!line.metered && item.quantity !== line.quantity) {
      changes.push({ id: item.id, quantity: line.quantity });
    }
  }
  for (const item of byLine.values()) changes.push({ id: item.id, deleted: true });
  return changes;
}

export function phaseItems(items: PricedItem[]): Stripe.SubscriptionScheduleUpdateParams.Phase.Item[] {
  return items.map((item) => ({
    price: item.priceId,
    ...quantityOf(item),
    metadata: { [LINE_KEY]: item.lineId },
  }));
}

/** A subscription's items as a schedule phase's: a metered item without a quantity. */
export function currentPhaseItems(
  sub: Stripe.Subscription,
): Stripe.SubscriptionScheduleUpdateParams.Phase.Item[] {
  return sub.items.data.map((item) => ({
    price: item.price.id,
    ...(isMetered(item) ? {} : { quantity: item.quantity ?? 1 }),
    metadata: { [LINE_KEY]: item.metadata[LINE_KEY] ?? item.id },
  }));
}

/**
 * The phases of a schedule cut at `end` for a cancellation through the schedule (Stripe refuses `cancel_at` and
 * `cancel_at_period_end` on a subscription a schedule manages): the phase in effect at `now` and the later ones that
 * start before `end`, unchanged, the last of them ending at `end`. Phases already over are left out, as Stripe keeps
 * them.
 */
export function phasesEndingAt(
  phases: Stripe.SubscriptionSchedule.Phase[],
  end: number,
  now: number,
): Stripe.SubscriptionScheduleUpdateParams.Phase[] {
  // Stripe always dates a phase's end; an open end (null) is read as "after `end`" all the same.
  const endOf = (phase: { end_date: number | null }): number => phase.end_date ?? Number.POSITIVE_INFINITY;
  const kept = phases.filter((p) => endOf(p) > now && p.start_date < end);
  return kept.map((phase, i) => ({
    start_date: phase.start_date,
    end_date: i === kept.length - 1 ? end : Math.min(endOf(phase), end),
    proration_behavior: phase.proration_behavior,
    items: phase.items.map((item) => ({
      price: typeof item.price === 'string' ? item.price : item.price.id,
      ...(item.quantity === undefined ? {} : { quantity: item.quantity }),
      ...(item.metadata ? { metadata: item.metadata } : {}),
    })),
    ...(Object.keys(phase.metadata ?? {}).length > 0 ? { metadata: phase.metadata ?? {} } : {}),
  }));
}

export function itemIdsOf(sub: Stripe.Subscription): Record<string, string> {
  return Object.fromEntries(sub.items.data.map((item) => [item.metadata[LINE_KEY] ?? item.id, item.id]));
}

export function contractMetadata(change: ContractChange): Record<string, string> {
  return { [CONTRACT_KEY]: change.contractId };
}
