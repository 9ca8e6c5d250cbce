import { currencyExponent, formatScaled, isCurrencyCode } from '@revline/canonical';
import type { WaterfallDto } from '@revline/finance-api';

const COLUMNS = [
  'opening_deferred',
  'opening_unbilled',
  'billed',
  'recognised',
  'closing_deferred',
  'closing_unbilled',
];

export const WATERFALL_CSV_HEADER = [
  'currency',
  'period',
  ...COLUMNS,
  ...COLUMNS.map((c) => `${c}_minor`),
  'posted_to_erp',
  'posted_to_erp_minor',
].join(',');

/**
 * The waterfall as CSV: one row per currency and month, decimal amounts then minor units, then what the month's
 * revenue runs posted to the ERP (empty before its first run).
 */
export function waterfallCsv(waterfall: WaterfallDto): string {
  const lines = [WATERFALL_CSV_HEADER];
  for (const c of waterfall.currencies) {
    const exponent = isCurrencyCode(c.currency) ? currencyExponent(c.currency) : 2;
    const major = (minor: string): string => formatScaled(BigInt(minor), exponent);
    for (const m of c.months) {
      const minors = [
        m.openingDeferredMinor,
        m.openingUnbilledMinor,
        m.billedMinor,
        m.recognisedMinor,
        m.closingDeferredMinor,
        m.closingUnbilledMinor,
      ];
      const posted =
        m.postedToErpMinor === undefined ? ['', ''] : [major(m.postedToErpMinor), m.postedToErpMinor];
      lines.push([c.currency, m.period, ...minors.map(major), ...minors, ...posted].join(','));
    }
  }
  return `${lines.join('\r\n')}\r\n`;
}
