import { describe, expect, it } from 'vitest';
import { refusalReason, refusalsOf } from './meter-error-reports';

type Report = Parameters<typeof refusalsOf>[0];

/** A `v1.billing.meter.error_report_triggered` event as `/v2/core/events` lists it. */
const report = (errorTypes: unknown[]): Report =>
  ({
    id: 'evt_test_1',
    object: 'v2.core.event',
    type: 'v1.billing.meter.error_report_triggered',
    created: '2026-03-31T00:00:05.000Z',
    livemode: false,
    related_object: { id: 'mtr_1', type: 'billing.meter', url: '/v1/billing/meters/mtr_1' },
    data: {
      developer_message_summary: 'There are 3 invalid events',
      reason: { error_count: 3, error_types: errorTypes },
      validation_start: '2026-03-31T00:00:00.000Z',
      validation_end: '2026-03-31T00:00:05.000Z',
    },
  }) as unknown as Report;

const sample = (identifier: string, message: string) => ({ error_message: message, request: { identifier } });

describe('a meter error report', () => {
  it('names each refused identifier once, with its meter, code and message', () => {
    const refusals = refusalsOf(
      report([
        {
          code: 'timestamp_too_far_in_past',
          error_count: 2,
          sample_errors: [
            sample('u1', 'The event timestamp cannot be more than 35 days in past.'),
            sample('u2', 'old'),
          ],
        },
        { code: 'meter_event_customer_not_found', error_count: 1, sample_errors: [sample('u1', 'again')] },
      ]),
    );
    expect(refusals).toEqual([
      {
        identifier: 'u1',
        meterId: 'mtr_1',
        code: 'timestamp_too_far_in_past',
        message: 'The event timestamp cannot be more than 35 days in past.',
        eventId: 'evt_test_1',
        eventType: 'v1.billing.meter.error_report_triggered',
      },
      expect.objectContaining({ identifier: 'u2', code: 'timestamp_too_far_in_past' }),
    ]);
    expect(refusalReason(refusals[0] ?? ({} as never))).toBe(
      'Stripe refused meter event u1 (meter mtr_1) after taking it in: The event timestamp cannot be more than 35 ' +
        'days in past. (timestamp_too_far_in_past)',
    );
  });

  it('without a meter (no active meter for the event name) says so', () => {
    const noMeter = {
      ...report([{ code: 'no_meter', error_count: 1, sample_errors: [sample('u9', 'No active meter')] }]),
      type: 'v1.billing.meter.no_meter_found',
      related_object: undefined,
    } as unknown as Report;
    const refusal = refusalsOf(noMeter).at(0);
    expect(refusal).toMatchObject({ identifier: 'u9', meterId: null, code: 'no_meter' });
    expect(refusalReason(refusal ?? ({} as never))).toMatch(
      /^Stripe refused meter event u9 \(no active meter\)/,
    );
  });

  it('without samples names nothing', () => {
    expect(refusalsOf(report([{ code: 'archived_meter', error_count: 4, sample_errors: [] }]))).toEqual([]);
  });
});
