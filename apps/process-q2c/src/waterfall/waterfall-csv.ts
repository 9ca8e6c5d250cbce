import { currencyExponent, formatScaled, isCurrencyCode } from '@revline/canonical';
import type { WaterfallDto } from '@revline/finance-api';

export const WATERFALL_CSV_HEADER =
  'currency,period,opening_deferred,billed,recognised,closing_deferred,opening_deferred_minor,billed_minor,recognised_minor,closing_deferred_minor';

/** The waterfall as CSV: one row per currency and month, decimal amounts then minor units. */
export function waterfallCsv(waterfall: WaterfallDto): string {
  const lines = [WATERFALL_CSV_HEADER];
  for (const c of waterfall.currencies) {
    const exponent = isCurrencyCode(c.currency) ? currencyExponent(c.currency) : 2;
    const major = (minor: string): string => formatScaled(BigInt(minor), exponent);
    for (const m of c.months) {
      const minors = [m.openingDeferredMinor, m.billedMinor, m.recognisedMinor, m.closingDeferredMinor];
      lines.push([c.currency, m.period, ...minors.map(major), ...minors].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
