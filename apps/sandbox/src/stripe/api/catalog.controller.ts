import { Body, Get, Param } from '@nestjs/common';
import { expand, expansions, paginate } from '../http/list';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { Interval, Price, Product, TaxBehavior, Tier } from '../state/types';

const INTERVALS: readonly Interval[] = ['day', 'week', 'month', 'year'];
const TAX_BEHAVIORS: readonly TaxBehavior[] = ['exclusive', 'inclusive', 'unspecified'];

/** Products and prices: per-unit and tiered, `unit_amount_decimal`, recurring licensed or metered. */
@StripeController()
export class CatalogController {
  constructor(private readonly store: StripeStore) {}

  @StripePost('products')
  createProduct(@Body() body: unknown): Product {
    const p = new Params(body);
    const product: Product = {
      id: p.string('id') ?? stripeId('prod', 14),
      object: 'product',
      created: this.store.now(),
      livemode: false,
      name: p.requiredString('name'),
      active: p.bool('active') ?? true,
      description: p.string('description') ?? null,
      metadata: p.metadata() ?? {},
    };
    p.end();
    if (this.store.products.has(product.id))
      throw StripeApiError.invalid('id', `Product already exists: ${product.id}`);
    this.store.products.set(product.id, product);
    this.store.emit('product.created', product, product.created);
    return product;
  }

  @Get('products/:id')
  retrieveProduct(@Param('id') id: string): Product {
    const product = this.store.products.get(id);
    if (!product) throw StripeApiError.noSuch('product', id);
    return product;
  }

  @StripePost('products/:id')
  updateProduct(@Param('id') id: string, @Body() body: unknown): Product {
    const product = this.retrieveProduct(id);
    const p = new Params(body);
    product.name = p.string('name') ?? product.name;
    product.active = p.bool('active') ?? product.active;
    product.metadata = mergeMetadata(product.metadata, p.metadata());
    p.end();
    this.store.emit('product.updated', product, this.store.now());
    return product;
  }

  @Get('products')
  listProducts(@StripeQuery() query: unknown) {
    return paginate([...this.store.products.values()], new Params(query), '/v1/products');
  }

  @StripePost('prices')
  createPrice(@Body() body: unknown): Price {
    const p = new Params(body);
    const productId = p.requiredString('product');
    if (!this.store.products.has(productId)) throw StripeApiError.noSuch('product', productId, 'product');
    const scheme = p.oneOf('billing_scheme', ['per_unit', 'tiered'] as const) ?? 'per_unit';
    const unitAmount = p.int('unit_amount');
    const unitDecimal = p.decimal('unit_amount_decimal');
    if (unitAmount !== undefined && unitDecimal !== undefined)
      throw StripeApiError.invalid(
        'unit_amount_decimal',
        'You may only specify one of these parameters: unit_amount, unit_amount_decimal.',
      );
    const recurring = p.object('recurring');
    const tiers = p.array('tiers')?.map((t, i) => this.tier(t, i));
    if (scheme === 'per_unit' && unitAmount === undefined && unitDecimal === undefined)
      throw StripeApiError.missing('unit_amount');
    if (scheme === 'tiered' && (!tiers || tiers.length === 0)) throw StripeApiError.missing('tiers');
    const lookupKey = p.string('lookup_key') ?? null;
    const transferLookupKey = p.bool('transfer_lookup_key') ?? false;
    const meter = recurring?.string('meter') ?? null;
    if (meter && !this.store.meters.has(meter))
      throw StripeApiError.noSuch('billing.meter', meter, 'recurring[meter]');
    const price: Price = {
      id: stripeId('price'),
      object: 'price',
      created: this.store.now(),
      livemode: false,
      product: productId,
      active: p.bool('active') ?? true,
      currency: p.requiredString('currency').toLowerCase(),
      nickname: p.string('nickname') ?? null,
      lookup_key: lookupKey,
      metadata: p.metadata() ?? {},
      type: recurring ? 'recurring' : 'one_time',
      billing_scheme: scheme,
      unit_amount:
        scheme === 'tiered'
          ? null
          : (unitAmount ?? (Number.isInteger(Number(unitDecimal)) ? Number(unitDecimal) : null)),
      unit_amount_decimal: scheme === 'tiered' ? null : (unitDecimal ?? String(unitAmount)),
      tiers_mode:
        scheme === 'tiered' ? (p.oneOf('tiers_mode', ['graduated', 'volume'] as const) ?? null) : null,
      tax_behavior: p.oneOf('tax_behavior', TAX_BEHAVIORS) ?? 'unspecified',
      recurring: recurring
        ? {
            interval: recurring.oneOf('interval', INTERVALS) ?? this.fail('recurring[interval]'),
            interval_count: recurring.int('interval_count') ?? 1,
            usage_type:
              recurring.oneOf('usage_type', ['licensed', 'metered'] as const) ??
              (meter ? 'metered' : 'licensed'),
            meter,
          }
        : null,
    };
    if (scheme === 'tiered') {
      if (!price.tiers_mode) throw StripeApiError.missing('tiers_mode');
      price.tiers = tiers;
    }
    recurring?.end();
    p.end();
    this.claimLookupKey(price, lookupKey, transferLookupKey);
    this.store.prices.set(price.id, price);
    this.store.emit('price.created', price, price.created);
    return price;
  }

