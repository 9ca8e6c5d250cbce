import { Secret } from '@revline/config';
import { IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';

/**
 * The NetSuite connection: the account's SuiteTalk REST URL, its token-based-authentication credentials and how
 * hard Revline may push it. The defaults point at the local sandbox (DESIGN.md §10), so `npm start` needs none.
 */
export class NetSuiteConfig {
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?$/, { message: 'must be an http(s) origin without a path' })
  NETSUITE_BASE_URL = 'http://127.0.0.1:4030';

  /** The account id, which is also the OAuth realm. */
  @IsString()
  @MinLength(1)
  NETSUITE_ACCOUNT = 'SANDBOX';

  @IsString()
  @MinLength(1)
  NETSUITE_CONSUMER_KEY = 'revline-consumer';

  @Secret()
  @IsString()
  @MinLength(1)
  NETSUITE_CONSUMER_SECRET = 'revline-consumer-secret';

  @IsString()
  @MinLength(1)
  NETSUITE_TOKEN_ID = 'revline-token';

  @Secret()
  @IsString()
  @MinLength(1)
  NETSUITE_TOKEN_SECRET = 'revline-token-secret';

  /** Requests all Revline workers together may run against the account at once (NetSuite's account limit). */
  @IsInt()
  @Min(1)
  @Max(100)
  NETSUITE_CONCURRENCY_LIMIT = 5;

  @IsInt()
  @Min(100)
  NETSUITE_REQUEST_TIMEOUT_MS = 15_000;

  /** How long a request waits for a free slot before it is given up (and its job retried later). */
  @IsInt()
  @Min(100)
  NETSUITE_SLOT_WAIT_MS = 120_000;

  /** How often a 429 is retried in place, with backoff and jitter, before the job is retried instead. */
  @IsInt()
  @Min(0)
  @Max(20)
  NETSUITE_RATE_LIMIT_RETRIES = 6;

  @IsInt()
  @Min(1)
  NETSUITE_RATE_LIMIT_BACKOFF_MS = 250;

  /** The circuit opens when this share of recent requests failed (network, timeout, 5xx)… */
  @IsInt()
  @Min(1)
  @Max(100)
  NETSUITE_BREAKER_ERROR_PERCENT = 50;

  /** …out of at least this many… */
  @IsInt()
  @Min(1)
  NETSUITE_BREAKER_VOLUME = 20;

  /** …and tries again after this long. */
  @IsInt()
  @Min(100)
  NETSUITE_BREAKER_RESET_MS = 10_000;

  /** Internal ids of the GL accounts revenue journals post to. */
  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_DEFERRED_REVENUE_ACCOUNT_ID = '4';

  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_REVENUE_ACCOUNT_ID = '5';

  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_RECEIVABLE_ACCOUNT_ID = '2';

  /**
   * The unbilled receivable (contract asset): revenue recognised ahead of billing, debited by a contract-asset
   * journal instead of driving deferred revenue below zero, and credited back when the invoice comes.
   */
  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_UNBILLED_RECEIVABLE_ACCOUNT_ID = '6';

  /** Revline subsidiary codes and their NetSuite internal ids: `US=1,UK=2`. A numeric code is an id already. */
  @Matches(/^([A-Za-z0-9_-]+=\d+)(,[A-Za-z0-9_-]+=\d+)*$/, {
    message: 'must be CODE=id pairs separated by commas',
  })
  NETSUITE_SUBSIDIARY_IDS = 'US=1,UK=2,DE=3';
}
