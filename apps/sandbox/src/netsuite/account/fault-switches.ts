import { Injectable } from '@nestjs/common';
import { SandboxProfileConfig } from '../../profile/sandbox-profile.config';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';

/** The bad days a real account has, switched on for tests. Rates are probabilities from 0 to 1. */
export interface Faults {
  /** Added to every request while it holds its concurrency slot. */
  latencyMs: number;
  /** Share of requests answered 503 UNEXPECTED_ERROR before anything is done. */
  serverErrorRate: number;
  /** Share of requests answered 429 SSS_REQUEST_LIMIT_EXCEEDED regardless of the slots in use. */
  rateLimitRate: number;
  /** Share of successful writes whose record is saved and whose response never arrives. */
  timeoutAfterSaveRate: number;
  /** How long such a response hangs before the socket is destroyed (0: at once). */
  timeoutAfterSaveMs: number;
  /** Seed of the fault dice, so a run can be repeated. */
  seed: number;
}

export const NO_FAULTS: Faults = {
  latencyMs: 0,
  serverErrorRate: 0,
  rateLimitRate: 0,
  timeoutAfterSaveRate: 0,
  timeoutAfterSaveMs: 0,
  seed: 1,
};

export interface FaultCounts {
  serverErrors: number;
  rateLimited: number;
  timeoutsAfterSave: number;
}

/**
 * Holds the fault settings and rolls the dice (mulberry32, seeded) for each request. The realistic profile's
 * latency is the baseline every reset returns to; an admin may still switch it for a test.
 */
@Injectable()
export class FaultSwitches {
  private readonly baseline: Faults;
  private faults: Faults;
  private state = NO_FAULTS.seed;
  private counts: FaultCounts = { serverErrors: 0, rateLimited: 0, timeoutsAfterSave: 0 };

  constructor(config: NetSuiteSandboxConfig, profile: SandboxProfileConfig) {
    this.baseline = { ...NO_FAULTS, latencyMs: profile.realistic ? config.SANDBOX_NETSUITE_LATENCY_MS : 0 };
    this.faults = { ...this.baseline };
  }

  current(): Faults {
    return { ...this.faults };
  }

  set(faults: Partial<Faults>): Faults {
    this.faults = { ...this.faults, ...faults };
    if (faults.seed !== undefined) this.state = faults.seed;
    return this.current();
  }

  reset(): void {
    this.faults = { ...this.baseline };
    this.state = NO_FAULTS.seed;
    this.counts = { serverErrors: 0, rateLimited: 0, timeoutsAfterSave: 0 };
  }

  fired(): FaultCounts {
    return { ...this.counts };
  }

  rollServerError(): boolean {
    return this.roll(this.faults.serverErrorRate, 'serverErrors');
  }

  rollRateLimit(): boolean {
    return this.roll(this.faults.rateLimitRate, 'rateLimited');
  }

  rollTimeoutAfterSave(): boolean {
    return this.roll(this.faults.timeoutAfterSaveRate, 'timeoutsAfterSave');
  }

  private roll(rate: number, counter: keyof FaultCounts): boolean {
    if (rate <= 0) return false;
    const hit = this.next() < rate;
    if (hit) this.counts[counter] += 1;
    return hit;
  }

  private next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
