import { Injectable } from '@nestjs/common';
import { BusinessError } from '@revline/messaging';
import type { MappedProduct, VendorCheck } from '@revline/platform';
import { VendorChecks, fail, pass, skip } from '@revline/platform';
import type Stripe from 'stripe';
import { StripeConfig } from '../stripe/stripe.config';
import { StripeGateway } from '../stripe/stripe-gateway';
import { stripeList } from '../stripe/stripe-paging';
import { STRIPE_API_VERSION } from '../webhooks/stripe-api-version';
import { STRIPE_EVENT_TYPES } from '../webhooks/stripe-events.poller';
import { StripeWebhookEndpoints } from '../webhooks/stripe-webhook-endpoints';
import { WebhookSignatureLog } from '../webhooks/webhook-signature-log';

const CREDENTIALS_FIX = 'Fix the stripe.credentials check first';
const WEBHOOK_PATH = '/v1/webhooks/stripe';

/** A product's Stripe price, or why there is none usable. */
type PriceLookup = { product: MappedProduct; price?: Stripe.Price; problem?: string };

/**
 * The Stripe account's go-live checklist: the secret key, the webhook endpoint Revline's events arrive at, and for
 * each product of the active mapping its price (active) and, for a metered price, its Billing meter (active).
 */
@Injectable()
export class StripeChecks extends VendorChecks {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly config: StripeConfig,
    private readonly webhookEndpoints: StripeWebhookEndpoints,
    private readonly signatures: WebhookSignatureLog,
  ) {
    super();
  }

  readonly vendor = 'stripe';

  protected checks(products: MappedProduct[]): VendorCheck[] {
    return [
      this.credentials(),
      this.webhookEndpoint(),
      this.webhookSecret(),
      ...(this.config.STRIPE_METER_EVENT_STREAM === 'on' ? [this.meterEventStream()] : []),
      this.catalogue(products),
    ];
  }

  /**
   * With STRIPE_METER_EVENT_STREAM=on, usage goes through API v2's meter event stream: the account must grant a
   * meter event session, and its refusals, reported later, must be read.
   */
  private meterEventStream(): VendorCheck {
    const id = 'stripe.meter-event-stream';
    const title = "The account takes usage on API v2's meter event stream";
    return {
      id,
      title,
      fixOnError:
        'The account does not grant meter event sessions (API v2): set STRIPE_METER_EVENT_STREAM=off, and usage ' +
        'goes as one /v1/billing/meter_events request per customer, meter and day',
      run: async () => {
        const session = await this.gateway.call('v2.billing.meterEventSession.create', (s) =>
          s.v2.billing.meterEventSession.create(),
        );
        if (this.config.STRIPE_METER_ERRORS_POLL_MS === 0)
          return fail(
            id,
            title,
            'STRIPE_METER_ERRORS_POLL_MS is 0: the events Stripe refuses after taking them in would never reach ' +
              'the workbench',
            'Set STRIPE_METER_ERRORS_POLL_MS to how often /v2/core/events is read for meter error reports (30000)',
          );
        return pass(
          id,
          title,
          `a meter event session granted until ${session.expires_at}; refusals read from /v2/core/events every ` +
            `${String(this.config.STRIPE_METER_ERRORS_POLL_MS)} ms`,
        );
      },
    };
  }

  private credentials(): VendorCheck {
    const id = 'stripe.credentials';
    const title = `Secret key and API version ${STRIPE_API_VERSION}`;
    return {
      id,
      title,
      fixOnError:
        'Set STRIPE_SECRET_KEY to a secret (or restricted) key of the account, with STRIPE_HOST=api.stripe.com, ' +
        'STRIPE_PORT=443 and STRIPE_PROTOCOL=https for a real account',
      run: async () => {
        await this.gateway.call('prices.list', (s) => s.prices.list({ limit: 1 }));
        return pass(
          id,
          title,
          `${this.config.stripeMode()} mode key accepted at ${this.config.STRIPE_HOST}; requests pinned to ${STRIPE_API_VERSION}`,
        );
      },
    };
  }

  private webhookEndpoint(): VendorCheck {
    const id = 'stripe.webhook-endpoint';
    const title = "Webhook endpoint registered for Revline's events";
    return {
      id,
      title,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        const wanted = this.config.STRIPE_WEBHOOK_URL;
        const ours = (await this.endpoints()).filter(
          (e) => e.status === 'enabled' && (wanted ? e.url === wanted : e.url.endsWith(WEBHOOK_PATH)),
        );
        const covering = ours.find((e) => STRIPE_EVENT_TYPES.every((t) => coversEvent(e, t)));
        if (covering)
          return pass(
            id,
            title,
            `${covering.id} at ${covering.url}, API version ${covering.api_version ?? "the account's default"}; ` +
              `its signing secret must be one of STRIPE_WEBHOOK_SECRETS (${this.config.secrets().length} set)`,
          );
        return fail(
          id,
          title,
          ours.length === 0
            ? `no enabled endpoint at ${wanted ?? `a URL ending in ${WEBHOOK_PATH}`}`
            : `${ours[0]?.id ?? ''} lacks ${STRIPE_EVENT_TYPES.filter((t) => !ours.some((e) => coversEvent(e, t))).join(', ')}`,
          "Set STRIPE_WEBHOOK_URL to system-billing's public URL ending in /v1/webhooks/stripe (system-billing registers " +
            'the endpoint at start), or run `npm run preflight -- --fix`; then add its signing secret to STRIPE_WEBHOOK_SECRETS',
        );
      },
    };
  }

  /**
   * Stripe never returns an endpoint's signing secret, so whether STRIPE_WEBHOOK_SECRETS holds it is read from the
   * deliveries system-billing has verified or refused.
   */
  private webhookSecret(): VendorCheck {
    const id = 'stripe.webhook-secret';
    const title = 'Webhook deliveries signed with a secret in STRIPE_WEBHOOK_SECRETS';
    const fix =
      "Copy the endpoint's signing secret (Stripe Dashboard, Developers > Webhooks, the endpoint, Signing secret) " +
      'into STRIPE_WEBHOOK_SECRETS (several, comma-separated, during a rotation); the events poller catches up on ' +
      'the refused deliveries';
    return {
      id,
      title,
      fixOnError: fix,
      run: async () => {
        const record = await this.signatures.read();
        const secrets = this.config.secrets().length;
        if (record.refusedSinceVerified > 0)
          return fail(
            id,
            title,
            `${record.refusedSinceVerified} deliveries refused since ${record.lastVerifiedAt ? `the last verified one at ${record.lastVerifiedAt}` : 'system-billing started keeping count'}, ` +
              `the latest at ${record.lastRefusedAt ?? '?'}: ${record.lastRefusedProblem === 'stale_timestamp' ? "its timestamp was outside the tolerance (check the host's clock)" : `no signature matched the ${secrets} secret(s) configured`}`,
            fix,
          );
        if (record.lastVerifiedAt)
          return pass(id, title, `the last delivery verified at ${record.lastVerifiedAt}`);
        return skip(
          id,
          title,
          'no delivery received yet: Stripe never returns an endpoint secret, so a match shows at the first ' +
            'delivery; book a test order and run the preflight again',
        );
      },
    };
  }

  protected override fixes(): VendorCheck[] {
    return [this.webhookEndpointFix()];
  }

  /** Registers the endpoint at STRIPE_WEBHOOK_URL, or adds the events Revline reads to the one registered there. */
  private webhookEndpointFix(): VendorCheck {
    const id = 'stripe.webhook-endpoint.fix';
    const title = "Webhook endpoint created or updated for Revline's events";
    return {
      id,
      title,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        const url = this.config.STRIPE_WEBHOOK_URL;
        if (!url)
          return fail(
            id,
            title,
            'STRIPE_WEBHOOK_URL is not set: no URL to register',
            "Set STRIPE_WEBHOOK_URL to system-billing's public URL ending in /v1/webhooks/stripe",
          );
        const existing = (await this.endpoints()).find((e) => e.url === url && e.status === 'enabled');
        if (!existing) {
          const created = await this.webhookEndpoints.ensure(url);
          return pass(
            id,
            title,
            `registered ${created.id} at ${url}; add its signing secret ${created.secret ?? '(see the Stripe dashboard)'} to STRIPE_WEBHOOK_SECRETS`,
          );
        }
        const lacking = STRIPE_EVENT_TYPES.filter((t) => !coversEvent(existing, t));
        if (lacking.length === 0)
          return pass(id, title, `${existing.id} at ${url} already receives every event`);
        await this.gateway.call('webhookEndpoints.update', (s) =>
          s.webhookEndpoints.update(existing.id, {
            enabled_events: [
              ...existing.enabled_events,
              ...lacking,
            ] as Stripe.WebhookEndpointUpdateParams.EnabledEvent[],
          }),
        );
        return pass(id, title, `${existing.id} at ${url} now also receives ${lacking.join(', ')}`);
      },
    };
  }

  private async endpoints(): Promise<Stripe.WebhookEndpoint[]> {
    const endpoints: Stripe.WebhookEndpoint[] = [];
    for await (const endpoint of stripeList(this.gateway, 'webhookEndpoints.list', (s, page) =>
      s.webhookEndpoints.list(page),
    ))
      endpoints.push(endpoint);
    return endpoints;
  }

  /** Two items from one round of lookups: every mapped price, then the meters of the metered ones. */
  private catalogue(products: MappedProduct[]): VendorCheck {
    const pricesId = 'stripe.prices';
    const pricesTitle = 'A Stripe price for every product of the active mapping';
    const metersId = 'stripe.meters';
    const metersTitle = 'A Billing meter for every metered product';
    return {
      id: pricesId,
      title: pricesTitle,
      fixOnError: CREDENTIALS_FIX,
      run: async () => {
        if (products.length === 0)
          return [
            skip(
              pricesId,
              pricesTitle,
              'no mapped products given (npm run preflight passes the active mapping)',
            ),
            skip(metersId, metersTitle, 'no mapped products given'),
          ];
        const lookups: PriceLookup[] = [];
        for (const product of products) lookups.push(await this.lookUpPrice(product));
        const missing = lookups.filter((l) => l.problem);
        const metered = lookups.filter((l) => l.price?.recurring?.usage_type === 'metered');
        const meterProblems: string[] = [];
        for (const lookup of metered) {
          const problem = await this.meterProblem(lookup.price as Stripe.Price);
          if (problem) meterProblems.push(`${lookup.product.productCode}: ${problem}`);
        }
        return [
          missing.length === 0
            ? pass(pricesId, pricesTitle, `${products.length} products, each with an active price`)
            : fail(
                pricesId,
                pricesTitle,
                missing.map((l) => `${l.product.productCode}: ${l.problem ?? ''}`).join('; '),
                'Create the price in Stripe, or map the product to an existing active price (a new mapping version, approved)',
              ),
          meterProblems.length === 0
            ? pass(metersId, metersTitle, `${metered.length} metered products, each on an active meter`)
            : fail(
                metersId,
                metersTitle,
                meterProblems.join('; '),
                'Create the Billing meter (sum aggregation) in Stripe and a metered price on it, then map the product to that price',
              ),
        ];
      },
    };
  }

  private async lookUpPrice(product: MappedProduct): Promise<PriceLookup> {
    try {
      const price = await this.gateway.call('prices.retrieve', (s) => s.prices.retrieve(product.vendorId));
      return price.active
        ? { product, price }
        : { product, problem: `price ${product.vendorId} is archived` };
    } catch (error) {
      if (error instanceof BusinessError)
        return { product, problem: `no price ${product.vendorId} in Stripe` };
      throw error;
    }
  }

  private async meterProblem(price: Stripe.Price): Promise<string | undefined> {
    const meterId = price.recurring?.meter;
    if (!meterId) return `metered price ${price.id} names no meter`;
    try {
      const meter = await this.gateway.call('billing.meters.retrieve', (s) =>
        s.billing.meters.retrieve(meterId),
      );
      return meter.status === 'active' ? undefined : `meter ${meterId} is ${meter.status}`;
    } catch (error) {
      if (error instanceof BusinessError) return `no meter ${meterId} in Stripe`;
      throw error;
    }
  }
}

function coversEvent(endpoint: Stripe.WebhookEndpoint, type: string): boolean {
  return endpoint.enabled_events.includes('*') || endpoint.enabled_events.includes(type);
}
