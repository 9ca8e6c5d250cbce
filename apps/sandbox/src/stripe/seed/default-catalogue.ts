import type { StripeStore } from '../state/store';
import type { Meter, Price, Product } from '../state/types';

/**
 * The prices Revline's default mapping names (each product's `billingPriceId`), with their products and the
 * meter the usage price reads, as an administrator would have set them up in the Stripe account before connecting
 * Revline. Stripe chooses price ids itself; the sandbox keeps these fixed ids so the default mapping works as it is.
 */
const PRODUCTS: ReadonlyArray<Pick<Product, 'id' | 'name' | 'description'>> = [
  { id: 'prod_revline_seat', name: 'Seats', description: 'Per user, per month' },
  { id: 'prod_revline_analytics_premium', name: 'Premium analytics', description: 'Per month' },
  { id: 'prod_revline_api_calls', name: 'API calls', description: '100,000 calls a month included' },
  { id: 'prod_revline_training_day', name: 'Training day', description: 'One day, on site or remote' },
];

const METER: Pick<Meter, 'id' | 'display_name' | 'event_name'> = {
  id: 'mtr_revline_api_calls',
  display_name: 'API calls',
  event_name: 'api_calls',
};

type PriceSeed = Pick<
  Price,
  'id' | 'product' | 'currency' | 'nickname' | 'billing_scheme' | 'unit_amount' | 'unit_amount_decimal'
> &
  Partial<Pick<Price, 'tiers_mode' | 'tiers' | 'recurring'>>;

const monthly = {
  interval: 'month' as const,
  interval_count: 1,
  usage_type: 'licensed' as const,
  meter: null,
};

export const DEFAULT_PRICES: readonly PriceSeed[] = [
  {
    id: 'price_seat_monthly',
    product: 'prod_revline_seat',
    currency: 'usd',
    nickname: 'Seat, monthly',
    billing_scheme: 'per_unit',
    unit_amount: 10_000,
    unit_amount_decimal: '10000',
    recurring: monthly,
  },
  {
    id: 'price_analytics_premium_monthly',
    product: 'prod_revline_analytics_premium',
    currency: 'usd',
    nickname: 'Premium analytics, monthly',
    billing_scheme: 'per_unit',
    unit_amount: 25_000,
    unit_amount_decimal: '25000',
    recurring: monthly,
  },
  {
    // 100,000 calls a month included, then 0.002 USD a call (0.2 of a cent), as Stripe models included usage.
    id: 'price_api_calls_overage',
    product: 'prod_revline_api_calls',
    currency: 'usd',
    nickname: 'API calls above 100,000 a month',
    billing_scheme: 'tiered',
    unit_amount: null,
    unit_amount_decimal: null,
    tiers_mode: 'graduated',
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
    recurring: { interval: 'month', interval_count: 1, usage_type: 'metered', meter: METER.id },
  },
  {
    id: 'price_training_day',
    product: 'prod_revline_training_day',
    currency: 'usd',
    nickname: 'Training day',
    billing_scheme: 'per_unit',
    unit_amount: 100_000,
    unit_amount_decimal: '100000',
  },
];

/** Adds what is missing of the default catalogue; what exists (from an earlier start) is left as it is. */
export function seedDefaultCatalogue(store: StripeStore): void {
  const now = store.now();
  for (const product of PRODUCTS)
    if (!store.products.has(product.id))
      store.products.set(product.id, {
        ...product,
        object: 'product',
        created: now,
        livemode: false,
        active: true,
        metadata: {},
      });
  if (!store.meters.has(METER.id))
    store.meters.set(METER.id, {
      ...METER,
      object: 'billing.meter',
      created: now,
      updated: now,
      livemode: false,
      status: 'active',
      default_aggregation: { formula: 'sum' },
      customer_mapping: { event_payload_key: 'stripe_customer_id', type: 'by_id' },
      value_settings: { event_payload_key: 'value' },
      event_time_window: null,
    });
  for (const price of DEFAULT_PRICES)
    if (!store.prices.has(price.id))
      store.prices.set(price.id, {
        tiers_mode: null,
        recurring: null,
        ...price,
        object: 'price',
        created: now,
        livemode: false,
        active: true,
        lookup_key: null,
        metadata: {},
        tax_behavior: 'unspecified',
        type: price.recurring ? 'recurring' : 'one_time',
      });
}
