import { IsInt, IsString, Matches, Min } from 'class-validator';
import { Secret } from '@revline/config';
import { API_VERSION_PATTERN, SANDBOX_API_VERSION } from './webhooks/api-versions';

/** The Stripe sandbox's settings; the defaults make `npm start` work with no configuration. */
export class StripeSandboxConfig {
  /** The secret webhooks are signed with (`whsec_…`), the same one system-billing verifies by default. */
  @Secret({ minLength: 32 })
  @Matches(/^whsec_/, { message: 'must start with whsec_' })
  SANDBOX_STRIPE_WEBHOOK_SECRET = 'whsec_revline_sandbox';

  /** Comma-separated endpoints that receive the events of SANDBOX_STRIPE_WEBHOOK_EVENTS, or `none`. */
  @IsString()
  SANDBOX_STRIPE_WEBHOOK_URLS = 'http://127.0.0.1:3003/v1/webhooks/stripe';

  /**
   * The event types the endpoints of SANDBOX_STRIPE_WEBHOOK_URLS receive, comma-separated, or `*` for every one: what
   * a registered endpoint's `enabled_events` is to Stripe.
   */
  @IsString()
  SANDBOX_STRIPE_WEBHOOK_EVENTS = '*';

  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_WEBHOOK_ATTEMPTS = 8;

  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS = 1000;

  @IsInt()
  @Min(100)
  SANDBOX_STRIPE_WEBHOOK_TIMEOUT_MS = 10_000;

  /**
   * Under the realistic profile, API requests per second the account accepts in all (Stripe publishes 100 in live
   * mode and 25 in test mode), and per endpoint (25 unless Stripe documents another limit). An endpoint is one
   * named operation: `POST /v1/customers`, `GET /v1/customers/:id` whatever the id.
   */
  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_RATE_LIMIT_PER_SECOND = 100;

  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_ENDPOINT_RATE_LIMIT_PER_SECOND = 25;

  /**
   * Under the realistic profile, requests per second the v2 meter event stream accepts (each of up to 100 events).
   * It has its own limit, apart from the API's: Stripe documents 10,000 a second.
   */
  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_METER_EVENT_STREAM_RATE_PER_SECOND = 10_000;

  /**
   * The account's default API version: events (webhooks without an endpoint version, and `/v1/events`) are
   * rendered in it, as Stripe renders them in the account's version. Older than 2025-03-31.basil, objects lack
   * the fields that version added (`parent`, `total_taxes`, a line's `pricing`) and show the ones it replaced.
   */
  @Matches(API_VERSION_PATTERN, { message: 'must be a Stripe API version such as 2025-03-31.basil' })
  SANDBOX_STRIPE_API_VERSION = SANDBOX_API_VERSION;

  /** The event types of SANDBOX_STRIPE_WEBHOOK_EVENTS, as an endpoint's `enabled_events`. */
  webhookEvents(): string[] {
    return this.SANDBOX_STRIPE_WEBHOOK_EVENTS.split(',')
      .map((type) => type.trim())
      .filter(Boolean);
  }

  urls(): string[] {
    if (this.SANDBOX_STRIPE_WEBHOOK_URLS.trim() === 'none') return [];
    return this.SANDBOX_STRIPE_WEBHOOK_URLS.split(',')
      .map((u) => u.trim())
      .filter(Boolean);
  }
}
