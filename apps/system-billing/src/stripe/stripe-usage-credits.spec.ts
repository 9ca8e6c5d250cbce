import { describe, expect, it } from 'vitest';
import { isDuplicateMeterEvent } from './stripe-usage-credits.service';

/** The details the gateway keeps of a Stripe refusal, as they come from the SDK's error. */
const refusal = (over: Record<string, unknown>) => ({
  stripeType: 'StripeInvalidRequestError',
  code: null,
  param: null,
  httpStatus: 400,
  vendorMessage: '',
  ...over,
});

describe('a meter event Stripe already has', () => {
  it("is recognised from v1's refusal, which carries no code", () => {
    expect(
      isDuplicateMeterEvent(refusal({ vendorMessage: 'An event already exists with identifier u2.' })),
    ).toBe(true);
  });

  it("is recognised from v2's documented code too", () => {
    expect(isDuplicateMeterEvent(refusal({ code: 'duplicate_meter_event', vendorMessage: 'x' }))).toBe(true);
  });

  it('is not any other refusal, nor a message of another status', () => {
    expect(isDuplicateMeterEvent(refusal({ vendorMessage: "No such customer: 'cus_x'" }))).toBe(false);
    expect(
      isDuplicateMeterEvent(
        refusal({ httpStatus: 409, vendorMessage: 'An event already exists with identifier u2.' }),
      ),
    ).toBe(false);
    expect(
      isDuplicateMeterEvent(
        refusal({
          stripeType: 'StripeCardError',
          vendorMessage: 'An event already exists with identifier u2.',
        }),
      ),
    ).toBe(false);
  });
});
