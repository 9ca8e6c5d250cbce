import { Injectable } from '@nestjs/common';
import type { ContractChange, ContractLineItem } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import { chargesAmount, contractPriceParams, priceLookupKey, unitAmountMinor } from './contract-change.plans';
import type { PricedItem } from './contract-change.plans';
import { RequestLedger } from './request-ledger';
import { StripeGateway } from './stripe-gateway';
import { stripeKey } from './stripe-keys';

const PRICE_CACHE_SIZE = 10_000;

/** A contract change with every line on the price that bills it. */
export type PricedChange = Omit<ContractChange, 'items' | 'rampSteps'> & {
  items: PricedItem[];
  rampSteps: Array<{ startDate: string; items: PricedItem[] }>;
};

/** Stripe prices: the catalogue's, and the contract prices a line's own unit amount needs. */
@Injectable()
export class StripePrices {
  /** Catalogue prices by id (a price's amount, currency and interval never change), and contract prices by key. */
  private readonly prices = new Map<string, Stripe.Price>();
  private readonly contractPrices = new Map<string, string>();

  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
  ) {}

  /** The change with every line on the price that bills it. */
  async withPrices(change: ContractChange, key: string): Promise<PricedChange> {
    const resolve = async (items: ContractLineItem[]): Promise<PricedItem[]> => {
      const out: PricedItem[] = [];
      for (const item of items) out.push(await this.priced(item, key));
      return out;
    };
    const steps: PricedChange['rampSteps'] = [];
    for (const step of change.rampSteps) steps.push({ ...step, items: await resolve(step.items) });
    return { ...change, items: await resolve(change.items), rampSteps: steps };
  }

  /** The catalogue price, read once per process. */
  private async cataloguePrice(priceId: string): Promise<Stripe.Price> {
    const cached = this.prices.get(priceId);
    if (cached) return cached;
    const price = await this.gateway.call('prices.retrieve', (s) => s.prices.retrieve(priceId));
    if (this.prices.size >= PRICE_CACHE_SIZE) this.prices.clear();
    this.prices.set(priceId, price);
    return price;
  }

  private async priceByLookupKey(lookupKey: string): Promise<string | null> {
    const page = await this.gateway.call('prices.list', (s) =>
      s.prices.list({ lookup_keys: [lookupKey], limit: 1 }),
    );
    return page.data.at(0)?.id ?? null;
  }

  /**
   * The price that bills a line: the catalogue price, or — when the contract's unit amount is another — the price of
   * the same product, currency and interval with that amount, found by its lookup key or created once (under the
   * command's idempotency key, through the request ledger; a concurrent command that created it first wins).
   */
  private async priceFor(item: ContractLineItem, key: string): Promise<string> {
    if (item.unitAmount === undefined) return item.priceId;
    const catalogue = await this.cataloguePrice(item.priceId);
    let minor: string;
    try {
      minor = unitAmountMinor(item.unitAmount, catalogue.currency);
    } catch (error) {
      throw new BusinessError('billing_rejected', `Line ${item.lineId}: ${(error as Error).message}`, {
        lineId: item.lineId,
      });
    }
    if (chargesAmount(catalogue, minor)) return item.priceId;
    if (catalogue.billing_scheme !== 'per_unit')
      throw new BusinessError(
        'billing_rejected',
        `Line ${item.lineId}: price ${catalogue.id} is ${catalogue.billing_scheme}; a unit amount of ${item.unitAmount} cannot replace it`,
        { lineId: item.lineId, priceId: catalogue.id },
      );
    const lookupKey = priceLookupKey(catalogue.id, item.unitAmount);
    const known = this.contractPrices.get(lookupKey) ?? (await this.priceByLookupKey(lookupKey));
    const id =
      known ??
      (await this.ledger
        .once(
          stripeKey(key, `price_${createHash('sha256').update(lookupKey).digest('hex').slice(0, 16)}`),
          'prices.create',
          () => Promise.resolve(contractPriceParams(catalogue, item.unitAmount ?? '', lookupKey)),
          (params, idempotencyKey) =>
            this.gateway
              .call('prices.create', (s) => s.prices.create(params, { idempotencyKey }))
              .then((price) => ({ id: price.id })),
        )
        .then((created) => created.id)
        .catch(async (error: unknown) => {
          // Another command created the price between our look-up and our create: Stripe keeps one per key.
          const raced = error instanceof BusinessError ? await this.priceByLookupKey(lookupKey) : null;
          if (raced) return raced;
          throw error;
        }));
    if (this.contractPrices.size >= PRICE_CACHE_SIZE) this.contractPrices.clear();
    this.contractPrices.set(lookupKey, id);
    return id;
  }

  /** The line on the price that bills it, marked when that price is metered (the catalogue's, never replaced). */
  private async priced(item: ContractLineItem, key: string): Promise<PricedItem> {
    const catalogue = await this.cataloguePrice(item.priceId);
    if (catalogue.recurring?.usage_type === 'metered')
      return { lineId: item.lineId, priceId: item.priceId, quantity: item.quantity, metered: true };
    return { lineId: item.lineId, priceId: await this.priceFor(item, key), quantity: item.quantity };
  }
}
