import { ApiProperty } from '@nestjs/swagger';
import { formatMoney, isCurrencyCode, MINOR_PATTERN } from '@revline/canonical';

/** An amount as finance reads it: integer minor units and the currency, plus the same formatted for display. */
export class MoneyViewDto {
  @ApiProperty({ example: '3541650', description: 'Integer minor units (cents for USD)' })
  amountMinor: string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217 code' })
  currency: string;

  @ApiProperty({
    example: '35,416.50 USD',
    description: 'Major units with thousands separators and the code',
  })
  display: string;
}

/**
 * The money view of an amount in minor units, or null when there is none. A currency Revline has no exponent for
 * is shown in minor units as given.
 */
export function moneyView(amountMinor: string | null, currency: string | null): MoneyViewDto | null {
  if (amountMinor === null || currency === null || !MINOR_PATTERN.test(amountMinor)) return null;
  return moneyOf(amountMinor, currency);
}

/** The money view of integer minor units (a string as MINOR_PATTERN) in a currency. */
export function moneyOf(amountMinor: string, currency: string): MoneyViewDto {
  const code = currency.toUpperCase();
  const display = isCurrencyCode(code)
    ? formatMoney({ amountMinor, currency: code })
    : `${amountMinor} ${code}`;
  return { amountMinor, currency: code, display };
}
