import { IsInt, IsOptional, IsString, Matches, Min, MinLength } from 'class-validator';
import { Secret } from '@revline/config';

/** The Salesforce sandbox's own credentials and behaviour (defaults that need no configuration), overridable by environment. */
export class SalesforceSandboxConfig {
  @IsString()
  @MinLength(1)
  SANDBOX_SF_CLIENT_ID = 'revline-sandbox';

  @Secret({ minLength: 32 })
  @IsString()
  @MinLength(1)
  SANDBOX_SF_CLIENT_SECRET = 'revline-sandbox-secret';

  @IsString()
  @MinLength(1)
  SANDBOX_SF_USERNAME = 'admin@revline.sandbox';

  @Secret({ minLength: 8 })
  @IsString()
  @MinLength(1)
  SANDBOX_SF_PASSWORD = 'sandbox';

  /** How long an access token lives, in seconds (Salesforce's default session timeout is 2 hours). */
  @IsInt()
  @Min(1)
  SANDBOX_SF_SESSION_SECONDS = 7200;

  /** How long the CometD server holds a long poll open, in seconds. */
  @IsInt()
  @Min(1)
  SANDBOX_SF_COMETD_TIMEOUT_SECONDS = 25;

  /** Records per page of a query answer before `nextRecordsUrl` (Salesforce: 2,000). */
  @IsInt()
  @Min(1)
  SANDBOX_SF_QUERY_BATCH_SIZE = 2000;

  /**
   * Under the realistic profile, the org's API request allocation over a rolling 24 hours: an Enterprise org's
   * 100,000 plus 1,000 per Salesforce licence, here for 50 licences. Past it, calls are refused with
   * REQUEST_LIMIT_EXCEEDED.
   */
  @IsInt()
  @Min(1)
  SANDBOX_SF_DAILY_API_REQUESTS = 150_000;

  /**
   * Custom fields the org starts without, as `Object.Field` names separated by commas (`Order.Revline_ERP_Id__c`):
   * absent from describe and unknown to every call, as in an org where the field was never deployed.
   */
  @Matches(/^(\w+\.\w+(,\w+\.\w+)*)?$/, { message: 'must be Object.Field names separated by commas' })
  SANDBOX_SF_ABSENT_FIELDS = '';

  /** The connected app's certificate (PEM, `\n` escapes allowed) that checks JWT bearer assertions; unset: no JWT flow. */
  @IsOptional()
  @IsString()
  SANDBOX_SF_JWT_PUBLIC_KEY?: string = undefined;
}
