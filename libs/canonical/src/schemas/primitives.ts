import { z } from 'zod';
import { CURRENCY_CODES } from '../money/currencies';
import { DECIMAL_PATTERN, NON_NEGATIVE_DECIMAL_PATTERN } from '../money/decimal-string';
import { MAX_ABS_MINOR, MINOR_PATTERN } from '../money/money';
import { isIsoDate, isIsoMonth } from '../dates/calendar-date';

export const CurrencyCodeSchema = z.enum(CURRENCY_CODES).meta({
  description: 'ISO 4217 currency code from the Revline currency table',
  examples: ['USD'],
});

export const MinorAmountSchema = z
  .string()
  .regex(MINOR_PATTERN, { error: 'must be an integer string of minor units, e.g. "120000"', abort: true })
  .refine((s) => {
    const v = BigInt(s);
    return v <= MAX_ABS_MINOR && v >= -MAX_ABS_MINOR;
  }, 'must be within ±10^15 minor units')
  .meta({ description: 'Integer amount in minor units (cents for USD, yen for JPY)', examples: ['1200000'] });

export const MoneySchema = z
  .strictObject({
    amountMinor: MinorAmountSchema,
    currency: CurrencyCodeSchema,
  })
  .meta({ id: 'Money', description: 'Money as integer minor units and an ISO 4217 currency' });

export const DecimalStringSchema = z
  .string()
  .regex(DECIMAL_PATTERN, 'must be a decimal string such as "100" or "0.002"')
  .meta({ description: 'Exact decimal number as a string', examples: ['100.00', '0.002'] });

export const NonNegativeDecimalSchema = z
  .string()
  .regex(NON_NEGATIVE_DECIMAL_PATTERN, 'must be a non-negative decimal string such as "15"')
  .meta({ description: 'Exact non-negative decimal number as a string', examples: ['15'] });

export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be a calendar date YYYY-MM-DD', abort: true })
  .refine(isIsoDate, 'must be a calendar date YYYY-MM-DD')
  .meta({ format: 'date', description: 'Calendar date in the tenant time zone', examples: ['2026-01-01'] });

export const IsoMonthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a month YYYY-MM', abort: true })
  .refine(isIsoMonth, 'must be a month YYYY-MM')
  .meta({ description: 'Calendar month', examples: ['2026-03'] });

export const IdSchema = z.string().min(1).max(255);

export const SchemaVersionSchema = z
  .string()
  .regex(/^1\.\d+$/, 'must be "1.<minor>"')
  .meta({ description: 'Canonical model version, 1.x', examples: ['1.1'] });
