import type { Params } from '../http/params';
import { StripeApiError } from '../http/stripe-error';
import type { AutomaticTax, Price } from '../state/types';

export function automaticTax(enabled: boolean): AutomaticTax {
  return { enabled, disabled_reason: null, liability: null, provider: null, status: null };
}

/**
 * Stripe Tax computes tax from each price's tax behaviour, so an automatic-tax subscription or invoice refuses a
 * price whose behaviour is `unspecified` (the account here sets no default behaviour).
 */
export function refuseUnspecifiedTaxBehavior(prices: Iterable<Price>): void {
  for (const price of prices)
    if (price.tax_behavior === 'unspecified')
      throw StripeApiError.state(
        `The price \`${price.id}\` does not have a \`tax_behavior\` set which is required for automatic tax computation. Please visit https://stripe.com/docs/tax/products-prices-tax-categories-tax-behavior#tax-behavior for more information.`,
      );
}

/** `automatic_tax[enabled]`, when given (`automatic_tax[liability]` is taken and not modelled). */
export function automaticTaxParam(p: Params): boolean | undefined {
  const tax = p.object('automatic_tax');
  if (!tax) return undefined;
  const enabled = tax.bool('enabled');
  tax.has('liability');
  tax.end();
  if (enabled === undefined) throw StripeApiError.missing('automatic_tax[enabled]');
  return enabled;
}
