import { createHash } from 'node:crypto';

/** The Stripe Idempotency-Key of one step of a command: stable, short (Stripe allows 255), and step-specific. */
export function stripeKey(commandKey: string, step: string): string {
  return `rvl_${createHash('sha256').update(commandKey).digest('hex').slice(0, 40)}_${step}`.slice(0, 255);
}

/** 00:00 UTC of an ISO date, in Unix seconds: the moment a change takes effect. */
export function startOfDay(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`Not an ISO date: ${date}`);
  return ms / 1000;
}

/** The ISO day of a Unix time, remembered per day: an export formats millions of line dates on a few hundred days. */
const days = new Map<number, string>();
export function isoDay(seconds: number): string {
  const day = Math.floor(seconds / 86_400);
  let iso = days.get(day);
  if (iso === undefined) {
    iso = new Date(day * 86_400_000).toISOString().slice(0, 10);
    if (days.size >= 10_000) days.clear();
    days.set(day, iso);
  }
  return iso;
}

/** An amount in minor units as the port carries it: the digits, and the currency upper-cased. */
export function money(amount: number, currency: string): { amountMinor: string; currency: string } {
  return { amountMinor: String(amount), currency: currency.toUpperCase() };
}

/** The id of an expandable Stripe field, whether it came as an id or expanded. */
export function idOf(value: string | { id: string } | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.id;
}
