import { currencyExponent, type CurrencyCode } from '@revline/canonical';
import { RevenueInputError } from '../core/errors';
import { decimalRatio, mul, ratio, sub, toMinor } from '../core/ratio';
import { checkCurrency, checkNonNegativeDecimal } from '../input/checks';

export interface OverageInput {
  readonly currency: string;
  /** Units used in the period. */
  readonly used: string;
  /** Units included in the period's fee. */
  readonly included: string;
  /** Price per unit above the included units, major units (decimal string). */
  readonly overageRate: string;
  /** 'major' (default): rate in major units (0.002 USD); 'minor': in minor units, as Stripe's unit_amount_decimal ("0.2" cents). */
  readonly rateUnit?: 'major' | 'minor';
}

/** Overage in minor units: max(0, used − included) × rate, rounded half-up once. */
export function computeOverage(input: OverageInput): {
  overageUnits: string;
  amountMinor: string;
  currency: CurrencyCode;
} {
  const currency = checkCurrency(input.currency, 'currency');
  const used = decimalRatio(checkNonNegativeDecimal(input.used, 'used'));
  const included = decimalRatio(checkNonNegativeDecimal(input.included, 'included'));
  const rate = decimalRatio(checkNonNegativeDecimal(input.overageRate, 'overageRate'));
  const over = sub(used, included);
  const billable = over.n > 0n ? over : ratio(0n);
  const exponent = input.rateUnit === 'minor' ? 0 : currencyExponent(currency);
  const amount = toMinor(mul(billable, rate), exponent);
  if (amount > 10n ** 15n) {
    throw new RevenueInputError('used', 'overage exceeds the bound of 10^15 minor units');
  }
  const units = billable.n / billable.d;
  return { overageUnits: units.toString(), amountMinor: amount.toString(), currency };
}
