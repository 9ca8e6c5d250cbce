import { DomainError } from '@revline/http';
import type { FiscalPeriods } from '../shared/fiscal-periods';

export const MAX_PERIODS = 120;

/**
 * The periods of the tenant's calendar from..to inclusive; 400 when either is not a period of the calendar, `to` is
 * before `from`, or the span is too long.
 */
export function periodsBetween(fiscal: FiscalPeriods, from: string, to: string): string[] {
  const first = fiscal.period(from, 'from');
  const last = fiscal.period(to, 'to');
  if (last.to < first.from)
    throw new DomainError(400, `to (${to}) is before from (${from})`, [
      { field: 'to', problem: 'must not be before from' },
    ]);
  const periods = fiscal.between(first, last, MAX_PERIODS + 1);
  if (periods.length > MAX_PERIODS)
    throw new DomainError(
      400,
      `from..to spans more than ${String(MAX_PERIODS)} periods; at most ${String(MAX_PERIODS)}`,
      [{ field: 'to', problem: `must be at most ${String(MAX_PERIODS)} periods after from` }],
    );
  return periods;
}
