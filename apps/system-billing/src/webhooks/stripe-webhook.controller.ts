import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { NotRateLimited, Public } from '@revline/auth';
import { clientAddress, consumeRateLimit, DomainError } from '@revline/http';
import type { FastifyRequest } from 'fastify';
import { StripeConfig } from '../stripe/stripe.config';
import { STRIPE_WEBHOOK_PATH } from './raw-webhook-body';
import type { IngestOutcome } from './stripe-events';
import { STRIPE_API_VERSION } from './stripe-api-version';
import { isStripeEvent, StripeEventIngest } from './stripe-events';
import { STRIPE_EVENT_TYPES } from './stripe-events.poller';
import { verifyStripeSignature } from './webhook-signature';
import { WebhookSignatureLog } from './webhook-signature-log';

/** `ignored`: an event of a type Revline does not read, acknowledged without being kept. */
export type WebhookOutcome = IngestOutcome | 'ignored';

/** The event types Revline reads, as a set for the webhook's check. */
const READ_TYPES: ReadonlySet<string> = new Set(STRIPE_EVENT_TYPES);

export class WebhookAckDto {
  @ApiProperty({ example: true })
  received: boolean;

  @ApiProperty({ example: 'accepted', enum: ['accepted', 'duplicate', 'stale', 'ignored'] })
  outcome: WebhookOutcome;
}

const PROBLEMS = {
  missing_header: 'The Stripe-Signature header is missing',
  malformed_header: 'The Stripe-Signature header is malformed',
  stale_timestamp: 'The Stripe-Signature timestamp is outside the tolerance',
  no_matching_signature: 'No signature matches the payload with the configured secrets',
} as const;

@ApiTags('webhooks')
@Controller()
export class StripeWebhookController {
  constructor(
    private readonly config: StripeConfig,
    private readonly ingest: StripeEventIngest,
    private readonly signatures: WebhookSignatureLog,
  ) {}

  @Post(STRIPE_WEBHOOK_PATH)
  @Public()
  // A delivery Stripe signed is never throttled (a burst of them is Stripe catching up, and a 429 would make it back
  // off for hours); only refused signatures count, against their address's unauthenticated budget.
  @NotRateLimited()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receives Stripe webhooks',
    description:
      'Verifies Stripe-Signature over the raw body first (HMAC-SHA256, 300 s tolerance, any of the rotating secrets), then takes the event in once: duplicates and stale events are acknowledged without effect, and so are events of a type Revline does not read (`ignored`, not kept).',
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiBadRequestResponse({ description: 'Bad or stale signature, or not a Stripe event; nothing is queued' })
  @ApiTooManyRequestsResponse({
    description:
      'Too many refused signatures from this address in the minute (RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE); Retry-After says when to come back. Signed deliveries are never limited',
  })
  @ApiConflictResponse({
    description:
      "An event rendered in another Stripe API version than the SDK's pinned one whose object cannot be re-read at the pinned version; nothing is queued, Stripe retries",
  })
  async receiveStripeWebhook(
    @Req() request: FastifyRequest,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookAckDto> {
    const raw = request.body;
    if (!Buffer.isBuffer(raw)) throw new DomainError(400, 'The webhook body must be application/json');
    const problem = verifyStripeSignature(
      raw,
      signature,
      this.config.secrets(),
      this.config.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
    );
    if (problem) {
      await consumeRateLimit(request, 'unauthenticated', clientAddress(request));
      await this.signatures.refused(problem);
      throw new DomainError(400, PROBLEMS[problem], [{ field: 'stripe-signature', problem }]);
    }
    await this.signatures.verified();
    let event: unknown;
    try {
      event = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new DomainError(400, 'The webhook body is not JSON');
    }
    if (!isStripeEvent(event)) throw new DomainError(400, 'The webhook body is not a Stripe event');
    // An endpoint registered for every type (by hand, or the sandbox's) also sends events Revline does not read
    // (customer.created, invoice.created…): they would announce nothing, so they are acknowledged without a write.
    // One in another API version still goes through the version check below, as before.
    if (event.api_version === STRIPE_API_VERSION && !READ_TYPES.has(event.type))
      return { received: true, outcome: 'ignored' };
    return { received: true, outcome: await this.ingest.ingest(event, 'webhook') };
  }
}
