import { addMonthsToEpochDay, civilOf, epochDayOf, fromEpochDay } from '@revline/canonical';
import { monthEnd, monthIndexOf, monthKey } from './month-grid';

/** Fiscal calendars a tenant closes its books on (calendar months by default). */
export const FISCAL_CALENDARS = ['calendar', '4-4-5', '4-5-4', '5-4-4', '13-period'] as const;
export type FiscalCalendar = (typeof FISCAL_CALENDARS)[number];

/** The accounting periods schedules are reported in: an index per period, its last day and its name. */
export interface PeriodGrid {
  indexOf(day: number): number;
  end(index: number): number;
  key(index: number): string;
}

/** Calendar months, 'YYYY-MM'. */
export const CALENDAR_GRID: PeriodGrid = { indexOf: monthIndexOf, end: monthEnd, key: monthKey };

const WEEKS: Record<Exclude<FiscalCalendar, 'calendar'>, readonly number[]> = {
  '4-4-5': [4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5],
  '4-5-4': [4, 5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4],
  '5-4-4': [5, 4, 4, 5, 4, 4, 5, 4, 4, 5, 4, 4],
  '13-period': [4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4],
};

interface FiscalYear {
  readonly start: number;
  /** Last day of each period. */
  readonly ends: readonly number[];
  readonly label: number;
}

/**
 * A 52/53-week fiscal calendar: every fiscal year starts on the weekday of `yearStart` nearest to the
 * anniversary of `yearStart` (so years are 364 days, or 371 when the drift reaches a week), and is cut into
 * periods of whole weeks by the pattern; a 53rd week goes to the last period. A year is named after the
 * calendar year most of its days fall in: FY2026-P01 … FY2026-P12 (P13 for 13-period years).
 */
export class FiscalGrid implements PeriodGrid {
  private readonly weeks: readonly number[];
  private readonly years = new Map<number, FiscalYear>();

  constructor(
    calendar: Exclude<FiscalCalendar, 'calendar'>,
    private readonly yearStart: number,
  ) {
    this.weeks = WEEKS[calendar];
  }

  private startOf(k: number): number {
    const anniversary = addMonthsToEpochDay(civilOf(this.yearStart), 12 * k);
    const r = (((anniversary - this.yearStart) % 7) + 7) % 7;
    return r <= 3 ? anniversary - r : anniversary + 7 - r;
  }

  private year(k: number): FiscalYear {
    let y = this.years.get(k);
    if (y === undefined) {
      const start = this.startOf(k);
      const next = this.startOf(k + 1);
      const ends: number[] = [];
      let day = start;
      this.weeks.forEach((w, i) => {
        day += w * 7;
        ends.push(i === this.weeks.length - 1 ? next - 1 : day - 1);
      });
      y = { start, ends, label: civilOf(start + 182).year };
      this.years.set(k, y);
    }
    return y;
  }

  private yearOf(day: number): number {
    // 146,097 days in 400 Gregorian years: a first guess at the year, corrected below.
    let k = Math.floor(((day - this.yearStart) * 400) / 146_097);
    while (this.year(k).start > day) {
      k--;
    }
    while (this.year(k + 1).start <= day) {
      k++;
    }
    return k;
  }

  indexOf(day: number): number {
    const k = this.yearOf(day);
    const ends = this.year(k).ends;
    let p = 0;
    while ((ends[p] ?? day) < day) {
      p++;
    }
    return k * this.weeks.length + p;
  }

  end(index: number): number {
    const n = this.weeks.length;
    const k = Math.floor(index / n);
    return this.year(k).ends[index - k * n] ?? this.year(k).start;
  }

  key(index: number): string {
    const n = this.weeks.length;
    const k = Math.floor(index / n);
    return `FY${String(this.year(k).label)}-P${String(index - k * n + 1).padStart(2, '0')}`;
  }
}

/** The period grid of a fiscal calendar; week calendars need the first day of one fiscal year. */
export function periodGrid(calendar: FiscalCalendar, yearStart: number | undefined): PeriodGrid {
  return calendar === 'calendar' || yearStart === undefined
    ? CALENDAR_GRID
    : new FiscalGrid(calendar, yearStart);
}

/** A period of a grid: its key and its first and last days (ISO dates). */
export interface PeriodRange {
  readonly key: string;
  readonly from: string;
  readonly to: string;
}

/** The period of a grid a day falls in. */
export function periodOfDay(grid: PeriodGrid, day: number): PeriodRange {
  return rangeOf(grid, grid.indexOf(day));
}

/**
 * The period a grid names by `key` ('YYYY-MM' for calendar months, 'FY2027-P01' for fiscal periods), or undefined
 * when the grid names no period so (a month key on a fiscal grid, P13 on a 12-period year, a malformed key).
 */
export function periodOfKey(grid: PeriodGrid, key: string): PeriodRange | undefined {
  const m = /^FY(\d{4})-P\d{2}$/.exec(key) ?? /^(\d{4})-\d{2}$/.exec(key);
  if (!m) return undefined;
  // The period named is within a year and a month of the middle of the year it is labelled with.
  const guess = grid.indexOf(epochDayOf(Number.parseInt(m[1], 10), 7, 1));
  for (let d = 0; d <= 30; d++)
    for (const i of d === 0 ? [guess] : [guess - d, guess + d])
      if (grid.key(i) === key) return rangeOf(grid, i);
  return undefined;
}

function rangeOf(grid: PeriodGrid, index: number): PeriodRange {
  return {
    key: grid.key(index),
    from: fromEpochDay(grid.end(index - 1) + 1),
    to: fromEpochDay(grid.end(index)),
  };
}
