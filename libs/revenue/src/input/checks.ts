import {
  isCurrencyCode,
  isIsoDate,
  MAX_ABS_MINOR,
  MINOR_PATTERN,
  NON_NEGATIVE_DECIMAL_PATTERN,
  toEpochDay,
  type CurrencyCode,
  type Money,
} from '@revline/canonical';
import { RevenueInputError } from '../core/errors';

/** Field checks that raise RevenueInputError naming the field. */
const dayCache = new Map<string, number>();

export function checkDate(value: unknown, field: string): number {
  if (typeof value === 'string') {
    const cached = dayCache.get(value);
    if (cached !== undefined) {
      return cached;
    }
  }
  if (typeof value !== 'string' || !isIsoDate(value)) {
    throw new RevenueInputError(field, 'must be a calendar date YYYY-MM-DD');
  }
  const day = toEpochDay(value);
  if (dayCache.size < 100_000) {
    dayCache.set(value, day);
  }
  return day;
}

export function checkCurrency(value: unknown, field: string): CurrencyCode {
  if (typeof value !== 'string' || !isCurrencyCode(value)) {
    throw new RevenueInputError(
      field,
      `unknown currency ${value === undefined ? '(missing)' : JSON.stringify(value)}`,
    );
  }
  return value;
}

export function checkNonNegativeDecimal(value: unknown, field: string): string {
  if (typeof value !== 'string' || !NON_NEGATIVE_DECIMAL_PATTERN.test(value)) {
    throw new RevenueInputError(field, 'must be a non-negative decimal string such as "15" or "0.002"');
  }
  return value;
}

export function checkBound(value: bigint, field: string): bigint {
  if (value > MAX_ABS_MINOR || value < -MAX_ABS_MINOR) {
    throw new RevenueInputError(field, 'exceeds the bound of 10^15 minor units');
  }
  return value;
}

/** Minor units of a Money in the expected currency, within ±10^15. */
export function checkMoney(
  value: Money | undefined,
  currency: CurrencyCode,
  field: string,
  allowNegative = false,
): bigint {
  if (typeof value !== 'object' || (value as unknown) === null) {
    throw new RevenueInputError(field, 'is required');
  }
  if (typeof value.amountMinor !== 'string' || !MINOR_PATTERN.test(value.amountMinor)) {
    throw new RevenueInputError(`${field}.amountMinor`, 'must be an integer string of minor units');
  }
  if (value.currency !== currency) {
    throw new RevenueInputError(`${field}.currency`, `must be the contract currency ${currency}`);
  }
  const units = checkBound(BigInt(value.amountMinor), `${field}.amountMinor`);
  if (!allowNegative && units < 0n) {
    throw new RevenueInputError(`${field}.amountMinor`, 'must not be negative');
  }
  return units;
}

export function checkId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 255) {
    throw new RevenueInputError(field, 'must be a non-empty id');
  }
  return value;
}
