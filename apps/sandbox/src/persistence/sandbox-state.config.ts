import { IsIn, IsInt, IsString, Min } from 'class-validator';

/** Where the sandbox keeps each vendor's state across restarts, and what it seeds at start. */
export class SandboxStateConfig {
  /**
   * A directory holding one state file per vendor (`salesforce.state`, `stripe.state`, `netsuite.state`): loaded
   * at start, written soon after each change and at shutdown. Empty: the vendors keep their state in memory only,
   * and a restart starts them empty.
   */
  @IsString()
  SANDBOX_STATE_DIR = '';

  /** How soon after a change the state file is rewritten. */
  @IsInt()
  @Min(10)
  SANDBOX_STATE_SAVE_MS = 250;

  /**
   * `default`: at start, the vendors hold the Stripe prices and NetSuite items that Revline's default mapping
   * names (created once; a restart finds them and creates nothing). `off`: the vendors start empty.
   */
  @IsIn(['off', 'default'])
  SANDBOX_SEED_CATALOGUE: 'off' | 'default' = 'off';
}
