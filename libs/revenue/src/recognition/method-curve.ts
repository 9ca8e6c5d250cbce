import type { RevenueTreatment } from '@revline/canonical';
import { CALENDAR_GRID, type PeriodGrid } from '../core/period-grid';
import {
  EvenMonthlyCurve,
  MonthlyProratedCurve,
  PointInTimeCurve,
  RatableDailyCurve,
  type Curve,
} from './curves';

/** Recognition methods the engine applies (a line's treatment after the tenant's ratable convention). */
export type RecognitionMethod = Exclude<RevenueTreatment, 'usage'> | 'usage';

/**
 * The curve that recognises `total` over start..end (inclusive) by `method`: point in time on `delivery`
 * (default start); even monthly and monthly prorated by the periods of `grid` (default calendar months).
 */
export function curveFor(
  method: RecognitionMethod,
  total: bigint,
  start: number,
  end: number,
  at: { readonly delivery?: number | undefined; readonly grid?: PeriodGrid } = {},
): Curve {
  const grid = at.grid ?? CALENDAR_GRID;
  switch (method) {
    case 'ratable_daily':
    case 'usage':
      return new RatableDailyCurve(total, start, end);
    case 'even_monthly':
      return new EvenMonthlyCurve(total, start, end, grid);
    case 'monthly_prorated':
      return new MonthlyProratedCurve(total, start, end, grid);
    case 'point_in_time':
      return new PointInTimeCurve(total, at.delivery ?? start);
  }
}
