import { Body, Delete, Get, Param } from '@nestjs/common';
import { checkMeterEventTime, meterEventSummaries } from '../billing/meter-events';
import { TimeMachine } from '../billing/time-machine';
import { paginate } from '../http/list';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { Meter, MeterEvent, StripeEvent, TestClock, WebhookEndpoint } from '../state/types';
import { StripeSandboxConfig } from '../stripe-sandbox.config';
import { API_VERSION_PATTERN, renderEvent } from '../webhooks/api-versions';

/** How long a meter event's identifier is refused again: Stripe's rolling 24 hours. */
const METER_EVENT_IDENTIFIER_WINDOW_S = 24 * 3600;

/** Billing meters and meter events, events, webhook endpoints and test clocks. */
@StripeController()
export class PlatformController {
  constructor(
    private readonly store: StripeStore,
    private readonly time: TimeMachine,
    private readonly config: StripeSandboxConfig,
  ) {}

  @StripePost('billing/meters')
  createMeter(@Body() body: unknown): Meter {
    const p = new Params(body);
    const aggregation = p.object('default_aggregation');
    const mapping = p.object('customer_mapping');
    const value = p.object('value_settings');
    const meter: Meter = {
      id: stripeId('mtr'),
      object: 'billing.meter',
      created: this.store.now(),
      updated: this.store.now(),
      livemode: false,
      display_name: p.requiredString('display_name'),
      event_name: p.requiredString('event_name'),
      status: 'active',
      default_aggregation: {
        formula: aggregation?.oneOf('formula', ['sum', 'count', 'last'] as const) ?? 'sum',
      },
      customer_mapping: {
        event_payload_key: mapping?.string('event_payload_key') ?? 'stripe_customer_id',
        type: 'by_id',
      },
      value_settings: { event_payload_key: value?.string('event_payload_key') ?? 'value' },
      event_time_window: null,
    };
    mapping?.has('type');
    p.end();
    if (
      [...this.store.meters.values()].some((m) => m.event_name === meter.event_name && m.status === 'active')
    )
      throw StripeApiError.invalid(
        'event_name',
        `An active meter with event_name ${meter.event_name} already exists.`,
      );
    this.store.meters.set(meter.id, meter);
    return meter;
  }

  @Get('billing/meters')
  listMeters(@StripeQuery() query: unknown) {
    return paginate([...this.store.meters.values()], new Params(query), '/v1/billing/meters');
  }

  @Get('billing/meters/:id')
  retrieveMeter(@Param('id') id: string): Meter {
    const meter = this.store.meters.get(id);
    if (!meter) throw StripeApiError.noSuch('billing.meter', id);
    return meter;
  }

  @Get('billing/meters/:id/event_summaries')
  listMeterEventSummaries(@Param('id') id: string, @StripeQuery() query: unknown) {
    const meter = this.retrieveMeter(id);
    const q = new Params(query);
    const summaries = meterEventSummaries(meter, this.store.meterEvents.values(), {
      customer: q.requiredString('customer'),
      start: q.requiredInt('start_time'),
      end: q.requiredInt('end_time'),
      window: q.oneOf('value_grouping_window', ['day'] as const),
    });
    return paginate(summaries, q, `/v1/billing/meters/${id}/event_summaries`);
  }

