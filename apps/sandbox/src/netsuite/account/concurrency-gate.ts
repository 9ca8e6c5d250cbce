import { Injectable } from '@nestjs/common';
import { requestLimitExceeded } from '../errors/netsuite-error';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';

export interface ConcurrencyStats {
  limit: number;
  /** Threads Integration Governance allocates to Revline's integration record; unset, it shares the account's. */
  integrationLimit?: number;
  inFlight: number;
  /** The most requests that ran at once since the last reset. */
  maxInFlight: number;
  accepted: number;
  /** Requests refused with 429 SSS_REQUEST_LIMIT_EXCEEDED because the account was full. */
  refused: number;
}

/** What `GET /services/rest/system/v1/governanceLimits` answers, as NetSuite documents it. */
export interface GovernanceLimits {
  accountConcurrencyLimit: number;
  accountUnallocatedConcurrencyLimit: number;
  integrationConcurrencyLimit?: number;
  integrationLimitType: 'integrationSpecific' | 'accountLimit';
}

/**
 * NetSuite's account-wide concurrency limit: one more request than the limit is refused, not queued. Revline is the
 * account's only integration here, so an integration-specific allocation, when set, is the limit its requests meet.
 */
@Injectable()
export class ConcurrencyGate {
  private limit: number;
  private integrationLimit: number | undefined;
  private inFlight = 0;
  private maxInFlight = 0;
  private accepted = 0;
  private refused = 0;

  constructor(config: NetSuiteSandboxConfig) {
    this.limit = config.SANDBOX_NETSUITE_CONCURRENCY_LIMIT;
    this.integrationLimit = config.SANDBOX_NETSUITE_INTEGRATION_CONCURRENCY_LIMIT || undefined;
  }

  /** Takes a slot or throws 429; the returned function gives it back (once). */
  enter(): () => void {
    const limit = this.integrationLimit ?? this.limit;
    if (this.inFlight >= limit) {
      this.refused += 1;
      throw requestLimitExceeded(limit);
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

  /** The account's limit and, when given, the integration's allocation (`null` gives the allocation back). */
  setLimit(limit: number, integrationLimit?: number | null): void {
    this.limit = limit;
    if (integrationLimit !== undefined) this.integrationLimit = integrationLimit ?? undefined;
  }

  governance(): GovernanceLimits {
    const allocated = this.integrationLimit;
    return allocated === undefined
      ? {
          accountConcurrencyLimit: this.limit,
          accountUnallocatedConcurrencyLimit: this.limit,
          integrationLimitType: 'accountLimit',
        }
      : {
          accountConcurrencyLimit: this.limit,
          accountUnallocatedConcurrencyLimit: Math.max(0, this.limit - allocated),
          integrationConcurrencyLimit: allocated,
          integrationLimitType: 'integrationSpecific',
        };
  }

  stats(): ConcurrencyStats {
    return {
      limit: this.limit,
      ...(this.integrationLimit === undefined ? {} : { integrationLimit: this.integrationLimit }),
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
