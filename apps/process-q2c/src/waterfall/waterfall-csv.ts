import { currencyExponent, formatScaled, isCurrencyCode } from '@revline/canonical';
import type { WaterfallDto } from '@revline/finance-api';
import { csvWriter } from '@revline/http';

const COLUMNS = [
  'opening_deferred',
  'opening_unbilled',
  'billed',
  'recognised',
  'closing_deferred',
  'closing_unbilled',
];

export const WATERFALL_CSV_COLUMNS = [
  'currency',
  'period',
  ...COLUMNS,
  ...COLUMNS.map((c) => `${c}_minor`),
  'posted_to_erp',
  'posted_to_erp_minor',
];

/**
 * The waterfall as CSV: one row per currency and month, decimal amounts then minor units, then what the month's
 * revenue runs posted to the ERP (empty before its first run).
 */
export function waterfallCsv(waterfall: WaterfallDto): string {
  const csv = csvWriter();
  const lines = [csv.header(WATERFALL_CSV_COLUMNS)];
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
      lines.push(csv.line([c.currency, m.period, ...minors.map(major), ...minors, ...posted]));
    }
  }
  return lines.join('');
}
