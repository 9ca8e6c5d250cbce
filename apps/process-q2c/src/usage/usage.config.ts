import { IsIn } from 'class-validator';

/** How POST /v1/usage treats events for a contract it does not know or a product that is not metered. */
export class UsageConfig {
  /**
   * `reject` (the only value for now): such an event is a bad line, named with its reason. `park` (keep the events
   * until the contract's booking, then apply them) is not built yet and refused at start-up rather than ignored.
   */
  @IsIn(['reject'], { message: 'USAGE_UNKNOWN_CONTRACT must be reject (park is not available yet)' })
  USAGE_UNKNOWN_CONTRACT = 'reject' as const;
}
