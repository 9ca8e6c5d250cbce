import type { ProductionChecked } from '@revline/config';
import { sandboxCredentialsAt, Secret } from '@revline/config';
import { IsIn, IsInt, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';

const ACCOUNT_ID = /^[A-Za-z0-9]+([_-][A-Za-z0-9]+)?$/;

/** The OAuth realm of an account: its id in capitals, a sandbox's suffix after an underscore (`123456_SB1`). */
export function netsuiteRealm(account: string): string {
  return account.toUpperCase().replace('-', '_');
}

/** The account's label in its URL hosts: lower case, the suffix after a hyphen (`123456-sb1`). */
export function netsuiteHostLabel(account: string): string {
  return account.toLowerCase().replace('_', '-');
}

/**
 * A NetSuite host (`*.netsuite.com`) must be the account's own: `123456-sb1.suitetalk.api.netsuite.com` for
 * `123456_SB1`. Any other host (the local sandbox) is taken as given.
 */
function BelongsToAccount(): PropertyDecorator {
  return ValidateBy({
    name: 'belongsToAccount',
    validator: {
      validate: (value: unknown, args) => {
        const account = (args?.object as { NETSUITE_ACCOUNT?: unknown } | undefined)?.NETSUITE_ACCOUNT;
        if (typeof value !== 'string' || typeof account !== 'string') return false;
        let host: string;
        try {
          host = new URL(value).hostname.toLowerCase();
        } catch {
          return false;
        }
        if (!host.endsWith('.netsuite.com')) return true;
        return host.split('.')[0] === netsuiteHostLabel(account);
      },
      defaultMessage: (args) => {
        const account = String((args?.object as { NETSUITE_ACCOUNT?: unknown }).NETSUITE_ACCOUNT);
        return `must be the origin of account ${account}: https://${netsuiteHostLabel(account)}.suitetalk.api.netsuite.com`;
      },
    },
  });
}

/**
 * The NetSuite connection: the account's SuiteTalk REST URL, its token-based-authentication credentials and how
 * hard Revline may push it. The defaults point at the local sandbox, so `npm start` needs none.
 */
export class NetSuiteConfig implements ProductionChecked {
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?$/, { message: 'must be an http(s) origin without a path' })
  @BelongsToAccount()
  NETSUITE_BASE_URL = 'http://127.0.0.1:4030';

  /**
   * The account id, in either spelling (`123456_SB1` or `123456-sb1`). The OAuth realm is derived from it in its
   * case-sensitive form (`123456_SB1`), and a NetSuite host in NETSUITE_BASE_URL must carry its URL form.
   */
  @Matches(ACCOUNT_ID, { message: 'must be a NetSuite account id such as 123456 or 123456_SB1' })
  NETSUITE_ACCOUNT = 'SANDBOX';

  @IsString()
  @MinLength(1)
  NETSUITE_CONSUMER_KEY = 'revline-consumer';

  @Secret({ minLength: 32 })
  @IsString()
  @MinLength(1)
  NETSUITE_CONSUMER_SECRET = 'revline-consumer-secret';

  @IsString()
  @MinLength(1)
  NETSUITE_TOKEN_ID = 'revline-token';

  @Secret({ minLength: 32 })
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

  /**
   * How invoice and credit memo tax is posted. REST web services support no legacy tax fields, so:
   * `suitetax` (accounts with SuiteTax) sends each line's tax as a Tax Details line with the override checked;
   * `tax_item` (accounts without SuiteTax) adds one line per document to NETSUITE_TAX_ITEM_EXTERNAL_ID, an
   * other-charge item whose income account is the sales tax payable.
   */
  @IsIn(['suitetax', 'tax_item'])
  NETSUITE_TAX_MODE: 'suitetax' | 'tax_item' = 'suitetax';

  /** SuiteTax: the tax type and tax code (internal ids) the tax details lines carry. */
  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_TAX_TYPE_ID = '1';

  @Matches(/^\d+$/, { message: 'must be a NetSuite internal id' })
  NETSUITE_TAX_CODE_ID = '1';

  /** Without SuiteTax: the external id of the other-charge item tax is charged through. */
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'must be an external id (letters, digits, _ and -)' })
  NETSUITE_TAX_ITEM_EXTERNAL_ID = 'ITEM-SALES-TAX';

  /** Revline subsidiary codes and their NetSuite internal ids: `US=1,UK=2`. A numeric code is an id already. */
  @Matches(/^([A-Za-z0-9_-]+=\d+)(,[A-Za-z0-9_-]+=\d+)*$/, {
    message: 'must be CODE=id pairs separated by commas',
  })
  NETSUITE_SUBSIDIARY_IDS = 'US=1,UK=2,DE=3';

  /** Outside development: the sandbox's account and token are not sent to NetSuite itself. */
  productionProblems(): string[] {
    const host = new URL(this.NETSUITE_BASE_URL).hostname;
    const target = {
      variable: 'NETSUITE_BASE_URL',
      host,
      vendor: 'NetSuite',
      realHost: /(^|\.)netsuite\.com$/,
    };
    return sandboxCredentialsAt(this, target, [
      'NETSUITE_ACCOUNT',
      'NETSUITE_CONSUMER_KEY',
      'NETSUITE_CONSUMER_SECRET',
      'NETSUITE_TOKEN_ID',
      'NETSUITE_TOKEN_SECRET',
    ]);
  }
}
