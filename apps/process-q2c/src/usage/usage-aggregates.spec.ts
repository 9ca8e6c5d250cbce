import { describe, expect, it } from 'vitest';
import { meterEventIdentifier, reportPayload } from './usage-aggregates';

const command = {
  commandKey: 'usage:cus_1:api_calls:9b2e6f1c-0000-4000-8000-000000000001:0',
  customerId: 'cus_1',
  meterEventName: 'api_calls',
  days: [
    { day: '2026-03-09', quantity: '0.30000000000000000000000001', latest: '2026-03-09T23:59:59.999Z' },
    { day: '2026-03-10', quantity: '2500.50', latest: '2026-03-10T00:00:00.000Z' },
    { day: '2026-03-11', quantity: '1000000000000000000000000', latest: '2026-03-11T12:00:00.000Z' },
  ],
};

describe('usage summed per UTC day of use, as billing.report-usage', () => {
  it('sends one meter event per day, its exact sum in plain notation, at the day’s latest event', () => {
    expect(reportPayload(command)).toEqual({
      meterEventName: 'api_calls',
      events: [
        {
          identifier: meterEventIdentifier(command.commandKey, 'cus_1', 'api_calls', '2026-03-09'),
          customerId: 'cus_1',
          value: '0.30000000000000000000000001',
          timestamp: '2026-03-09T23:59:59.999Z',
        },
        {
          identifier: meterEventIdentifier(command.commandKey, 'cus_1', 'api_calls', '2026-03-10'),
          customerId: 'cus_1',
          value: '2500.5',
          timestamp: '2026-03-10T00:00:00.000Z',
        },
        {
          identifier: meterEventIdentifier(command.commandKey, 'cus_1', 'api_calls', '2026-03-11'),
          customerId: 'cus_1',
          value: '1000000000000000000000000',
          timestamp: '2026-03-11T12:00:00.000Z',
        },
      ],
    });
  });

  it('names each aggregate the same way every time, and differently for any other key, customer, meter or day', () => {
    const id = meterEventIdentifier(command.commandKey, 'cus_1', 'api_calls', '2026-03-10');
    // sha256 of the four joined by newlines (printf … | sha256sum), its first 48 hex digits.
    expect(id).toBe('rvl_usage_c9fb60685b03dd439c0d3282237bb2290991677e006c0105');
    expect(reportPayload(command)).toEqual(reportPayload({ ...command, days: [...command.days] }));
    const others = [
      meterEventIdentifier(`${command.commandKey}x`, 'cus_1', 'api_calls', '2026-03-10'),
      meterEventIdentifier(command.commandKey, 'cus_2', 'api_calls', '2026-03-10'),
      meterEventIdentifier(command.commandKey, 'cus_1', 'storage_gb', '2026-03-10'),
      meterEventIdentifier(command.commandKey, 'cus_1', 'api_calls', '2026-03-11'),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
    // Within Stripe's identifier length (at most 100 characters).
    expect(id.length).toBeLessThanOrEqual(100);
  });
});
