import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import type { ProductionChecked } from '@revline/config';
import { sandboxCredentialsAt, Secret } from '@revline/config';

/** How system-salesforce reaches its org; the defaults are the sandbox's. */
export class SalesforceConfig implements ProductionChecked {
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL' })
  SALESFORCE_LOGIN_URL = 'http://127.0.0.1:4010';

  @Matches(/^\d{2}\.0$/, { message: 'must be an API version like 60.0' })
  SALESFORCE_API_VERSION = '60.0';

  @IsIn(['password', 'client_credentials', 'jwt'])
  SALESFORCE_AUTH_FLOW = 'password';

  @IsString()
  @MinLength(1)
  SALESFORCE_CLIENT_ID = 'revline-sandbox';

  @Secret({ minLength: 32 })
  @ValidateIf((c: SalesforceConfig) => c.SALESFORCE_AUTH_FLOW !== 'jwt')
  @IsString()
  @MinLength(1)
  SALESFORCE_CLIENT_SECRET = 'revline-sandbox-secret';

  @ValidateIf((c: SalesforceConfig) => c.SALESFORCE_AUTH_FLOW !== 'client_credentials')
  @IsString()
  @MinLength(1)
  SALESFORCE_USERNAME = 'admin@revline.sandbox';

  @Secret({ minLength: 8 })
  @ValidateIf((c: SalesforceConfig) => c.SALESFORCE_AUTH_FLOW === 'password')
  @IsString()
  @MinLength(1)
  SALESFORCE_PASSWORD = 'sandbox';

  /** PEM private key (`\n` escapes allowed) signing JWT bearer assertions. */
  @Secret({ minLength: 64 })
  @ValidateIf((c: SalesforceConfig) => c.SALESFORCE_AUTH_FLOW === 'jwt')
  @IsString()
  @MinLength(64, { message: 'must be a PEM private key' })
  SALESFORCE_JWT_PRIVATE_KEY?: string = undefined;

  /** The client name sent in Sforce-Call-Options, which Salesforce records as each change's changeOrigin. */
  @Matches(/^[A-Za-z0-9_]{1,40}$/, { message: 'must be 1-40 letters, digits or underscores' })
  SALESFORCE_CLIENT_NAME = 'RevlineSystemSalesforce';

  /** Changes committed by this user are Revline's own (optional: the sandbox's admin is also sales). */
  @IsOptional()
  @Matches(/^005[a-zA-Z0-9]{15}$/, { message: 'must be an 18-character User id' })
  SALESFORCE_INTEGRATION_USER_ID?: string = undefined;

  /** Concurrent API calls per org, across every replica (a Redis semaphore on the app's Redis). */
  @IsInt()
  @Min(1)
  @Max(25)
  SALESFORCE_MAX_CONCURRENCY = 8;

  /** How long a call waits for one of the org's slots before it fails as transient (and is retried later). */
  @IsInt()
  @Min(100)
  SALESFORCE_SLOT_WAIT_MS = 30_000;

  /** Share of the org's daily API limit at which calls start to back off. */
  @IsNumber()
  @Min(0.1)
  @Max(1)
  SALESFORCE_API_BUDGET = 0.9;

  /**
   * Write-backs are batched across contracts: a batch goes out this long after its first write-back joined it (at
   * most one second), or at once when it holds SALESFORCE_WRITE_BACK_BATCH_MAX.
   */
  @IsInt()
  @Min(0)
  @Max(1_000)
  SALESFORCE_WRITE_BACK_BATCH_MS = 1_000;

  /** Write-backs in one batch: at most 200, sObject Collections' limit of records in one call. */
  @IsInt()
  @Min(1)
  @Max(200)
  SALESFORCE_WRITE_BACK_BATCH_MAX = 200;

  @IsBoolean()
  SALESFORCE_CAPTURE_ENABLED = true;

  @IsString()
  @Matches(/^\/data\/\w+$/, { message: 'must be a CDC channel like /data/OrderChangeEvent' })
  SALESFORCE_CDC_CHANNEL = '/data/OrderChangeEvent';

  @IsInt()
  @Min(50)
  SALESFORCE_POLL_INTERVAL_MS = 30_000;

  /** How far back the poller starts on its very first run. */
  @IsInt()
  @Min(0)
  SALESFORCE_POLL_LOOKBACK_HOURS = 1;

  /** Changes this close to the newest seen are read again next poll, to catch late commits in the same second. */
  @IsInt()
  @Min(0)
  SALESFORCE_POLL_OVERLAP_MS = 2_000;

  /** Outside development: the sandbox's connected app and user are not sent to Salesforce itself. */
  productionProblems(): string[] {
    const host = new URL(this.SALESFORCE_LOGIN_URL).hostname;
    const target = {
      variable: 'SALESFORCE_LOGIN_URL',
      host,
      vendor: 'Salesforce',
      realHost: /(^|\.)(salesforce|force)\.com$/,
    };
    return sandboxCredentialsAt(this, target, [
      'SALESFORCE_CLIENT_ID',
      'SALESFORCE_CLIENT_SECRET',
      'SALESFORCE_USERNAME',
      'SALESFORCE_PASSWORD',
    ]);
  }
}
