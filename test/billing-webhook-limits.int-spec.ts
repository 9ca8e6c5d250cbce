import { createHmac, randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRIPE_API_VERSION } from '../apps/system-billing/src/webhooks/stripe-api-version';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';

const SECRET = 'whsec_revline_limits';

/** A client address of its own for each case (through the trusted proxy). */
let lastOctet = 0;
const from = (): Record<string, string> => ({ 'x-forwarded-for': `203.0.113.${++lastOctet}` });

function signed(body: string, secret = SECRET): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** An event of a type Revline does not read: acknowledged without a write, so only the limits are in play. */
function event(n: number): string {
  return JSON.stringify({
    id: `evt_limits_${String(n)}`,
    object: 'event',
    api_version: STRIPE_API_VERSION,
    type: 'customer.created',
    created: Math.floor(Date.now() / 1000),
    data: { object: { id: `cus_limits_${String(n)}`, object: 'customer' } },
  });
}

describe("Stripe webhooks and system-billing's rate limits", () => {
  let env: BillingEnv;

  beforeAll(async () => {
    env = await startBillingEnv({
      STRIPE_WEBHOOK_SECRETS: SECRET,
      RATE_LIMIT_PER_MINUTE: '3',
      RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '2',
      TRUSTED_PROXIES: '127.0.0.1',
      QUEUE_PREFIX: `whl-${randomBytes(4).toString('hex')}`,
    });
  });

  afterAll(async () => {
    await env.close();
  });

  const deliver = (address: Record<string, string>, body: string, signature: string) =>
    request(env.billing.url)
      .post('/v1/webhooks/stripe')
      .set(address)
      .set('content-type', 'application/json')
      .set('stripe-signature', signature)
      .send(body);

  it('never limits signed deliveries, however many come from one address', async () => {
    const address = from();
    for (let n = 0; n < 8; n += 1) {
      const res = await deliver(address, event(n), signed(event(n)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ received: true, outcome: 'ignored' });
    }
  });

  it("counts refused signatures against the address's unauthenticated budget, then answers 429", async () => {
    const address = from();
    for (let n = 0; n < 2; n += 1)
      await deliver(address, event(100 + n), signed(event(100 + n), 'whsec_forged')).expect(400);
    const limited = await deliver(address, event(102), signed(event(102), 'whsec_forged')).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body.detail).toContain('at most 2 requests without a valid API key from one address');
    // Stripe's own deliveries from that address still go through.
    await deliver(address, event(103), signed(event(103))).expect(200);
    // Another address has its own budget.
    await deliver(from(), event(104), signed(event(104), 'whsec_forged')).expect(400);
  });
});
