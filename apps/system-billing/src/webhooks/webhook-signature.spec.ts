import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyStripeSignature } from './webhook-signature';

const body = Buffer.from('{"id":"evt_1","type":"invoice.finalized"}');
const sign = (secret: string, t: number, payload = body) =>
  createHmac('sha256', secret).update(`${t}.`).update(payload).digest('hex');

describe('verifyStripeSignature', () => {
  const now = 1_770_000_000;

  it('accepts a signature by any of the rotating secrets', () => {
    const header = `t=${now},v1=${sign('whsec_new', now)}`;
    expect(verifyStripeSignature(body, header, ['whsec_old', 'whsec_new'], 300, now)).toBeNull();
  });

  it('refuses a wrong secret, a changed body and a missing header', () => {
    expect(verifyStripeSignature(body, `t=${now},v1=${sign('whsec_x', now)}`, ['whsec_a'], 300, now)).toBe(
      'no_matching_signature',
    );
    const header = `t=${now},v1=${sign('whsec_a', now)}`;
    expect(verifyStripeSignature(Buffer.from(`${body.toString()} `), header, ['whsec_a'], 300, now)).toBe(
      'no_matching_signature',
    );
    expect(verifyStripeSignature(body, undefined, ['whsec_a'], 300, now)).toBe('missing_header');
    expect(verifyStripeSignature(body, 'v1=zz', ['whsec_a'], 300, now)).toBe('malformed_header');
  });

  it('refuses a timestamp outside the 300 s tolerance even when correctly signed', () => {
    const old = now - 301;
    expect(verifyStripeSignature(body, `t=${old},v1=${sign('whsec_a', old)}`, ['whsec_a'], 300, now)).toBe(
      'stale_timestamp',
    );
    const edge = now - 300;
    expect(
      verifyStripeSignature(body, `t=${edge},v1=${sign('whsec_a', edge)}`, ['whsec_a'], 300, now),
    ).toBeNull();
  });
});
