import { describe, expect, it } from 'vitest';
import { BusinessError } from '@revline/messaging';
import { isDuplicateMeterEvent, refusedUsage } from './stripe-usage-credits.service';

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

describe('meter events Stripe refused', () => {
  const event = (day: string, value: string) => ({
    identifier: `rvl_usage_${day}`,
    customerId: 'cus_1',
    value,
    timestamp: `${day}T12:00:00.000Z`,
  });
  const tooOld = (day: string, value: string) => ({
    event: event(day, value),
    error: new BusinessError(
      'validation',
      'Stripe refused the request',
      refusal({
        code: 'parameter_invalid',
        param: 'timestamp',
        vendorMessage: 'The event timestamp cannot be more than 35 days in past.',
      }),
    ),
  });

  it("are refused together, by time, with Stripe's details of the first and each one named", () => {
    const error = refusedUsage([tooOld('2026-01-20', '5'), tooOld('2026-01-19', '2.5')], 3);
    const message =
      'Stripe refused 2 of 3 meter events: 2026-01-19T12:00:00.000Z (value 2.5): The event timestamp cannot be more ' +
      'than 35 days in past.; 2026-01-20T12:00:00.000Z (value 5): The event timestamp cannot be more than 35 days in past.';
    expect(error).toBeInstanceOf(BusinessError);
    expect(error.message).toBe(message);
    expect(error.details).toMatchObject({ param: 'timestamp', code: 'parameter_invalid', httpStatus: 400 });
    expect(error.details.vendorMessage).toBe(message);
  });

  it('name the first five and count the rest', () => {
    const days = ['01', '02', '03', '04', '05', '06', '07'].map((d) => tooOld(`2026-01-${d}`, '1'));
    const error = refusedUsage(days, 10);
    expect(error.message).toMatch(/^Stripe refused 7 of 10 meter events: 2026-01-01T/);
    expect(error.message).toMatch(/2026-01-05T12:00:00.000Z \(value 1\): [^;]+; and 2 more$/);
    expect(error.message).not.toMatch(/2026-01-06/);
  });
});
