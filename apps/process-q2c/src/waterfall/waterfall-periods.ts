import { DomainError } from '@revline/http';

export const MAX_MONTHS = 120;

const index = (period: string): number => Number(period.slice(0, 4)) * 12 + Number(period.slice(5, 7)) - 1;
const periodOf = (i: number): string =>
  `${String(Math.floor(i / 12)).padStart(4, '0')}-${String((i % 12) + 1).padStart(2, '0')}`;

/** The months from..to inclusive; 400 when `to` is before `from` or the span is too long. */
export function monthsBetween(from: string, to: string): string[] {
  const start = index(from);
  const end = index(to);
  if (end < start)
    throw new DomainError(400, `to (${to}) is before from (${from})`, [
      { field: 'to', problem: 'must not be before from' },
    ]);
  if (end - start + 1 > MAX_MONTHS)
    throw new DomainError(
      400,
      `from..to spans ${String(end - start + 1)} months; at most ${String(MAX_MONTHS)}`,
      [{ field: 'to', problem: `must be at most ${String(MAX_MONTHS)} months after from` }],
    );
  return Array.from({ length: end - start + 1 }, (_, i) => periodOf(start + i));
}
