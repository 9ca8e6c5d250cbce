import { Injectable } from '@nestjs/common';
import { SandboxProfileConfig } from '../profile/sandbox-profile.config';
import { SandboxClock } from './org/clock';
import { SalesforceSandboxConfig } from './sandbox-config';

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
  /** The org's API request allocation over a rolling 24 hours, as Sforce-Limit-Info reports it. */
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

const HOUR_MS = 3_600_000;
/** Salesforce counts API requests over the last 24 hours, not per calendar day. */
const WINDOW_HOURS = 24;

@Injectable()
export class FaultSwitches {
  /** What a reset returns to: the realistic profile's allocation, or an allocation no test reaches. */
  private readonly defaults: FaultSettings;
  settings: FaultSettings;
  /** REST calls counted per hour of the org clock, so the allocation rolls over as the window moves on. */
  private readonly callsByHour = new Map<number, number>();
  /** REST calls being answered now, and the most at once since the last reset: what a client's limit allowed. */
  inFlight = 0;
  maxInFlight = 0;
  /** REST calls since the last stats reset, by resource (`sobjects`, `query`, `composite`, `composite/sobjects`…). */
  readonly requests = new Map<string, number>();
  /** REST calls refused REQUEST_LIMIT_EXCEEDED (the allocation spent) since the last stats reset. */
  refused = 0;
  private random = mulberry32(1);

  constructor(
    private readonly clock: SandboxClock,
    config: SalesforceSandboxConfig,
    profile: SandboxProfileConfig,
  ) {
    this.defaults = {
      ...DEFAULT_FAULTS,
      apiLimit: profile.realistic ? config.SANDBOX_SF_DAILY_API_REQUESTS : DEFAULT_FAULTS.apiLimit,
    };
    this.settings = { ...this.defaults };
  }

  /** REST calls counted in the last 24 hours of the org clock. */
  get apiUsage(): number {
    const oldest = this.hour() - WINDOW_HOURS;
    let used = 0;
    for (const [hour, calls] of this.callsByHour) {
      if (hour <= oldest) this.callsByHour.delete(hour);
      else used += calls;
    }
    return used;
  }

  /** An admin's override: the window holds this many calls, all made now. */
  set apiUsage(calls: number) {
    this.callsByHour.clear();
    if (calls > 0) this.callsByHour.set(this.hour(), calls);
  }

  /** Counts one REST call against the allocation (and under its resource); answers the usage including it. */
  countCall(resource = 'other'): number {
    this.requests.set(resource, (this.requests.get(resource) ?? 0) + 1);
    const hour = this.hour();
    this.callsByHour.set(hour, (this.callsByHour.get(hour) ?? 0) + 1);
    return this.apiUsage;
  }

  update(changes: Partial<FaultSettings>, seed?: number): FaultSettings {
    this.settings = { ...this.settings, ...changes };
    if (seed !== undefined) this.random = mulberry32(seed);
    return this.settings;
  }

  reset(): void {
    this.settings = { ...this.defaults };
    this.apiUsage = 0;
    this.maxInFlight = this.inFlight;
    this.requests.clear();
    this.refused = 0;
    this.random = mulberry32(1);
  }

  roll(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }

  private hour(): number {
    return Math.floor(this.clock.now().getTime() / HOUR_MS);
  }
}
