import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';
import type Stripe from 'stripe';
import { StripeConfig } from '../stripe/stripe.config';
import { StripeGateway } from '../stripe/stripe-gateway';
import { stripeList } from '../stripe/stripe-paging';
import { STRIPE_API_VERSION } from './stripe-api-version';
import { STRIPE_EVENT_TYPES } from './stripe-events.poller';

/**
 * The webhook endpoint Stripe sends Revline's events to, registered with the pinned API version, so its events
 * come in the shape Revline reads (an endpoint without a version receives the account's default version). Stripe
 * cannot change an endpoint's version: one registered with another is reported, for an operator to replace.
 */
@Injectable()
export class StripeWebhookEndpoints implements OnApplicationBootstrap {
  private readonly logger = new Logger('StripeWebhookEndpoints');

  constructor(
    private readonly gateway: StripeGateway,
    private readonly config: StripeConfig,
  ) {}

  /** With STRIPE_WEBHOOK_URL set, makes sure its endpoint exists at the pinned version (a failure is logged). */
  async onApplicationBootstrap(): Promise<void> {
    const url = this.config.STRIPE_WEBHOOK_URL;
    if (!url) return;
    try {
      const endpoint = await this.ensure(url);
      if (endpoint.secret)
        this.logger.warn(
          `Registered Stripe webhook endpoint ${endpoint.id} for ${url} at API version ${STRIPE_API_VERSION}; ` +
            'add its signing secret (shown in the Stripe dashboard) to STRIPE_WEBHOOK_SECRETS',
        );
    } catch (error) {
      this.logger.error(`Stripe webhook endpoint for ${url}: ${(error as Error).message}`);
    }
  }

  /**
   * The enabled endpoint for `url` at the pinned version, registered when there is none (the answer then carries
   * its signing secret). Throws when the endpoint for `url` is registered with another version (or none).
   */
  async ensure(
    url: string,
    enabledEvents: readonly string[] = STRIPE_EVENT_TYPES,
  ): Promise<Stripe.WebhookEndpoint> {
    for await (const endpoint of stripeList(this.gateway, 'webhookEndpoints.list', (s, page) =>
      s.webhookEndpoints.list(page),
    )) {
      if (endpoint.url !== url || endpoint.status !== 'enabled') continue;
      if (endpoint.api_version === STRIPE_API_VERSION) return endpoint;
      throw new Error(
        `endpoint ${endpoint.id} receives events in API version ${endpoint.api_version ?? "the account's default"}, ` +
          `not ${STRIPE_API_VERSION}; Stripe cannot change an endpoint's version: register a new endpoint at ` +
          `${STRIPE_API_VERSION} and delete this one (meanwhile each event is re-read through the API)`,
      );
    }
    return this.gateway.call('webhookEndpoints.create', (s) =>
      s.webhookEndpoints.create({
        url,
        enabled_events: [...enabledEvents] as Stripe.WebhookEndpointCreateParams.EnabledEvent[],
        api_version: STRIPE_API_VERSION as Stripe.WebhookEndpointCreateParams.ApiVersion,
        description: 'Revline system-billing',
      }),
    );
  }
}
