import type { Interval } from '../state/types';

const DAY = 86_400;

/**
 * Adds `count` intervals to a Unix time the way Stripe bills: months and years keep the anchor's day of month
 * and time of day, clamped to the month's last day (Jan 31 → Feb 28 → Mar 31); days and weeks are exact.
 */
export function addInterval(anchor: number, interval: Interval, count: number): number {
  switch (interval) {
    case 'day':
      return anchor + count * DAY;
    case 'week':
      return anchor + count * 7 * DAY;
    case 'month':
    case 'year': {
      const months = interval === 'year' ? count * 12 : count;
      const date = new Date(anchor * 1000);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth() + months;
      const targetYear = year + Math.floor(month / 12);
      const targetMonth = ((month % 12) + 12) % 12;
      const lastDay = new Date(Date.UTC(targetYear, targetMonth + 1, 0)).getUTCDate();
      const day = Math.min(date.getUTCDate(), lastDay);
      return (
        Date.UTC(
          targetYear,
          targetMonth,
          day,
          date.getUTCHours(),
          date.getUTCMinutes(),
          date.getUTCSeconds(),
        ) / 1000
      );
    }
  }
}

/** The billing period that contains `at`, for a cycle anchored at `anchor`. */
export function periodContaining(
  anchor: number,
  interval: Interval,
  intervalCount: number,
  at: number,
): { start: number; end: number } {
  if (at < anchor) {
    let n = -1;
    while (addInterval(anchor, interval, n * intervalCount) > at) n -= 1;
    return {
      start: addInterval(anchor, interval, n * intervalCount),
      end: addInterval(anchor, interval, (n + 1) * intervalCount),
    };
  }
  let n = 0;
  while (addInterval(anchor, interval, (n + 1) * intervalCount) <= at) n += 1;
  return {
    start: addInterval(anchor, interval, n * intervalCount),
    end: addInterval(anchor, interval, (n + 1) * intervalCount),
  };
}

export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** Stripe's proration descriptions say "after 15 Mar 2026". */
export function stripeDate(seconds: number): string {
  const date = new Date(seconds * 1000);
  const month = date.toLocaleString('en-GB', { month: 'short', timeZone: 'UTC' });
  return `${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
}
