import type { RevenueTreatment } from '@revline/canonical';
import {
  EvenMonthlyCurve,
  MonthlyProratedCurve,
  PointInTimeCurve,
  RatableDailyCurve,
  type Curve,
} from './curves';

/** Recognition methods the engine applies (a line's treatment after the tenant's ratable convention). */
export type RecognitionMethod = Exclude<RevenueTreatment, 'usage'> | 'usage';

/** The curve that recognises `total` over start..end (inclusive) by `method`; point in time on `delivery`. */
export function curveFor(
  method: RecognitionMethod,
  total: bigint,
  start: number,
  end: number,
  delivery: number = start,
): Curve {
  switch (method) {
    case 'ratable_daily':
    case 'usage':
      return new RatableDailyCurve(total, start, end);
    case 'even_monthly':
      return new EvenMonthlyCurve(total, start, end);
    case 'monthly_prorated':
      return new MonthlyProratedCurve(total, start, end);
    case 'point_in_time':
      return new PointInTimeCurve(total, delivery);
  }
}
