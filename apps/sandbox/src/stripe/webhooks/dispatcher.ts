import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Faults } from '../http/faults';
import { StripeStore } from '../state/store';
import type { StripeEvent, WebhookEndpoint } from '../state/types';
import { signatureHeader } from './signature';
import { StripeSandboxConfig } from '../stripe-sandbox.config';
import { renderEvent } from './api-versions';

/** Where an event goes: `apiVersion` the endpoint's own version, null for the account's. */
interface Endpoint {
  url: string;
  secret: string;
  apiVersion: string | null;
}

interface Delivery {
  endpoint: Endpoint;
  event: StripeEvent;
  attempt: number;
}

/**
 * Sends every event to the configured endpoints, signed as Stripe signs them, retrying a failed delivery with
 * exponential backoff; the fault switches drop, duplicate and reorder deliveries.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('StripeWebhooks');
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: Delivery[] = [];
  private holdTimer?: NodeJS.Timeout;
  private inFlight = 0;
  delivered = 0;

  constructor(
    private readonly store: StripeStore,
    private readonly faults: Faults,
    private readonly config: StripeSandboxConfig,
  ) {}

  onModuleInit(): void {
    this.store.onEvent((event) => {
      this.enqueue(event);
    });
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    clearTimeout(this.holdTimer);
  }

  /**
   * Endpoints registered through the API (each receives events in its `api_version`, else the account's), plus
   * those named in SANDBOX_STRIPE_WEBHOOK_URLS (the account's version); each only for the event types it is enabled for.
   */
  endpoints(event: StripeEvent): Endpoint[] {
    const enabled = (types: readonly string[]): boolean => types.includes('*') || types.includes(event.type);
    const fromApi = [...this.store.webhookEndpoints.values()]
      .filter((e: WebhookEndpoint) => e.status === 'enabled' && enabled(e.enabled_events))
      .map((e) => ({
        url: e.url,
        secret: e.secret ?? this.config.SANDBOX_STRIPE_WEBHOOK_SECRET,
        apiVersion: e.api_version,
      }));
    const fromEnv = (enabled(this.config.webhookEvents()) ? this.config.urls() : []).map((url) => ({
      url,
      secret: this.config.SANDBOX_STRIPE_WEBHOOK_SECRET,
      apiVersion: null,
    }));
    return [...fromEnv, ...fromApi];
  }

  private enqueue(event: StripeEvent): void {
    const endpoints = this.endpoints(event);
    event.pending_webhooks = endpoints.length;
    for (const endpoint of endpoints) {
      const copies = this.faults.deliveries();
      for (let i = 0; i < copies; i += 1) this.schedule({ endpoint, event, attempt: 1 }, 0);
    }
  }

  private schedule(delivery: Delivery, delayMs: number): void {
    const window = this.faults.settings.webhookReorderWindowMs;
    if (window > 0 && delivery.attempt === 1) {
      this.held.push(delivery);
      this.holdTimer ??= setTimeout(() => {
        const batch = this.held.reverse();
        this.held = [];
        this.holdTimer = undefined;
        for (const d of batch) void this.send(d);
      }, window);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.send(delivery);
    }, delayMs);
    this.timers.add(timer);
  }

  private async send(delivery: Delivery): Promise<void> {
    const { event, endpoint } = delivery;
    const payload = JSON.stringify(renderEvent(event, endpoint.apiVersion ?? event.api_version), null, 2);
    const timestamp = Math.floor(Date.now() / 1000);
    this.inFlight += 1;
    let ok: boolean;
    try {
      const response = await fetch(delivery.endpoint.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'stripe-signature': signatureHeader(payload, delivery.endpoint.secret, timestamp),
        },
        body: payload,
        signal: AbortSignal.timeout(this.config.SANDBOX_STRIPE_WEBHOOK_TIMEOUT_MS),
      });
      ok = response.status >= 200 && response.status < 300;
      await response.arrayBuffer();
    } catch {
      ok = false;
    } finally {
      this.inFlight -= 1;
    }
    if (ok) {
      this.delivered += 1;
      return;
    }
    if (delivery.attempt >= this.config.SANDBOX_STRIPE_WEBHOOK_ATTEMPTS) {
      this.logger.warn(`Gave up delivering ${delivery.event.id} to ${delivery.endpoint.url}`);
      return;
    }
    const base = this.config.SANDBOX_STRIPE_WEBHOOK_RETRY_BASE_MS;
    this.schedule({ ...delivery, attempt: delivery.attempt + 1 }, base * 2 ** (delivery.attempt - 1));
  }

  /** True when nothing is waiting to be delivered (for tests). */
  idle(): boolean {
    return this.timers.size === 0 && this.held.length === 0 && this.inFlight === 0;
  }
}
