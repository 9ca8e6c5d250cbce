import { divRoundHalfUp } from '@revline/canonical';

/**
 * Splits `total` over weights (standalone selling prices) in proportion, half-up, and gives the
 * rounding remainder to the line with the largest weight (the first such line on ties), so the
 * parts sum to `total` exactly. All-zero weights put everything on the first line.
 */
export function allocateByWeights(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) {
    return [];
  }
  const sum = weights.reduce((s, w) => s + w, 0n);
  let largest = 0;
  weights.forEach((w, i) => {
    if (w > (weights[largest] ?? 0n)) {
      largest = i;
    }
  });
  if (sum === 0n) {
    return weights.map((_, i) => (i === 0 ? total : 0n));
  }
  const parts = weights.map((w) => divRoundHalfUp(total * w, sum));
  const remainder = total - parts.reduce((s, p) => s + p, 0n);
  parts[largest] = (parts[largest] ?? 0n) + remainder;
  return parts;
}

/**
 * Splits `total` with cumulative half-up rounding over weights (used for billing periods): each
 * part is round(total × cumWeight / sumWeight) minus the previous cumulative value.
 */
export function splitCumulative(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((s, w) => s + w, 0n);
  if (sum === 0n) {
    return weights.map((_, i) => (i === weights.length - 1 ? total : 0n));
  }
  let acc = 0n;
  let prev = 0n;
  return weights.map((w) => {
    acc += w;
    const cum = divRoundHalfUp(total * acc, sum);
    const part = cum - prev;
    prev = cum;
    return part;
  });
}
