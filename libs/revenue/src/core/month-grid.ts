import { monthEndOfIndex, monthIndexOfEpochDay, monthKeyOfIndex } from '@revline/canonical';

/**
 * Cached month arithmetic for the hot path: month index (year × 12 + month − 1) → last epoch day
 * and 'YYYY-MM' key, computed once per month for the life of the process.
 */
const ends = new Map<number, number>();
const keys = new Map<number, string>();

export function monthEnd(index: number): number {
  let v = ends.get(index);
  if (v === undefined) {
    v = monthEndOfIndex(index);
    ends.set(index, v);
  }
  return v;
}

export function monthKey(index: number): string {
  let v = keys.get(index);
  if (v === undefined) {
    v = monthKeyOfIndex(index);
    keys.set(index, v);
  }
  return v;
}

const dayToMonth = new Map<number, number>();

export function monthIndexOf(epochDay: number): number {
  let v = dayToMonth.get(epochDay);
  if (v === undefined) {
    v = monthIndexOfEpochDay(epochDay);
    if (dayToMonth.size < 200_000) {
      dayToMonth.set(epochDay, v);
    }
  }
  return v;
}
