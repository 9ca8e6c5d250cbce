import { describe, expect, it } from 'vitest';
import type { Faults } from '../http/faults';
import { StripeStore } from '../state/store';
import type { StripeEvent, WebhookEndpoint } from '../state/types';
import { StripeSandboxConfig } from '../stripe-sandbox.config';
import { WebhookDispatcher } from './dispatcher';

const event = (type: string) => ({ id: `evt_${type}`, object: 'event', type }) as unknown as StripeEvent;

function dispatcher(settings: Partial<StripeSandboxConfig>, endpoints: Array<Partial<WebhookEndpoint>> = []) {
  const config = Object.assign(new StripeSandboxConfig(), settings);
  const store = new StripeStore(config);
  for (const [index, endpoint] of endpoints.entries())
    store.webhookEndpoints.set(`we_${String(index)}`, {
      id: `we_${String(index)}`,
      object: 'webhook_endpoint',
      status: 'enabled',
      api_version: null,
      description: null,
      metadata: {},
      enabled_events: ['*'],
      url: `http://registered/${String(index)}`,
      ...endpoint,
    } as WebhookEndpoint);
  return new WebhookDispatcher(store, {} as Faults, config);
}

const urls = (d: WebhookDispatcher, type: string) => d.endpoints(event(type)).map((e) => e.url);

describe('WebhookDispatcher.endpoints', () => {
  it('sends every event to the configured URLs by default', () => {
    const d = dispatcher({ SANDBOX_STRIPE_WEBHOOK_URLS: 'http://a/hook, http://b/hook' });
    expect(urls(d, 'customer.created')).toEqual(['http://a/hook', 'http://b/hook']);
  });

  it('sends the configured URLs only the types of SANDBOX_STRIPE_WEBHOOK_EVENTS, as enabled_events does', () => {
    const d = dispatcher({
      SANDBOX_STRIPE_WEBHOOK_URLS: 'http://a/hook',
      SANDBOX_STRIPE_WEBHOOK_EVENTS: 'invoice.finalized, invoice.paid',
    });
    expect(urls(d, 'invoice.paid')).toEqual(['http://a/hook']);
    expect(urls(d, 'customer.created')).toEqual([]);
  });

  it('sends a registered endpoint only its enabled events, and nothing when it is disabled', () => {
    const d = dispatcher({ SANDBOX_STRIPE_WEBHOOK_URLS: 'none' }, [
      { enabled_events: ['invoice.paid'] },
      { enabled_events: ['*'], status: 'disabled' },
    ]);
    expect(urls(d, 'invoice.paid')).toEqual(['http://registered/0']);
    expect(urls(d, 'invoice.created')).toEqual([]);
  });
});
