// Display helpers: money from minor units with its currency's own exponent, dates, and ages.

const exponents = new Map<string, number>();

function exponentOf(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    exponent =
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/** `1098082` USD → `$10,980.82`; exact for any size, since minor units arrive as integer strings. */
export function formatMoney(amountMinor: string, currency: string): string {
  const exponent = exponentOf(currency);
  const negative = amountMinor.startsWith('-');
  const digits = (negative ? amountMinor.slice(1) : amountMinor).padStart(exponent + 1, '0');
  const decimal = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
  const formatted = new Intl.NumberFormat('en', {
    style: 'currency',
    currency,
    minimumFractionDigits: exponent,
  }).format(decimal as unknown as number);
  return negative ? `-${formatted}` : formatted;
}

/** Minor units as a decimal number, for charts only (never for display or sums). */
export function toMajor(amountMinor: string, currency: string): number {
  return Number(amountMinor) / 10 ** exponentOf(currency);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return (
    new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) +
    ' UTC'
  );
}

export function formatAge(minutes: number): string {
  if (minutes < 60) return `${Math.round(minutes)} min`;
  if (minutes < 60 * 24) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / (60 * 24))} d`;
}

/** YYYY-MM of a date, in UTC. */
export function periodOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

export function previousPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}
