import { describe, expect, it } from 'vitest';
import type { RequestsPerBooking, VendorLimits } from './vendor-ceilings';
import { busiest, shareOfCeiling, vendorCeilings } from './vendor-ceilings';

const LIMITS: VendorLimits = {
  netsuite: { concurrency: 5, latencyMs: 600 },
  stripe: { perSecond: 100, perEndpointPerSecond: 25 },
  salesforce: { dailyAllocation: 150_000, backgroundPerSecond: 0 },
};

const REQUESTS: RequestsPerBooking = {
  netsuite: 3,
  stripe: 3,
  stripeBusiestEndpoint: { endpoint: 'POST /v1/subscriptions', requests: 1 },
  salesforce: 0.1,
};

describe('vendorCeilings', () => {
  it('divides each limit, as requests a second, by the requests a booking spends of it', () => {
    const { perSecond, tightest } = vendorCeilings(LIMITS, REQUESTS);
    // 5 slots / 0.6 s = 8.33 requests/s, over 3 a booking.
    expect(perSecond.netsuite).toBeCloseTo(25 / 9, 10);
    expect(perSecond.stripe).toBeCloseTo(100 / 3, 10);
    expect(perSecond.stripeEndpoint).toBe(25);
    // 150,000 a day = 1.736 requests/s, over 0.1 a booking.
    expect(perSecond.salesforce).toBeCloseTo(150_000 / 86_400 / 0.1, 10);
    expect(tightest).toEqual({ limit: 'netsuite', perSecond: perSecond.netsuite });
  });

  it('moves with the measured requests: fewer NetSuite requests a booking raise its ceiling', () => {
    const { perSecond } = vendorCeilings(LIMITS, { ...REQUESTS, netsuite: 1.5 });
    expect(perSecond.netsuite).toBeCloseTo(50 / 9, 10);
  });

  it('takes the idle background out of the Salesforce allocation, and finds the limit that binds', () => {
    const { perSecond, tightest } = vendorCeilings(
      { ...LIMITS, salesforce: { dailyAllocation: 150_000, backgroundPerSecond: 1 } },
      { ...REQUESTS, salesforce: 0.5 },
    );
    expect(perSecond.salesforce).toBeCloseTo((150_000 / 86_400 - 1) / 0.5, 10);
    expect(tightest?.limit).toBe('salesforce');
    // A background that spends the whole allocation leaves no booking a second.
    const spent = vendorCeilings(
      { ...LIMITS, salesforce: { dailyAllocation: 86_400, backgroundPerSecond: 2 } },
      REQUESTS,
    );
    expect(spent.perSecond.salesforce).toBe(0);
    expect(spent.tightest).toEqual({ limit: 'salesforce', perSecond: 0 });
  });

  it('names the per-endpoint limit when one endpoint is called more than the account rate allows', () => {
    const { tightest } = vendorCeilings(
      { ...LIMITS, netsuite: { concurrency: 50, latencyMs: 100 } },
      { ...REQUESTS, stripeBusiestEndpoint: { endpoint: 'POST /v1/invoices', requests: 3 } },
    );
    expect(tightest?.limit).toBe('stripeEndpoint');
    expect(tightest?.perSecond).toBeCloseTo(25 / 3, 10);
  });

  it('bounds nothing a booking does not call, and no latency means no NetSuite bound', () => {
    const { perSecond, tightest } = vendorCeilings(
      { ...LIMITS, netsuite: { concurrency: 5, latencyMs: 0 } },
      { netsuite: 3, stripe: 0, stripeBusiestEndpoint: { endpoint: '', requests: 0 }, salesforce: -0.02 },
    );
    expect(perSecond).toEqual({ netsuite: null, stripe: null, stripeEndpoint: null, salesforce: null });
    expect(tightest).toBeNull();
  });
});

describe('shareOfCeiling', () => {
  it('is the throughput over the tightest ceiling', () => {
    const ceilings = vendorCeilings(LIMITS, REQUESTS);
    expect(shareOfCeiling(2.5, ceilings)).toBeCloseTo(0.9, 10);
    expect(shareOfCeiling(1, { perSecond: ceilings.perSecond, tightest: null })).toBeNull();
  });
});

describe('busiest', () => {
  it('picks the endpoint with the most requests', () => {
    const byEndpoint = { 'POST /v1/customers': 200, 'POST /v1/subscriptions': 210, 'GET /v1/prices/:id': 3 };
    expect(busiest(byEndpoint)).toEqual({ endpoint: 'POST /v1/subscriptions', requests: 210 });
    expect(busiest({})).toEqual({ endpoint: '', requests: 0 });
  });
});
