import {
  currencyExponent,
  toEpochDay,
  type CurrencyCode,
  type IsoDate,
  type UnitPricePeriod,
} from '@revline/canonical';
import { decimalRatio, mul, ratio, toMinor } from '../core/ratio';
import { checkNonNegativeDecimal } from '../input/checks';
import { partValue } from '../proration/period-value';
import { billingPeriodOn } from './periods';

/** One subscription item of a booking, priced per `unitPricePeriod` (the billing price's interval). */
export interface StubItem {
  readonly currency: CurrencyCode;
  readonly termStart: IsoDate;
  readonly termEnd: IsoDate;
  readonly billCycleDay?: number | undefined;
  readonly unitPricePeriod: UnitPricePeriod;
  readonly quantity: string;
  readonly unitPrice: string;
}

/**
 * What the billing platform invoices first for an item whose bill-cycle day falls after the term start: the stub
 * from the term start to the first cycle date, as the share of one whole interval from the term start (Stripe's
 * proration before a billing cycle anchor), in minor units; undefined when the term starts on a cycle date.
 */
export function stubCharge(item: StubItem): bigint | undefined {
  const period = billingPeriodOn(
    item.termStart,
    item.termEnd,
    item.unitPricePeriod,
    item.termStart,
    item.billCycleDay,
  );
  if (period.end === period.basisEnd) {
    return undefined;
  }
  const price = mul(
    decimalRatio(checkNonNegativeDecimal(item.quantity, 'quantity')),
    decimalRatio(checkNonNegativeDecimal(item.unitPrice, 'unitPrice')),
  );
  const part = {
    periodStart: toEpochDay(period.start),
    periodEnd: toEpochDay(period.basisEnd),
    from: toEpochDay(period.start),
    to: toEpochDay(period.end),
    units: ratio(1n),
  };
  return toMinor(
    partValue('actual_days', item.unitPricePeriod, price, part, 0),
    currencyExponent(item.currency),
  );
}
