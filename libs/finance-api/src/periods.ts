/** A month as YYYY-MM. */
export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
export const PERIOD_PROBLEM = 'must be a month as YYYY-MM, e.g. 2026-01';
/** A day as YYYY-MM-DD. */
export const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
