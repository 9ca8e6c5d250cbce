export { PERIOD, periodBounds } from '@revline/finance-api';

export function currentPeriod(now = new Date()): string {
  return now.toISOString().slice(0, 7);
}
