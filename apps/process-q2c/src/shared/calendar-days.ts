import { DomainError } from '@revline/http';

/** A 400 for a range whose from or to (YYYY-MM-DD by their format) is not a day of the calendar (2026-02-30). */
export function refuseUnrealDays(range: { from: string; to: string }): void {
  for (const field of ['from', 'to'] as const) {
    const day = new Date(`${range[field]}T00:00:00Z`);
    if (Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== range[field])
      throw new DomainError(400, `${field} (${range[field]}) is not a date of the calendar`, [
        { field, problem: 'must be a real date' },
      ]);
  }
}
