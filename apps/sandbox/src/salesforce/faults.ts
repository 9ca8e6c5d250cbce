import { Injectable } from '@nestjs/common';

/** What an admin can switch on to make the org have a bad day. Rates are probabilities from 0 to 1. */
export interface FaultSettings {
  /** Added to every REST answer, in milliseconds. */
  latencyMs: number;
  /** Share of REST calls answered 503 SERVER_UNAVAILABLE. */
  errorRate: number;
  /** Share of change events retained (replayable) but not delivered to live subscribers. */
  dropRate: number;
  /** Share of change events delivered twice. */
  duplicateRate: number;
  /** Share of record changes published as a gap event (header only) instead of a change event. */
  gapRate: number;
  /** The next transaction's changes beyond `overflowAfter` become GAP_OVERFLOW events (one per object). */
  forceGapOverflow: boolean;
  overflowAfter: number;
  /** The org's daily API request limit, as Sforce-Limit-Info reports it. */
  apiLimit: number;
}

export const DEFAULT_FAULTS: FaultSettings = {
  latencyMs: 0,
  errorRate: 0,
  dropRate: 0,
  duplicateRate: 0,
  gapRate: 0,
  forceGapOverflow: false,
  overflowAfter: 0,
  apiLimit: 1_000_000,
};

/** A small seeded generator, so a test that switches faults on sees the same bad day every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

@Injectable()
export class FaultSwitches {
  settings: FaultSettings = { ...DEFAULT_FAULTS };
  apiUsage = 0;
  /** REST calls being answered now, and the most at once since the last reset: what a client's limit allowed. */
  inFlight = 0;
  maxInFlight = 0;
  private random = mulberry32(1);

  update(changes: Partial<FaultSettings>, seed?: number): FaultSettings {
    this.settings = { ...this.settings, ...changes };
    if (seed !== undefined) this.random = mulberry32(seed);
    return this.settings;
  }

  reset(): void {
    this.settings = { ...DEFAULT_FAULTS };
    this.apiUsage = 0;
    this.maxInFlight = this.inFlight;
    this.random = mulberry32(1);
  }

  roll(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}
