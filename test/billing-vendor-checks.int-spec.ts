import { bearer, seedApiKey } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingEnv } from './support/billing-env';
import { startBillingEnv } from './support/billing-env';

interface Check {
  id: string;
  status: 'pass' | 'fail' | 'skip';
  detail: string;
}

const WEBHOOK_URL = 'https://billing.revline.example/v1/webhooks/stripe';

describe("system-billing's vendor checks and fixes: the Stripe webhook endpoint", () => {
  let env: BillingEnv;
  let admin: string;
  beforeAll(async () => {
    env = await startBillingEnv({ STRIPE_WEBHOOK_URL: WEBHOOK_URL });
    admin = await seedApiKey(env.db.dataSource, ['integration.admin']);
  }, 60_000);
  afterAll(async () => {
    await env.close();
  });

  const webhookCheck = async (): Promise<Check | undefined> => {
    const answer = await request(env.billing.url).get('/health/vendors').set(bearer(admin)).expect(200);
    return (answer.body as { checks: Check[] }).checks.find((c) => c.id === 'stripe.webhook-endpoint');
  };
  const fix = async (): Promise<Check | undefined> => {
    const answer = await request(env.billing.url)
      .post('/health/vendors/fixes')
      .set(bearer(admin))
      .expect(200);
    return (answer.body as { checks: Check[] }).checks[0];
  };
  const ours = async () =>
    (await env.stripe.webhookEndpoints.list({ limit: 100 })).data.filter((e) => e.url === WEBHOOK_URL);

  it('fails while the endpoint misses events Revline reads, and --fix adds them', async () => {
    const registered = await ours();
    expect(registered).toHaveLength(1); // by system-billing at start
    const endpoint = registered[0];
    await env.stripe.webhookEndpoints.update(endpoint.id, { enabled_events: ['invoice.paid'] });

    const before = await webhookCheck();
    expect(before?.status).toBe('fail');
    expect(before?.detail).toContain('lacks invoice.finalized, invoice.voided');

    const fixed = await fix();
    expect(fixed).toMatchObject({ status: 'pass' });
    expect(fixed?.detail).toContain('now also receives invoice.finalized');
    expect((await webhookCheck())?.status).toBe('pass');
  });

  it('registers a missing endpoint and hands back its signing secret', async () => {
    for (const endpoint of await ours()) await env.stripe.webhookEndpoints.del(endpoint.id);
    expect((await webhookCheck())?.detail).toBe(`no enabled endpoint at ${WEBHOOK_URL}`);

    const fixed = await fix();
    expect(fixed?.status).toBe('pass');
    expect(fixed?.detail).toMatch(
      /^registered we_\w+ at .*; add its signing secret whsec_\w+ to STRIPE_WEBHOOK_SECRETS$/,
    );
    expect(await ours()).toHaveLength(1);
    expect((await webhookCheck())?.status).toBe('pass');
  });
});
