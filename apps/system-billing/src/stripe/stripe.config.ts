import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import type { ProductionChecked } from '@revline/config';
import { sandboxCredentialsAt, Secret } from '@revline/config';

/** How system-billing reaches Stripe; by default the local sandbox. */
export class StripeConfig implements ProductionChecked {
  @Secret({ minLength: 32 })
  @Matches(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, { message: 'must be a Stripe secret or restricted key' })
  STRIPE_SECRET_KEY = 'sk_test_revline_sandbox';

  /** Comma-separated signing secrets; more than one while a secret is being rotated. */
  @Secret({ minLength: 32 })
  @Matches(/^whsec_[A-Za-z0-9_]+(,whsec_[A-Za-z0-9_]+)*$/, {
    message: 'must be one or more whsec_ secrets, comma-separated',
  })
  STRIPE_WEBHOOK_SECRETS = 'whsec_revline_sandbox';

  @IsString()
  STRIPE_HOST = '127.0.0.1';

  @IsInt()
  @Min(1)
  @Max(65535)
  STRIPE_PORT = 4020;

  @IsIn(['http', 'https'])
  STRIPE_PROTOCOL: 'http' | 'https' = 'http';

  @IsInt()
  @Min(100)
  STRIPE_TIMEOUT_MS = 20_000;

  /** Attempts per call on transient errors (429, 5xx, timeouts, resets) before the job itself retries. */
  @IsInt()
  @Min(1)
  @Max(10)
  STRIPE_ATTEMPTS = 4;

  @IsInt()
  @Min(1)
  STRIPE_RETRY_BASE_MS = 200;

  /** The circuit opens when at least this many calls in the rolling 10 s window failed transiently, half or more. */
  @IsInt()
  @Min(1)
  STRIPE_BREAKER_VOLUME_THRESHOLD = 20;

  /** How long an open circuit refuses calls before letting one through to test Stripe again. */
  @IsInt()
  @Min(100)
  STRIPE_BREAKER_RESET_MS = 10_000;

  /**
   * Requests per second to the account across every worker and instance (Stripe's limit is per account). 0 (the
   * default): Stripe's published limit for the key's mode, 100 for an `sk_live_`/`rk_live_` key, 25 in test mode.
   */
  @IsInt()
  @Min(0)
  STRIPE_RATE_LIMIT_PER_SECOND = 0;

  /** Requests per second to one endpoint (one named operation, e.g. `customers.create`); Stripe's default is 25. */
  @IsInt()
  @Min(1)
  STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND = 25;

  /** How long a call waits for a slot under those limits before it fails transiently and its job retries. */
  @IsInt()
  @Min(0)
  STRIPE_RATE_LIMIT_MAX_WAIT_MS = 30_000;

  /** Webhook timestamps older than this are refused (Stripe's default tolerance). */
  @IsInt()
  @Min(1)
  STRIPE_WEBHOOK_TOLERANCE_SECONDS = 300;

  /** How often /v1/events is polled for events whose webhooks never came; 0 turns the poller off. */
  @IsInt()
  @Min(0)
  STRIPE_EVENTS_POLL_MS = 60_000;

  /**
   * How usage reports reach Stripe's meters. `off` (the default): one `/v1/billing/meter_events` request per
   * event, each validated as it is sent, so a refused event refuses its report command at once (billing.rejected).
   * `on`, for accounts with API v2's meter event stream: a meter event session's token (cached until a minute
   * before it expires), then `/v2/billing/meter_event_stream` requests of up to 100 events each, every request
   * (the session's too) a slot of the shared limiter. Stripe validates streamed events later: one it refuses is
   * reported by a `v1.billing.meter.error_report_triggered` event, which system-billing reads from
   * `/v2/core/events` (STRIPE_METER_ERRORS_POLL_MS) and raises as a `billing_rejected` exception per identifier.
   * The stream is served from Stripe's meter events host (`meter-events.stripe.com`), which the stripe SDK picks
   * itself when STRIPE_HOST is `api.stripe.com`; any other STRIPE_HOST (the sandbox, a proxy) serves it too.
   */
  @IsIn(['on', 'off'])
  STRIPE_METER_EVENT_STREAM: 'on' | 'off' = 'off';

