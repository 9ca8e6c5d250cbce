import { currencyExponent, isCurrencyCode, type CurrencyCode } from './currencies';
import { divRoundHalfUp, formatScaled, parseDecimal, pow10 } from './decimal-string';

/** Money on the wire: integer minor units as a string, and an ISO 4217 code. */
export interface Money {
  readonly amountMinor: string;
  readonly currency: CurrencyCode;
}

/** The largest absolute amount Revline accepts, in minor units (10^15). */
export const MAX_ABS_MINOR = 10n ** 15n;

export const MINOR_PATTERN = /^-?(0|[1-9]\d*)$/;

export class MoneyError extends RangeError {
  override readonly name = 'MoneyError';
}

export function money(amountMinor: bigint, currency: CurrencyCode): Money {
  return { amountMinor: amountMinor.toString(), currency };
}

export function zeroMoney(currency: CurrencyCode): Money {
  return { amountMinor: '0', currency };
}

/** Integer minor units of a Money; throws MoneyError when malformed or beyond MAX_ABS_MINOR. */
export function minorUnits(value: Money): bigint {
  if (!MINOR_PATTERN.test(value.amountMinor)) {
    throw new MoneyError(`amountMinor '${value.amountMinor}' is not an integer string`);
  }
  if (!isCurrencyCode(value.currency)) {
    throw new MoneyError(`Unknown currency '${String(value.currency)}'`);
  }
  const units = BigInt(value.amountMinor);
  if (units > MAX_ABS_MINOR || units < -MAX_ABS_MINOR) {
    throw new MoneyError(`amountMinor '${value.amountMinor}' exceeds the bound of 10^15 minor units`);
  }
  return units;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) {
    throw new MoneyError(`Currency mismatch: ${a.currency} vs ${b.currency}`);
  }
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(minorUnits(a) + minorUnits(b), a.currency);
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return money(minorUnits(a) - minorUnits(b), a.currency);
}

export function negateMoney(a: Money): Money {
  return money(-minorUnits(a), a.currency);
}

/** -1, 0 or 1. */
export function compareMoney(a: Money, b: Money): -1 | 0 | 1 {
  sameCurrency(a, b);
  const x = minorUnits(a);
  const y = minorUnits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Converts a decimal amount in major units ("12000.005") to Money, rounding half-up (half away
 * from zero) to the currency's minor unit.
 */
export function moneyFromMajor(major: string, currency: string): Money {
  if (!isCurrencyCode(currency)) {
    throw new MoneyError(`Unknown currency '${currency}'`);
  }
  const exponent = currencyExponent(currency);
  let parsed;
  try {
    parsed = parseDecimal(major);
  } catch {
    throw new MoneyError(`'${major}' is not a decimal amount`);
  }
  const minor =
    parsed.scale <= exponent
      ? parsed.units * pow10(exponent - parsed.scale)
      : divRoundHalfUp(parsed.units, pow10(parsed.scale - exponent));
  const result = money(minor, currency);
  minorUnits(result);
  return result;
}

/** Major-unit decimal string, e.g. { "1298062", USD } → "12980.62", JPY keeps no decimals. */
export function toMajorString(value: Money): string {
  return formatScaled(minorUnits(value), currencyExponent(value.currency));
}

/** Human format with thousands separators and code: "12,980.62 USD". */
export function formatMoney(value: Money): string {
  const plain = toMajorString(value);
  const negative = plain.startsWith('-');
  const body = negative ? plain.slice(1) : plain;
  const dot = body.indexOf('.');
  const whole = dot === -1 ? body : body.slice(0, dot);
  const frac = dot === -1 ? '' : body.slice(dot);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac} ${value.currency}`;
}

/** Parses "12,980.62 USD" or "12980.62 USD" back to Money (exact; too many decimals is an error). */
export function parseMoney(text: string): Money {
  const match = /^(-?[\d,]+(?:\.\d+)?)\s+([A-Z]{3})$/.exec(text.trim());
  if (!match?.[1] || !match[2]) {
    throw new MoneyError(`'${text}' is not '<amount> <CUR>'`);
  }
  const amount = match[1].replace(/,/g, '');
  const currency = match[2];
  if (!isCurrencyCode(currency)) {
    throw new MoneyError(`Unknown currency '${currency}'`);
  }
  const parsed = parseDecimal(amount);
  if (parsed.scale > currencyExponent(currency)) {
    throw new MoneyError(`'${text}' has more decimals than ${currency} allows`);
  }
  return moneyFromMajor(amount, currency);
}
