export const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;

export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}

/** First and last day of a YYYY-MM period. */
export function periodBounds(period: string): { from: string; to: string } {
  const year = Number(period.slice(0, 4));
  const month = Number(period.slice(5, 7));
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: `${period}-01`, to: `${period}-${String(last).padStart(2, '0')}` };
}
