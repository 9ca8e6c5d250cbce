import { IsBoolean, IsInt, Matches, IsString, Min, MinLength } from 'class-validator';
import { Secret } from '@revline/config';

/** The NetSuite sandbox account's token-based-authentication credentials, with defaults that need no configuration. */
export class NetSuiteSandboxConfig {
  /** The account id as the OAuth realm carries it, compared exactly (`123456_SB1`, not `123456-sb1`). */
  @IsString()
  @MinLength(1)
  SANDBOX_NETSUITE_ACCOUNT = 'SANDBOX';

  @IsString()
  @MinLength(1)
  SANDBOX_NETSUITE_CONSUMER_KEY = 'revline-consumer';

  @Secret({ minLength: 32 })
  @IsString()
  @MinLength(1)
  SANDBOX_NETSUITE_CONSUMER_SECRET = 'revline-consumer-secret';

  @IsString()
  @MinLength(1)
  SANDBOX_NETSUITE_TOKEN_ID = 'revline-token';

  @Secret({ minLength: 32 })
  @IsString()
  @MinLength(1)
  SANDBOX_NETSUITE_TOKEN_SECRET = 'revline-token-secret';

  /** Requests the account runs at once before answering 429 SSS_REQUEST_LIMIT_EXCEEDED. */
  @IsInt()
  @Min(1)
  SANDBOX_NETSUITE_CONCURRENCY_LIMIT = 5;

  /**
   * Threads Integration Governance allocates to Revline's integration record, at most the account's limit; 0 (the
   * default) allocates none, and the integration shares the account's unallocated threads.
   */
  @IsInt()
  @Min(0)
  SANDBOX_NETSUITE_INTEGRATION_CONCURRENCY_LIMIT = 0;

  /**
   * Whether the integration role is an administrator: NetSuite answers `governanceLimits` only to administrators,
   * and refuses other roles with 403 INSUFFICIENT_PERMISSION.
   */
  @IsBoolean()
  SANDBOX_NETSUITE_ADMINISTRATOR_ROLE = true;

  /**
   * Permissions (SDF permkeys, comma-separated: `TRAN_JOURNAL`) the integration role is deployed without: the role's
   * others come from its definition in `vendor/netsuite`.
   */
  @Matches(/^([\w[\]=]+(,[\w[\]=]+)*)?$/, { message: 'must be SDF permission keys separated by commas' })
  SANDBOX_NETSUITE_ROLE_WITHOUT = '';

  /**
   * Under the realistic profile, how long each request holds its concurrency slot before it is answered (NetSuite
   * REST record requests take roughly half a second to a second).
   */
  @IsInt()
  @Min(0)
  SANDBOX_NETSUITE_LATENCY_MS = 600;

  /** How far an oauth_timestamp may be from the sandbox's clock, in seconds. */
  @IsInt()
  @Min(1)
  SANDBOX_NETSUITE_TIMESTAMP_TOLERANCE_S = 300;
}
