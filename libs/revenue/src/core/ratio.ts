import { divRoundHalfUp, parseDecimal, pow10 } from '@revline/canonical';

/** An exact rational n/d with d > 0: all revenue arithmetic stays in integers. */
export interface Ratio {
  readonly n: bigint;
  readonly d: bigint;
}

export const ZERO: Ratio = { n: 0n, d: 1n };
export const ONE: Ratio = { n: 1n, d: 1n };

export function ratio(n: bigint, d: bigint = 1n): Ratio {
  return d < 0n ? { n: -n, d: -d } : { n, d };
}

export function decimalRatio(value: string): Ratio {
  const p = parseDecimal(value);
  return { n: p.units, d: pow10(p.scale) };
}

export function mul(a: Ratio, b: Ratio): Ratio {
  return { n: a.n * b.n, d: a.d * b.d };
}

export function div(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.d, a.d * b.n);
}

export function add(a: Ratio, b: Ratio): Ratio {
  return a.d === b.d ? { n: a.n + b.n, d: a.d } : { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

export function sub(a: Ratio, b: Ratio): Ratio {
  return add(a, { n: -b.n, d: b.d });
}

/** Major-unit ratio → integer minor units, half-up. */
export function toMinor(value: Ratio, exponent: number): bigint {
  return divRoundHalfUp(value.n * pow10(exponent), value.d);
}

export function roundHalfUp(value: Ratio): bigint {
  return divRoundHalfUp(value.n, value.d);
}
