import { describe, expect, it } from 'vitest';
import { DEFAULT_ITEMS } from '../../apps/sandbox/src/netsuite/seed/default-items';
import { DEFAULT_PRICES } from '../../apps/sandbox/src/stripe/seed/default-catalogue';
import { DEFAULT_MAPPING } from '../../apps/process-q2c/src/mappings/default-mapping';

/** `npm start` seeds the sandbox so a first booking on the default mapping completes: the two must not drift. */
describe('the sandbox’s seeded catalogue and the default mapping', () => {
  it('has a Stripe price for every billing price and a NetSuite item for every ERP item the mapping names', () => {
    const prices = new Set(DEFAULT_PRICES.map((p) => p.id));
    const items = new Set(DEFAULT_ITEMS.map((i) => i.externalId));
    for (const entry of DEFAULT_MAPPING.productCatalogue) {
      expect(prices, entry.productCode).toContain(entry.billingPriceId);
      expect(items, entry.productCode).toContain(entry.erpItemId);
    }
  });

  it('prices each recurring product at the mapping’s standalone selling price per period', () => {
    for (const entry of DEFAULT_MAPPING.productCatalogue.filter((e) => e.chargeType === 'recurring')) {
      const price = DEFAULT_PRICES.find((p) => p.id === entry.billingPriceId);
      expect(price?.recurring?.interval, entry.productCode).toBe(entry.unitPricePeriod);
      expect(String((price?.unit_amount ?? 0) / 100), entry.productCode).toBe(entry.ssp);
    }
  });
});