  @StripePost('billing/meter_events')
  createMeterEvent(@Body() body: unknown): MeterEvent {
    const p = new Params(body);
    const eventName = p.requiredString('event_name');
    const payload = p.metadata('payload') ?? {};
    const identifier = p.string('identifier') ?? stripeId('mev');
    const timestamp = p.int('timestamp');
    p.end();
    const meter = [...this.store.meters.values()].find(
      (m) => m.event_name === eventName && m.status === 'active',
    );
    if (!meter)
      throw StripeApiError.invalid(
        'event_name',
        `No active meter was found matching event_name ${eventName}.`,
      );
    const customer = payload[meter.customer_mapping.event_payload_key];
    if (!customer) throw StripeApiError.missing(`payload[${meter.customer_mapping.event_payload_key}]`);
    if (!this.store.customers.has(customer))
      throw StripeApiError.noSuch(
        'customer',
        customer,
        `payload[${meter.customer_mapping.event_payload_key}]`,
      );
    const value = payload[meter.value_settings.event_payload_key] as string | undefined;
    if (
      meter.default_aggregation.formula !== 'count' &&
      (value === undefined || !/^-?\d+(\.\d+)?$/.test(value))
    )
      throw StripeApiError.invalid(
        `payload[${meter.value_settings.event_payload_key}]`,
        'The meter event value must be a number.',
      );
    // v1 enforces an identifier's uniqueness over a rolling window (at least 24 hours, per the API reference) and
    // refuses a repeat as an invalid request without an error code (`duplicate_meter_event` is v2's).
    const existing = this.store.meterEvents.get(identifier);
    if (
      existing &&
      this.store.nowFor(existing.customer) - existing.created < METER_EVENT_IDENTIFIER_WINDOW_S
    ) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        message: `An event already exists with identifier ${identifier}.`,
      });
    }
    // Past the window the identifier is free again; the event it named still counts, kept under another key.
    if (existing) this.store.meterEvents.set(`${identifier}@${String(existing.created)}`, existing);
    const now = this.store.nowFor(customer);
    if (timestamp !== undefined) checkMeterEventTime(timestamp, now);
    const event: MeterEvent = {
      object: 'billing.meter_event',
      created: now,
      event_name: eventName,
      identifier,
      livemode: false,
      payload,
      timestamp: timestamp ?? now,
    };
    this.store.meterEvents.set(identifier, { ...event, meter: meter.id, customer });
    return event;
  }

  @Get('events')
  listEvents(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const type = q.string('type');
    const types = q.stringArray('types');
    const matches = (event: StripeEvent) =>
      (!type || (type.endsWith('*') ? event.type.startsWith(type.slice(0, -1)) : event.type === type)) &&
      (!types || types.includes(event.type));
    const page = paginate(
      this.store.events.filter((e) => matches(e) && inCreated(e, q)),
      q,
      '/v1/events',
    );
    // Each event in the version it was created in (the account's then), whatever version the request names.
    return { ...page, data: page.data.map((event) => renderEvent(event)) };
  }

  @Get('events/:id')
  retrieveEvent(@Param('id') id: string): StripeEvent {
    const event = this.store.event(id);
    if (!event) throw StripeApiError.noSuch('event', id);
    return renderEvent(event);
  }

  @StripePost('webhook_endpoints')
  createWebhookEndpoint(@Body() body: unknown): WebhookEndpoint {
    const p = new Params(body);
    const endpoint: WebhookEndpoint = {
      id: stripeId('we'),
      object: 'webhook_endpoint',
      created: this.store.now(),
      livemode: false,
      url: p.requiredString('url'),
      enabled_events: p.stringArray('enabled_events') ?? this.missing('enabled_events'),
      status: 'enabled',
      secret: this.config.SANDBOX_STRIPE_WEBHOOK_SECRET,
      // Unset, the endpoint receives events in the account's default version, as on Stripe.
      api_version: this.apiVersion(p.string('api_version')),
      description: p.string('description') ?? null,
      metadata: p.metadata() ?? {},
    };
    p.end();
    this.store.webhookEndpoints.set(endpoint.id, endpoint);
    return endpoint;
  }

  private apiVersion(version: string | undefined): string | null {
    if (version === undefined) return null;
    if (!API_VERSION_PATTERN.test(version))
      throw StripeApiError.invalid('api_version', `Invalid API version: ${version}`);
    return version;
  }

  private missing(param: string): never {
    throw StripeApiError.missing(param);
  }

  @Get('webhook_endpoints')
  listWebhookEndpoints(@StripeQuery() query: unknown) {
    const page = paginate(
      [...this.store.webhookEndpoints.values()],
      new Params(query),
      '/v1/webhook_endpoints',
    );
    return { ...page, data: page.data.map((endpoint) => withoutSecret(endpoint)) };
  }

  @StripePost('webhook_endpoints/:id')
  updateWebhookEndpoint(@Param('id') id: string, @Body() body: unknown) {
    const endpoint = this.store.webhookEndpoints.get(id);
    if (!endpoint) throw StripeApiError.noSuch('webhook_endpoint', id);
    const p = new Params(body);
    endpoint.url = p.string('url') ?? endpoint.url;
    endpoint.enabled_events = p.stringArray('enabled_events') ?? endpoint.enabled_events;
    endpoint.status = p.bool('disabled') ? 'disabled' : 'enabled';
    endpoint.metadata = mergeMetadata(endpoint.metadata, p.metadata());
    p.end();
    return withoutSecret(endpoint);
  }

  @Delete('webhook_endpoints/:id')
  deleteWebhookEndpoint(@Param('id') id: string) {
    if (!this.store.webhookEndpoints.delete(id)) throw StripeApiError.noSuch('webhook_endpoint', id);
    return { id, object: 'webhook_endpoint', deleted: true };
  }

  @StripePost('test_helpers/test_clocks')
  createTestClock(@Body() body: unknown): TestClock {
    const p = new Params(body);
    const frozen = p.requiredInt('frozen_time');
    const clock: TestClock = {
      id: stripeId('clock'),
      object: 'test_helpers.test_clock',
      created: this.store.now(),
      livemode: false,
      frozen_time: frozen,
      name: p.string('name') ?? null,
      status: 'ready',
      deletes_after: this.store.now() + 30 * 86_400,
    };
    p.end();
    this.store.testClocks.set(clock.id, clock);
    return clock;
  }

  @Get('test_helpers/test_clocks/:id')
  retrieveTestClock(@Param('id') id: string): TestClock {
    const clock = this.store.testClocks.get(id);
    if (!clock) throw StripeApiError.noSuch('test_helpers.test_clock', id);
    return clock;
  }

  /** Moves the clock forward; renewals, phase changes and period-end invoices happen on the way, in order. */
  @StripePost('test_helpers/test_clocks/:id/advance')
  advanceTestClock(@Param('id') id: string, @Body() body: unknown): TestClock {
    const clock = this.retrieveTestClock(id);
    const p = new Params(body);
    const target = p.requiredInt('frozen_time');
    p.end();
    if (target <= clock.frozen_time)
      throw StripeApiError.invalid(
        'frozen_time',
        'The test clock can only be advanced to a time after its current frozen time.',
      );
    this.time.run(id, target);
    clock.frozen_time = target;
    clock.status = 'ready';
    return clock;
  }

  @Delete('test_helpers/test_clocks/:id')
  deleteTestClock(@Param('id') id: string) {
    if (!this.store.testClocks.delete(id)) throw StripeApiError.noSuch('test_helpers.test_clock', id);
    return { id, object: 'test_helpers.test_clock', deleted: true };
  }

  @Get('test_helpers/test_clocks')
  listTestClocks(@StripeQuery() query: unknown) {
    return paginate([...this.store.testClocks.values()], new Params(query), '/v1/test_helpers/test_clocks');
  }
}

function inCreated(event: StripeEvent, q: Params): boolean {
  const range = q.object('created');
  if (!range) return true;
  const gt = range.int('gt');
  const gte = range.int('gte');
  const lt = range.int('lt');
  const lte = range.int('lte');
  return (
    (gt === undefined || event.created > gt) &&
    (gte === undefined || event.created >= gte) &&
    (lt === undefined || event.created < lt) &&
    (lte === undefined || event.created <= lte)
  );
}

/** Stripe shows an endpoint's secret only when it is created. */
function withoutSecret(endpoint: WebhookEndpoint): Omit<WebhookEndpoint, 'secret'> {
  const copy = { ...endpoint };
  delete copy.secret;
  return copy;
}
