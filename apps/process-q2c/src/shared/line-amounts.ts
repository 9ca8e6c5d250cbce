import type { ChargeType, Money, UnitPricePeriod } from '@revline/canonical';
import { currencyExponent, divRoundHalfUp, money, parseDecimal, pow10, toEpochDay } from '@revline/canonical';
import type { CurrencyCode } from '@revline/canonical';
import { monthsUnder } from '@revline/revenue';

/**
 * A line's value over its service dates: quantity × unit price × the number of price periods in the term
 * (calendar months plus the leftover days as a fraction of their month, as the revenue engine counts them),
 * rounded half-up to the currency's minor unit. A one-time charge is quantity × unit price.
 *
 * With `within` (the term a line added mid-term co-terminates with), the line is worth its share of that term's
 * value by actual days — what the billing platform prorates and what the engine values a quantity change at — so
 * an added line and a seat change in the same amendment are measured alike (G2: 3,000 × 292/365 = 2,400.00).
 */
export function lineValue(input: {
  quantity: string;
  unitPrice: string;
  unitPricePeriod: UnitPricePeriod;
  chargeType: ChargeType;
  serviceStart: string;
  serviceEnd: string;
  currency: CurrencyCode;
  within?: { start: string; end: string };
}): Money {
  const q = parseDecimal(input.quantity);
  const p = parseDecimal(input.unitPrice);
  let n = 1n;
  let d = 1n;
  if (input.chargeType !== 'one_time' && input.unitPricePeriod !== 'term') {
    const start = toEpochDay(input.serviceStart);
    const end = toEpochDay(input.serviceEnd);
    const period = input.within
      ? { start: toEpochDay(input.within.start), end: toEpochDay(input.within.end) }
      : undefined;
    const share = period && start >= period.start && end <= period.end;
    const months = share
      ? monthsUnder('monthly_actual_days', period.start, period.end)
      : monthsUnder('monthly_actual_days', start, end);
    n = share ? months.n * BigInt(end - start + 1) : months.n;
    d =
      (input.unitPricePeriod === 'year' ? months.d * 12n : months.d) *
      (share ? BigInt(period.end - period.start + 1) : 1n);
  }
  const exponent = currencyExponent(input.currency);
  const numerator = q.units * p.units * n * pow10(exponent);
  const denominator = pow10(q.scale + p.scale) * d;
  return money(divRoundHalfUp(numerator, denominator), input.currency);
}

/** "0.05" from new/prior − 1, to six places without trailing zeros; "0" when the price did not rise. */
export function upliftRate(priorUnitPrice: string, newUnitPrice: string): string {
  const prior = parseDecimal(priorUnitPrice);
  const next = parseDecimal(newUnitPrice);
  if (prior.units === 0n) return '0';
  // (next/prior − 1) × 10^6, with both scaled to a common scale.
  const scaledNext = next.units * pow10(prior.scale);
  const scaledPrior = prior.units * pow10(next.scale);
  const micro = divRoundHalfUp((scaledNext - scaledPrior) * 1_000_000n, scaledPrior);
  if (micro <= 0n) return '0';
  const whole = micro / 1_000_000n;
  const frac = (micro % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return frac === '' ? whole.toString() : `${whole.toString()}.${frac}`;
}

/** a + b for signed decimal strings, exactly. */
export function addDecimals(a: string, b: string): string {
  const x = parseDecimal(a);
  const y = parseDecimal(b);
  const scale = Math.max(x.scale, y.scale);
  const sum = x.units * pow10(scale - x.scale) + y.units * pow10(scale - y.scale);
  return formatDecimal(sum, scale);
}

/** -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const diff = parseDecimal(addDecimals(a, negateDecimal(b)));
  return diff.units === 0n ? 0 : diff.units > 0n ? 1 : -1;
}

function negateDecimal(a: string): string {
  return a.startsWith('-') ? a.slice(1) : `-${a}`;
}

function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : digits.slice(0, digits.length - scale);
  const frac = scale === 0 ? '' : digits.slice(digits.length - scale).replace(/0+$/, '');
  const body = frac === '' ? whole : `${whole}.${frac}`;
  return negative && body !== '0' ? `-${body}` : body;
}
