import { IsInt, IsString, Matches, Min } from 'class-validator';

/** The Stripe sandbox's settings; the defaults make `npm start` work with no configuration (DESIGN.md §10). */
export class StripeSandboxConfig {
  /** The secret webhooks are signed with (`whsec_…`), the same one system-billing verifies by default. */
  @Matches(/^whsec_/, { message: 'must start with whsec_' })
  SANDBOX_STRIPE_WEBHOOK_SECRET = 'whsec_revline_sandbox';

  /** Comma-separated endpoints that receive every event, or `none`. */
  @IsString()
  SANDBOX_STRIPE_WEBHOOK_URLS = 'http://127.0.0.1:3003/v1/webhooks/stripe';

  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_WEBHOOK_ATTEMPTS = 8;

  @IsInt()
  @Min(1)
  SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS = 1000;

  @IsInt()
  @Min(100)
  SANDBOX_STRIPE_WEBHOOK_TIMEOUT_MS = 10_000;

  urls(): string[] {
    if (this.SANDBOX_STRIPE_WEBHOOK_URLS.trim() === 'none') return [];
    return this.SANDBOX_STRIPE_WEBHOOK_URLS.split(',')
      .map((u) => u.trim())
      .filter(Boolean);
  }
}
