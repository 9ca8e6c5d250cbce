import { Injectable } from '@nestjs/common';
import { requestLimitExceeded } from '../errors/netsuite-error';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';

export interface ConcurrencyStats {
  limit: number;
  inFlight: number;
  /** The most requests that ran at once since the last reset. */
  maxInFlight: number;
  accepted: number;
  /** Requests refused with 429 SSS_REQUEST_LIMIT_EXCEEDED because the account was full. */
  refused: number;
}

/** NetSuite's account-wide concurrency limit: one more request than the limit is refused, not queued. */
@Injectable()
export class ConcurrencyGate {
  private limit: number;
  private inFlight = 0;
  private maxInFlight = 0;
  private accepted = 0;
  private refused = 0;

  constructor(config: NetSuiteSandboxConfig) {
    this.limit = config.SANDBOX_NETSUITE_CONCURRENCY_LIMIT;
  }

  /** Takes a slot or throws 429; the returned function gives it back (once). */
  enter(): () => void {
    if (this.inFlight >= this.limit) {
      this.refused += 1;
      throw requestLimitExceeded(this.limit);
    }
    this.inFlight += 1;
    this.accepted += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight -= 1;
    };
  }

  setLimit(limit: number): void {
    this.limit = limit;
  }

  stats(): ConcurrencyStats {
    return {
      limit: this.limit,
      inFlight: this.inFlight,
      maxInFlight: this.maxInFlight,
      accepted: this.accepted,
      refused: this.refused,
    };
  }

  resetStats(): void {
    this.maxInFlight = this.inFlight;
    this.accepted = 0;
    this.refused = 0;
  }
}
