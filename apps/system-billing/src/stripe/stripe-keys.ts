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

export function isoDay(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}
