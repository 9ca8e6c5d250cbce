/**
 * Exact decimal strings ("100", "0.002", "-12.5") as scaled bigints. Unit prices, rates and
 * quantities travel as decimal strings; this keeps them away from binary floats.
 */
export const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;
export const NON_NEGATIVE_DECIMAL_PATTERN = /^\d+(\.\d+)?$/;

/** A decimal as `units / 10^scale`. */
export interface ScaledDecimal {
  readonly units: bigint;
  readonly scale: number;
}

export function isDecimalString(value: string): boolean {
  return DECIMAL_PATTERN.test(value);
}

export function parseDecimal(value: string): ScaledDecimal {
  if (!DECIMAL_PATTERN.test(value)) {
    throw new RangeError(`'${value}' is not a decimal string`);
  }
  const negative = value.startsWith('-');
  const body = negative ? value.slice(1) : value;
  const dot = body.indexOf('.');
  const digits = dot === -1 ? body : body.slice(0, dot) + body.slice(dot + 1);
  const scale = dot === -1 ? 0 : body.length - dot - 1;
  const units = BigInt(digits);
  return { units: negative ? -units : units, scale };
}

export function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** Half-up (half away from zero) rounding of num/den to an integer; den must be positive. */
export function divRoundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n) {
    throw new RangeError('divRoundHalfUp needs a positive denominator');
  }
  if (num >= 0n) {
    return (2n * num + den) / (2n * den);
  }
  return -((-2n * num + den) / (2n * den));
}

/** Formats units / 10^scale as a plain decimal string with exactly `scale` places. */
export function formatScaled(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? abs : abs.slice(0, abs.length - scale);
  const frac = scale === 0 ? '' : `.${abs.slice(abs.length - scale)}`;
  return `${negative ? '-' : ''}${whole}${frac}`;
}

/** Rounds num/den half-up to `places` decimals and formats it (e.g. a proration multiplier). */
export function formatRatio(num: bigint, den: bigint, places: number): string {
  return formatScaled(divRoundHalfUp(num * pow10(places), den), places);
}
