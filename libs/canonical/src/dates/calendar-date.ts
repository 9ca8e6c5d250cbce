/**
 * Plain calendar dates ('YYYY-MM-DD', no time, no zone) and months ('YYYY-MM'), with an
 * integer "epoch day" (days since 1970-01-01) for arithmetic. Proleptic Gregorian calendar.
 */
export type IsoDate = string;
export type IsoMonth = string;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MONTH_PATTERN = /^\d{4}-\d{2}$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in a month; month is 1..12. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) {
    return 29;
  }
  return MONTH_DAYS[month - 1] ?? 0;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
export function epochDayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Inverse of epochDayOf (civil_from_days). */
export function civilOf(epochDay: number): CivilDate {
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isIsoDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) {
    return false;
  }
  const year = Number.parseInt(value.slice(0, 4), 10);
  const month = Number.parseInt(value.slice(5, 7), 10);
  const day = Number.parseInt(value.slice(8, 10), 10);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Epoch day of an ISO date; throws RangeError when the text is not a real calendar date. */
export function toEpochDay(date: IsoDate): number {
  if (!isIsoDate(date)) {
    throw new RangeError(`'${date}' is not a calendar date (YYYY-MM-DD)`);
  }
  return epochDayOf(
    Number.parseInt(date.slice(0, 4), 10),
    Number.parseInt(date.slice(5, 7), 10),
    Number.parseInt(date.slice(8, 10), 10),
  );
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function fromEpochDay(epochDay: number): IsoDate {
  const c = civilOf(epochDay);
  return `${pad(c.year, 4)}-${pad(c.month, 2)}-${pad(c.day, 2)}`;
}

/** Days from a to b (b − a); a date to itself is 0. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** Days in an inclusive term: 2026-01-01..2026-12-31 is 365. */
export function inclusiveDays(start: IsoDate, end: IsoDate): number {
  return toEpochDay(end) - toEpochDay(start) + 1;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/**
 * Adds calendar months, clamping to the month's last day (2026-01-31 + 1 month = 2026-02-28).
 * Anchored: always count from the original date, never chain clamped results.
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const c = civilOf(toEpochDay(date));
  return fromEpochDay(addMonthsToEpochDay(c, months));
}

export function addMonthsToEpochDay(c: CivilDate, months: number): number {
  const index = c.year * 12 + (c.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return epochDayOf(year, month, Math.min(c.day, daysInMonth(year, month)));
}

/** 'YYYY-MM' of a date. */
export function monthOf(date: IsoDate): IsoMonth {
  if (!isIsoDate(date)) {
    throw new RangeError(`'${date}' is not a calendar date (YYYY-MM-DD)`);
  }
  return date.slice(0, 7);
}

export function isIsoMonth(value: string): boolean {
  if (!MONTH_PATTERN.test(value)) {
    return false;
  }
  const month = Number.parseInt(value.slice(5, 7), 10);
  return month >= 1 && month <= 12;
}

/** Month index (year × 12 + month − 1), handy for arithmetic on months. */
export function monthIndexOfEpochDay(epochDay: number): number {
  const c = civilOf(epochDay);
  return c.year * 12 + c.month - 1;
}

export function monthKeyOfIndex(index: number): IsoMonth {
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1, 2)}`;
}

/** Epoch day of the first day of month `index`. */
export function monthStartOfIndex(index: number): number {
  return epochDayOf(Math.floor(index / 12), (index % 12) + 1, 1);
}

/** Epoch day of the last day of month `index`. */
export function monthEndOfIndex(index: number): number {
  return monthStartOfIndex(index + 1) - 1;
}

/** Every month touched by start..end inclusive, in order: ['2026-03', ..., '2026-12']. */
export function monthsBetween(start: IsoDate, end: IsoDate): IsoMonth[] {
  const first = monthIndexOfEpochDay(toEpochDay(start));
  const last = monthIndexOfEpochDay(toEpochDay(end));
  const result: IsoMonth[] = [];
  for (let i = first; i <= last; i++) {
    result.push(monthKeyOfIndex(i));
  }
  return result;
}

export function lastDayOfMonth(month: IsoMonth): IsoDate {
  if (!isIsoMonth(month)) {
    throw new RangeError(`'${month}' is not a month (YYYY-MM)`);
  }
  const year = Number.parseInt(month.slice(0, 4), 10);
  const m = Number.parseInt(month.slice(5, 7), 10);
  return `${month}-${pad(daysInMonth(year, m), 2)}`;
}

/**
 * Whole calendar months from start, then the leftover days: 2026-03-15..2026-12-31 is 9 months
 * (to 2026-12-14) and 17 days. `leftoverMonthDays` is the length of the month-long period the
 * leftover days fall in (from the anchor date to one month later).
 */
export function wholeMonthsAndDays(
  start: IsoDate,
  endInclusive: IsoDate,
): { months: number; days: number; leftoverMonthDays: number } {
  return wholeMonthsAndDaysOfEpochDays(toEpochDay(start), toEpochDay(endInclusive));
}

/** wholeMonthsAndDays on epoch days (start and inclusive end). */
export function wholeMonthsAndDaysOfEpochDays(
  startDay: number,
  endInclusiveDay: number,
): { months: number; days: number; leftoverMonthDays: number } {
  const s = civilOf(startDay);
  const e = civilOf(endInclusiveDay + 1);
  const endExclusive = endInclusiveDay + 1;
  let months = Math.max(0, (e.year - s.year) * 12 + (e.month - s.month));
  while (months > 0 && addMonthsToEpochDay(s, months) > endExclusive) {
    months--;
  }
  while (addMonthsToEpochDay(s, months + 1) <= endExclusive) {
    months++;
  }
  const anchor = addMonthsToEpochDay(s, months);
  return {
    months,
    days: endExclusive - anchor,
    leftoverMonthDays: addMonthsToEpochDay(s, months + 1) - anchor,
  };
}
