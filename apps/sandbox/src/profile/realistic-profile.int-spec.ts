import type { TestApp } from '@revline/testing';
import { createTestApp } from '@revline/testing';
import type { Connection } from 'jsforce';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { SANDBOXES } from '../app.info';
import { tbaClient } from '../netsuite/testing/tba-client';
import { loginToSandbox } from '../salesforce/testing/seed';

function sandbox(name: string) {
  const found = SANDBOXES.find((s) => s.spec.name === name);
  if (!found) throw new Error(`no ${name} in app.info`);
  return found;
}

/** Boots one vendor's sandbox under a profile; every variable is set explicitly, as the environment is shared. */
async function boot(name: string, env: Record<string, string>): Promise<TestApp> {
  const { module, spec } = sandbox(name);
  return createTestApp(module, spec, env);
}

let app: TestApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('realistic profile: NetSuite', () => {
  const suiteql = (call: ReturnType<typeof tbaClient>) =>
    call('POST', '/services/rest/query/v1/suiteql', { q: 'SELECT COUNT(*) AS n FROM customer' });
  const timed = async (call: ReturnType<typeof tbaClient>) => {
    const started = performance.now();
    const response = await suiteql(call);
    return { ...response, ms: performance.now() - started };
  };

  it('answers each request after the latency within the concurrency limit of 5, and refuses a sixth at once with 429', async () => {
    app = await boot('sandbox-netsuite', {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_NETSUITE_LATENCY_MS: '300',
      SANDBOX_NETSUITE_CONCURRENCY_LIMIT: '5',
    });
    const call = tbaClient(app.url);
    const answers = await Promise.all(Array.from({ length: 6 }, () => timed(call)));
    const answered = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status === 429);
    expect(answered).toHaveLength(5);
    expect(refused).toHaveLength(1);
    for (const a of answered) expect(a.ms).toBeGreaterThanOrEqual(290);
    expect(refused[0]?.ms).toBeLessThan(Math.min(...answered.map((a) => a.ms)));
    expect(refused[0]?.headers.get('content-type')).toContain('application/vnd.oracle.resource+json');
    expect(refused[0]?.body).toMatchObject({
      type: 'https://www.rfc-editor.org/rfc/rfc6585.html#section-4',
      title: 'Too Many Requests',
      status: 429,
      'o:errorDetails': [{ 'o:errorCode': 'SSS_REQUEST_LIMIT_EXCEEDED' }],
    });
    // The slots are given back: the next request is answered, after the latency again.
    const next = await timed(call);
    expect(next.status).toBe(200);
    expect(next.ms).toBeGreaterThanOrEqual(290);
    const stats = (await (await fetch(`${app.url}/sandbox/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ limit: 5, maxInFlight: 5, refused: 1 });
  });

  it('keeps the profile latency as the baseline a reset returns to; the fast profile has none', async () => {
    app = await boot('sandbox-netsuite', {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_NETSUITE_LATENCY_MS: '200',
    });
    const post = (path: string, body?: unknown) =>
      fetch(`${app?.url ?? ''}/sandbox/${path}`, {
        method: 'POST',
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
    await post('faults', { latencyMs: 0 });
    await post('reset');
    expect(await (await fetch(`${app.url}/sandbox/faults`)).json()).toMatchObject({ latencyMs: 200 });
    await app.close();
    app = await boot('sandbox-netsuite', { SANDBOX_PROFILE: 'fast', SANDBOX_NETSUITE_LATENCY_MS: '5000' });
    expect(await (await fetch(`${app.url}/sandbox/faults`)).json()).toMatchObject({ latencyMs: 0 });
    const fast = await timed(tbaClient(app.url));
    expect(fast.status).toBe(200);
    expect(fast.ms).toBeLessThan(5000);
  });
});

describe('realistic profile: Stripe', () => {
  const client = (url: string) =>
    new Stripe('sk_test_revline_sandbox', {
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      protocol: 'http',
      maxNetworkRetries: 0,
    });
  const STRIPE_ENV = { SANDBOX_STRIPE_WEBHOOK_URLS: 'none' };
  const rateLimited = (results: PromiseSettledResult<unknown>[]) =>
    results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as InstanceType<typeof Stripe.errors.StripeError>);

  it("answers a burst over an endpoint's rate 429 with Stripe's body, and a burst over the account's rate", async () => {
    app = await boot('sandbox-stripe', {
      ...STRIPE_ENV,
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '5',
      SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND: '8',
    });
    const stripe = client(app.url);
    const burst = await Promise.allSettled(
      Array.from({ length: 7 }, (_, i) => stripe.customers.create({ name: `Burst ${String(i)}` })),
    );
    expect(burst.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = rateLimited(burst);
    expect(refused).toHaveLength(2);
    for (const error of refused) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect(error).toMatchObject({
        statusCode: 429,
        rawType: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
      });
      expect(error.message).toMatch(/^Request rate limit exceeded/);
      expect(error.headers?.['stripe-rate-limited-reason']).toBe('endpoint-rate');
      expect(error.headers?.['request-id']).toMatch(/^req_/);
    }

    // A second later each endpoint has its own budget but all share the account's: a burst of 10 over three
    // endpoints, none past 5, lets 8 through and refuses 2 on the overall rate.
    await sleep(1_050);
    const mixed = await Promise.allSettled([
      ...Array.from({ length: 4 }, () => stripe.customers.list({ limit: 1 })),
      ...Array.from({ length: 4 }, () => stripe.products.list({ limit: 1 })),
      ...Array.from({ length: 2 }, (_, i) => stripe.customers.create({ name: `Mixed ${String(i)}` })),
    ]);
    expect(mixed.filter((r) => r.status === 'fulfilled')).toHaveLength(8);
    expect(rateLimited(mixed).map((e) => e.headers?.['stripe-rate-limited-reason'])).toEqual([
      'global-rate',
      'global-rate',
    ]);

    // A refused create took no effect: the account holds exactly the customers whose creation was answered.
    await sleep(1_050);
    const answered = [...burst, ...mixed.slice(8)].flatMap((r) =>
      r.status === 'fulfilled' && (r.value as { object?: string }).object === 'customer'
        ? [(r.value as { id: string }).id]
        : [],
    );
    const customers = await stripe.customers.list({ limit: 100 });
    expect(customers.data.map((c) => c.id).sort()).toEqual(answered.sort());
    const stats = (await (await fetch(`${app.url}/sandbox/rate-limits`)).json()) as {
      admittedByEndpoint: Record<string, number>;
    };
    expect(stats).toEqual({
      enabled: true,
      perSecond: 8,
      perEndpointPerSecond: 5,
      admitted: 14,
      admittedByEndpoint: {
        'POST /v1/customers': expect.any(Number) as number,
        'GET /v1/customers': expect.any(Number) as number,
        'GET /v1/products': expect.any(Number) as number,
      },
      refused: { 'global-rate': 2, 'endpoint-rate': 2, 'meter-event-stream-rate': 0 },
    });
    // Counted by endpoint as the limiter keys them: the first burst's five creates, and every admitted call in all.
    expect(stats.admittedByEndpoint['POST /v1/customers']).toBeGreaterThanOrEqual(5);
    expect(Object.values(stats.admittedByEndpoint).reduce((sum, n) => sum + n, 0)).toBe(14);
  });

  it('admits any burst in the fast profile', async () => {
    app = await boot('sandbox-stripe', {
      ...STRIPE_ENV,
      SANDBOX_PROFILE: 'fast',
      SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND: '5',
      SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND: '8',
    });
    const stripe = client(app.url);
    const burst = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => stripe.customers.create({ name: `Fast ${String(i)}` })),
    );
    expect(rateLimited(burst)).toEqual([]);
    expect(await (await fetch(`${app.url}/sandbox/rate-limits`)).json()).toMatchObject({
      enabled: false,
      admitted: 0,
      refused: { 'global-rate': 0, 'endpoint-rate': 0 },
    });
  });
});

describe('realistic profile: Salesforce', () => {
  const usage = (conn: Connection) => conn.limitInfo.apiUsage;
  const accounts = (conn: Connection) => conn.query('SELECT Id FROM Account');

  it('counts every REST call against the daily allocation, in Sforce-Limit-Info and /limits, and refuses calls past it', async () => {
    app = await boot('sandbox-salesforce', {
      SANDBOX_PROFILE: 'realistic',
      SANDBOX_SF_DAILY_API_REQUESTS: '5',
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    const conn = await loginToSandbox(app.url);
    await accounts(conn);
    expect(usage(conn)).toEqual({ used: 1, limit: 5 });
    const limits = (await conn.limits()) as unknown as Record<string, { Max: number; Remaining: number }>;
    expect(limits.DailyApiRequests).toEqual({ Max: 5, Remaining: 3 });
    expect(usage(conn)).toEqual({ used: 2, limit: 5 });
    for (let call = 3; call <= 5; call += 1) await accounts(conn);
    expect(usage(conn)).toEqual({ used: 5, limit: 5 });

    await expect(accounts(conn)).rejects.toMatchObject({
      errorCode: 'REQUEST_LIMIT_EXCEEDED',
      message: 'TotalRequests Limit exceeded.',
    });
    const raw = await fetch(`${app.url}/services/data/v60.0/sobjects/Account/describe`, {
      headers: { authorization: `Bearer ${conn.accessToken ?? ''}` },
    });
    expect(raw.status).toBe(403);
    expect(raw.headers.get('sforce-limit-info')).toBe('api-usage=7/5');
    expect(await raw.json()).toEqual([
      { message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' },
    ]);
    // Both refusals are counted for the benches that report them.
    const stats = (await (await fetch(`${app.url}/sandbox/stats`)).json()) as { refused: number };
    expect(stats.refused).toBe(2);

    // The allocation is over a rolling 24 hours: a day later on the org's clock the calls are counted afresh.
    const advanced = await fetch(`${app.url}/sandbox/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hours: 24 }),
    });
    expect(advanced.status).toBe(200);
    await accounts(conn);
    expect(usage(conn)).toEqual({ used: 1, limit: 5 });
  });

  it('keeps the fast profile out of reach of any allocation setting', async () => {
    app = await boot('sandbox-salesforce', {
      SANDBOX_PROFILE: 'fast',
      SANDBOX_SF_DAILY_API_REQUESTS: '5',
      SANDBOX_SF_COMETD_TIMEOUT_SECONDS: '2',
    });
    const conn = await loginToSandbox(app.url);
    for (let call = 1; call <= 6; call += 1) await accounts(conn);
    expect(usage(conn)).toEqual({ used: 6, limit: 1_000_000 });
  });

  it('refuses a profile it does not know, naming the variable', async () => {
    await expect(boot('sandbox-salesforce', { SANDBOX_PROFILE: 'slow' })).rejects.toThrow(/SANDBOX_PROFILE/);
    process.env.SANDBOX_PROFILE = 'fast';
  });
});
