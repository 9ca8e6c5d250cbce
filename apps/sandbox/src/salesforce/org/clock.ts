import { Injectable } from '@nestjs/common';

/**
 * The org's clock: real time plus an offset an admin route can advance, so a test can age change events past
 * the 72-hour retention window without waiting three days.
 */
@Injectable()
export class SandboxClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): Date {
    this.offsetMs += ms;
    return this.now();
  }

  reset(): void {
    this.offsetMs = 0;
  }

  /** How far the clock was advanced: kept across restarts with the records stamped by it. */
  get offset(): number {
    return this.offsetMs;
  }

  restore(offsetMs: number): void {
    this.offsetMs = offsetMs;
  }
}

/** Salesforce stores record timestamps (SystemModstamp, LastModifiedDate) to the second. */
export function truncateToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

/** Salesforce's REST datetime format: `2026-03-15T10:00:00.000+0000`. */
export function formatDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}
