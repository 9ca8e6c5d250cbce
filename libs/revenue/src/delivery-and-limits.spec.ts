import { describe, expect, it } from 'vitest';
import { computeSchedules } from './compute-schedules';
import { RevenueInputError } from './core/errors';
import { previewProration } from './proration/preview';
import { parseSchedulePreviewRequest, PREVIEW_MAX_ITEMS } from './schedule-preview';
import { g1Contract, seatsLine, usd } from './testing/fixtures';

const training = seatsLine({
  lineId: 'training',
  productCode: 'TRAIN',
  pobId: 'training',
  chargeType: 'one_time',
  quantity: '1',
  unitPrice: '1000',
  unitPricePeriod: 'term',
  netAmount: usd(100_000),
  revenueTreatment: 'point_in_time',
});

describe('a point-in-time line with a delivery date', () => {
  it('is recognised on its delivery date, not its service start', () => {
    const result = computeSchedules(g1Contract({ lines: [{ ...training, deliveryDate: '2026-07-01' }] }));
    const ob = result.obligations[0];
    expect(ob.deliveryDate).toBe('2026-07-01');
    expect(ob.serviceStart).toBe('2026-01-01');
    expect(ob.periods.filter((p) => p.amountMinor !== 0n).map((p) => [p.period, p.amountMinor])).toEqual([
      ['2026-07', 100_000n],
    ]);
  });

  it('defaults to the service start', () => {
    const ob = computeSchedules(g1Contract({ lines: [training] })).obligations[0];
    expect(ob.deliveryDate).toBe('2026-01-01');
    expect(ob.periods[0]?.amountMinor).toBe(100_000n);
  });

  it.each([
    [{ ...training, deliveryDate: '2027-01-01' }, /inside serviceStart..serviceEnd/],
    [{ ...seatsLine(), deliveryDate: '2026-07-01' }, /only for point_in_time lines/],
  ])('is refused outside its service dates or on a ratable line', (line, problem) => {
    expect(() => computeSchedules(g1Contract({ lines: [line] }))).toThrow(problem);
  });
});

describe('the preview arrays', () => {
  it('hold at most what fits in the 1 MiB body', () => {
    expect(PREVIEW_MAX_ITEMS.lines).toBeGreaterThan(1000);
    const lines = Array.from({ length: PREVIEW_MAX_ITEMS.lines + 1 }, (_, i) =>
      seatsLine({ lineId: `L${String(i)}` }),
    );
    expect(() =>
      parseSchedulePreviewRequest({
        contract: { ...g1Contract({ lines }), customer: { customerId: 'acct-1' } },
      }),
    ).toThrow(RevenueInputError);
    try {
      parseSchedulePreviewRequest({
        contract: { ...g1Contract({ lines }), customer: { customerId: 'acct-1' } },
      });
    } catch (e) {
      expect(e).toMatchObject({ field: 'contract.lines' });
    }
  });
});

describe('a bill cycle day', () => {
  it('must be a day of the month', () => {
    const change = {
      currency: 'USD',
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      effectiveDate: '2026-03-15',
      priorQuantity: '10',
      newQuantity: '15',
      priorUnitPrice: '100',
      newUnitPrice: '100',
    };
    expect(() => previewProration({ ...change, billCycleDay: 32 }, 'cpq_month')).toThrow(/billCycleDay/);
    // From the 20th: 15..19 March of the month from 20 February (28 days), nine whole months to 19
    // December, then 20..31 December of the month to 19 January (31 days).
    expect(previewProration({ ...change, billCycleDay: 20 }, 'monthly_actual_days').netMinor).toBe(
      String(Math.round(500 * (9 + 5 / 28 + 12 / 31) * 100)),
    );
    // 31 bills on every month end: 15..30 March of the month from 28 February (31 days), nine whole months
    // to 30 December, and 31 December alone.
    expect(previewProration({ ...change, billCycleDay: 31 }, 'monthly_actual_days').netMinor).toBe(
      String(Math.round(500 * (9 + 16 / 31 + 1 / 31) * 100)),
    );
  });
});
