import type { ContractLine } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import { rampStepKey, rampStepsDue } from './ramp-step-schedule';

const money = (amountMinor: string) => ({ amountMinor, currency: 'USD' as const });

function line(lineId: string, segments: Array<[string, string, string, string]>): ContractLine {
  return {
    lineId,
    productCode: 'SEAT',
    pobId: 'POB-SEATS',
    chargeType: 'recurring',
    quantity: segments[0]?.[2] ?? '1',
    unitPrice: '1200',
    unitPricePeriod: 'year',
    netAmount: money('0'),
    serviceStart: segments[0]?.[0] ?? '2026-01-01',
    serviceEnd: segments.at(-1)?.[1] ?? '2026-12-31',
    revenueTreatment: 'ratable_daily',
    ...(segments.length > 0
      ? {
          rampSegments: segments.map(([start, end, quantity, segmentId]) => ({
            segmentId,
            start,
            end,
            quantity,
            unitPrice: '1200',
            netAmount: money('0'),
          })),
        }
      : {}),
  };
}

describe('ramp steps due', () => {
  it('is every segment start but the first, in date order', () => {
    const lines = [
      line('L1', [
        ['2028-01-01', '2028-12-31', '20', 'S3'],
        ['2026-01-01', '2026-12-31', '10', 'S1'],
        ['2027-01-01', '2027-12-31', '15', 'S2'],
      ]),
    ];
    expect(rampStepsDue({ lines })).toEqual([
      { segmentId: 'S2', dueOn: '2027-01-01' },
      { segmentId: 'S3', dueOn: '2028-01-01' },
    ]);
  });

  it('makes one step of segments of several lines starting on the same day, and none for lines without ramps', () => {
    const lines = [
      line('L1', [
        ['2026-01-01', '2026-06-30', '10', 'A1'],
        ['2026-07-01', '2026-12-31', '15', 'A2'],
      ]),
      line('L2', [
        ['2026-01-01', '2026-06-30', '1', 'B1'],
        ['2026-07-01', '2026-12-31', '2', 'B0'],
      ]),
      line('L3', []),
    ];
    expect(rampStepsDue({ lines })).toEqual([{ segmentId: 'A2', dueOn: '2026-07-01' }]);
    expect(rampStepsDue({ lines: [line('L3', [])] })).toEqual([]);
  });

  it('keys a step by contract and date, so scheduling it again is the same job', () => {
    expect(rampStepKey('C1', '2027-01-01')).toBe(rampStepKey('C1', '2027-01-01'));
    expect(rampStepKey('C1', '2027-01-01')).not.toBe(rampStepKey('C1', '2028-01-01'));
  });
});
