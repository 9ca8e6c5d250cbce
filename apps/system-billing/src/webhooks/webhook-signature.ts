import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureProblem =
  'missing_header' | 'malformed_header' | 'stale_timestamp' | 'no_matching_signature';

/**
 * Verifies `Stripe-Signature: t=…,v1=…[,v1=…]` over the raw body: HMAC-SHA256 of `t.body` with any of the
 * secrets (several during a rotation), compared in constant time, with the timestamp inside the tolerance.
 */
export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureProblem | null {
  if (!header) return 'missing_header';
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const index = part.indexOf('=');
    if (index === -1) continue;
    const name = part.slice(0, index).trim();
    const value = part.slice(index + 1).trim();
    if (name === 't') timestamp = value;
    else if (name === 'v1' && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) return 'malformed_header';
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return 'stale_timestamp';
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
    if (signatures.some((signature) => timingSafeEqual(signature, expected))) return null;
  }
  return 'no_matching_signature';
}