  /** With the meter event stream on: how often `/v2/core/events` is read for meter error reports; 0 turns it off. */
  @IsInt()
  @Min(0)
  STRIPE_METER_ERRORS_POLL_MS = 30_000;

  /**
   * Where Stripe serves file contents (a Sigma query's result CSV): `https://files.stripe.com` on a real account.
   * Unset, the API's own protocol, host and port (the sandbox serves files there).
   */
  @IsOptional()
  @Matches(/^https?:\/\/[^\s/]+(:\d+)?$/, { message: 'must be an http(s) origin without a path' })
  STRIPE_FILES_URL?: string = undefined;

  /**
   * How the invoice-line export reads Stripe: `list` (the default: invoices.list, in the SDK's pinned API version),
   * or `sigma`, an opt-in for accounts with Sigma and its Query Run API (a preview endpoint, not in the pinned SDK):
   * a Sigma query run, its CSV streamed, the invoices created since Sigma's snapshot read from the list API. An
   * account that refuses the query run is read through the list with `sigma` too.
   */
  @IsIn(['sigma', 'list'])
  STRIPE_INVOICE_LINES_EXPORT: 'sigma' | 'list' = 'list';

  /**
   * The `Stripe-Version` the Sigma Query Run API is called with (the preview version Stripe gives the account for
   * it); unset, the SDK's pinned version. Only with STRIPE_INVOICE_LINES_EXPORT=sigma.
   */
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}\.[a-z_]+$/, {
    message: 'must be a Stripe API version such as 2025-03-31.preview',
  })
  STRIPE_SIGMA_API_VERSION?: string = undefined;

  /** How often a running Sigma query run is polled. */
  @IsInt()
  @Min(10)
  STRIPE_SIGMA_POLL_MS = 200;

  /** How long a Sigma query run may take before the export fails (transiently). */
  @IsInt()
  @Min(1_000)
  STRIPE_SIGMA_TIMEOUT_MS = 600_000;

  /**
   * This service's public webhook URL (`https://<host>:3003/v1/webhooks/stripe`). Set, system-billing registers
   * its Stripe webhook endpoint at start, with the API version the stripe SDK pins, when there is none for the URL,
   * and reports one registered with another version. Unset, the endpoint is registered by hand (with that version).
   */
  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL' })
  STRIPE_WEBHOOK_URL?: string = undefined;

  /** Outside development: the sandbox's key and webhook secret are not sent to Stripe itself. */
  productionProblems(): string[] {
    const target = {
      variable: 'STRIPE_HOST',
      host: this.STRIPE_HOST,
      vendor: 'Stripe',
      realHost: /(^|\.)stripe\.com$/,
    };
    return sandboxCredentialsAt(this, target, ['STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRETS']);
  }

  /** `live` or `test`, as the key says. */
  stripeMode(): 'live' | 'test' {
    return /^(sk|rk)_live_/.test(this.STRIPE_SECRET_KEY) ? 'live' : 'test';
  }

  rateLimitPerSecond(): number {
    if (this.STRIPE_RATE_LIMIT_PER_SECOND > 0) return this.STRIPE_RATE_LIMIT_PER_SECOND;
    return this.stripeMode() === 'live' ? 100 : 25;
  }

  /** The origin file contents are downloaded from. */
  filesUrl(): string {
    if (this.STRIPE_FILES_URL) return this.STRIPE_FILES_URL;
    // Stripe serves file contents from its own host, not the API's.
    if (this.STRIPE_HOST === 'api.stripe.com') return 'https://files.stripe.com';
    const port =
      (this.STRIPE_PROTOCOL === 'https' && this.STRIPE_PORT === 443) ||
      (this.STRIPE_PROTOCOL === 'http' && this.STRIPE_PORT === 80)
        ? ''
        : `:${String(this.STRIPE_PORT)}`;
    return `${this.STRIPE_PROTOCOL}://${this.STRIPE_HOST}${port}`;
  }

  secrets(): string[] {
    return this.STRIPE_WEBHOOK_SECRETS.split(',').filter(Boolean);
  }
}