  /**
   * A lookup key names one price at a time: taking one another price holds is refused, unless
   * `transfer_lookup_key` moves it atomically (Stripe's semantics).
   */
  private claimLookupKey(price: Price, key: string | null, transfer: boolean): void {
    if (key === null) return;
    const holder = [...this.store.prices.values()].find(
      (other) => other.lookup_key === key && other !== price,
    );
    if (!holder) return;
    if (!transfer)
      throw StripeApiError.invalid('lookup_key', `A price (\`${holder.id}\`) already uses that lookup key.`);
    holder.lookup_key = null;
  }

  private fail(param: string): never {
    throw StripeApiError.missing(param);
  }

  private tier(t: Params, index: number): Tier {
    const upTo = t.string('up_to');
    const tier: Tier = {
      up_to: upTo === 'inf' ? null : upTo === undefined ? this.fail(`tiers[${index}][up_to]`) : Number(upTo),
      unit_amount: t.int('unit_amount') ?? null,
      unit_amount_decimal: t.decimal('unit_amount_decimal') ?? null,
      flat_amount: t.int('flat_amount') ?? null,
      flat_amount_decimal: t.decimal('flat_amount_decimal') ?? null,
    };
    if (tier.unit_amount !== null) tier.unit_amount_decimal ??= String(tier.unit_amount);
    if (tier.flat_amount !== null) tier.flat_amount_decimal ??= String(tier.flat_amount);
    t.end();
    return tier;
  }

  @Get('prices/:id')
  retrievePrice(@Param('id') id: string, @StripeQuery() query: unknown): Price {
    const price = this.store.prices.get(id);
    if (!price) throw StripeApiError.noSuch('price', id);
    return expand(price, expansions({}, query), (ref) => this.store.products.get(ref));
  }

  @StripePost('prices/:id')
  updatePrice(@Param('id') id: string, @Body() body: unknown): Price {
    const price = this.store.prices.get(id);
    if (!price) throw StripeApiError.noSuch('price', id);
    const p = new Params(body);
    price.active = p.bool('active') ?? price.active;
    price.nickname = p.string('nickname') ?? price.nickname;
    const lookupKey = p.string('lookup_key');
    const transferLookupKey = p.bool('transfer_lookup_key') ?? false;
    const metadata = mergeMetadata(price.metadata, p.metadata());
    const taxBehavior = p.oneOf('tax_behavior', TAX_BEHAVIORS);
    p.end();
    if (taxBehavior !== undefined && taxBehavior !== price.tax_behavior) {
      if (price.tax_behavior !== 'unspecified')
        throw StripeApiError.invalid(
          'tax_behavior',
          'Once specified as either inclusive or exclusive, the tax behavior of a price cannot be changed.',
        );
      price.tax_behavior = taxBehavior;
    }
    if (lookupKey !== undefined) {
      this.claimLookupKey(price, lookupKey, transferLookupKey);
      price.lookup_key = lookupKey;
    }
    price.metadata = metadata;
    this.store.emit('price.updated', price, this.store.now());
    return price;
  }

  @Get('prices')
  listPrices(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const product = q.string('product');
    const keys = q.stringArray('lookup_keys');
    const all = [...this.store.prices.values()].filter(
      (price) => (!product || price.product === product) && (!keys || keys.includes(price.lookup_key ?? '')),
    );
    return paginate(all, q, '/v1/prices');
  }
}
