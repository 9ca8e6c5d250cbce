/** A month as YYYY-MM. */
export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
export const PERIOD_PROBLEM = 'must be a month as YYYY-MM, e.g. 2026-01';
/**
 * An accounting period of the tenant's fiscal calendar (REVENUE_FISCAL_CALENDAR): a month as YYYY-MM on calendar
 * months, a fiscal period as FYyyyy-Pnn on a 4-4-5, 4-5-4, 5-4-4 or 13-period calendar. process-q2c checks that the
 * period is one of the tenant's calendar.
 */
export const ACCOUNTING_PERIOD = /^(\d{4}-(0[1-9]|1[0-2])|FY\d{4}-P(0[1-9]|1[0-3]))$/;
export const ACCOUNTING_PERIOD_PROBLEM =
  'must be a period of the fiscal calendar: a month as YYYY-MM (e.g. 2026-01), or FYyyyy-Pnn (e.g. FY2026-P01)';
/** A day as YYYY-MM-DD. */
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** First and last day of a YYYY-MM period. */
export function periodBounds(period: string): { from: string; to: string } {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}
