import { IsIn } from 'class-validator';

/** How POST /v1/usage treats events for a contract it does not know. */
export class UsageConfig {
  /**
   * `reject` (default): such an event is a bad line, named with its reason. `park`: it is kept (once per identifier)
   * until the contract's booking completes, then ingested as an upload of its own (`GET /v1/usage/parked` lists what
   * waits). Events of a product that is not metered are bad lines either way.
   */
  @IsIn(['reject', 'park'], { message: 'USAGE_UNKNOWN_CONTRACT must be reject or park' })
  USAGE_UNKNOWN_CONTRACT: 'reject' | 'park' = 'reject';
}
