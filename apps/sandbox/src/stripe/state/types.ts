/** The Stripe objects the sandbox keeps, in Stripe's own JSON shape (API version 2026-10-28). */
export type Metadata = Record<string, string>;

export interface StripeObject {
  id: string;
  object: string;
  created: number;
  livemode: false;
}

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

export interface Customer extends StripeObject {
  object: 'customer';
  name: string | null;
  email: string | null;
  description: string | null;
  address: Address | null;
  balance: number;
  /** Set by the customer's first subscription (or invoice item): the currency it is billed in from then on. */
  currency: string | null;
  metadata: Metadata;
  test_clock: string | null;
  invoice_settings: { default_payment_method: string | null };
}

export interface Product extends StripeObject {
  object: 'product';
  name: string;
  active: boolean;
  description: string | null;
  metadata: Metadata;
}

export interface Tier {
  up_to: number | null;
  unit_amount: number | null;
  unit_amount_decimal: string | null;
  flat_amount: number | null;
  flat_amount_decimal: string | null;
}

export type Interval = 'day' | 'week' | 'month' | 'year';

export type TaxBehavior = 'exclusive' | 'inclusive' | 'unspecified';

/** Stripe Tax on a subscription or invoice; the sandbox computes no tax, it keeps the flag and Stripe's refusals. */
export interface AutomaticTax {
  enabled: boolean;
  disabled_reason: null;
  liability: null;
  provider: null;
  status: null;
}

export interface Price extends StripeObject {
  object: 'price';
  product: string;
  active: boolean;
  currency: string;
  nickname: string | null;
  lookup_key: string | null;
  metadata: Metadata;
  type: 'one_time' | 'recurring';
  billing_scheme: 'per_unit' | 'tiered';
  unit_amount: number | null;
  unit_amount_decimal: string | null;
  tiers_mode: 'graduated' | 'volume' | null;
  tiers?: Tier[];
  /** `unspecified` unless set; set once to `inclusive` or `exclusive`, it cannot change. */
  tax_behavior: TaxBehavior;
  recurring: {
    interval: Interval;
    interval_count: number;
    usage_type: 'licensed' | 'metered';
    meter: string | null;
  } | null;
}

export interface SubscriptionItem extends StripeObject {
  object: 'subscription_item';
  subscription: string;
  price: Price;
  /** Absent on a metered price's item: Stripe bills it from the meter and refuses a quantity on it. */
  quantity?: number;
  metadata: Metadata;
  current_period_start: number;
  current_period_end: number;
}

export type ProrationBehavior = 'create_prorations' | 'always_invoice' | 'none';

export interface Subscription extends StripeObject {
  object: 'subscription';
  customer: string;
  status: 'active' | 'canceled' | 'past_due' | 'incomplete';
  currency: string;
  collection_method: 'charge_automatically' | 'send_invoice';
  days_until_due: number | null;
  /**
   * `flexible` (the default of API versions from 2025-09-30.clover) lets items of different intervals share the
   * subscription, each with its own period; `classic` needs one interval for all.
   */
  billing_mode: { type: 'classic' | 'flexible' };
  billing_cycle_anchor: number;
  start_date: number;
  cancel_at_period_end: boolean;
  cancel_at: number | null;
  canceled_at: number | null;
  ended_at: number | null;
  items: { object: 'list'; data: SubscriptionItem[]; has_more: false; url: string };
  latest_invoice: string | null;
  schedule: string | null;
  metadata: Metadata;
  test_clock: string | null;
  description: string | null;
  automatic_tax: AutomaticTax;
}

export interface SchedulePhase {
  start_date: number;
  end_date: number | null;
  items: Array<{ price: string; quantity?: number; metadata: Metadata }>;
  proration_behavior: ProrationBehavior;
  metadata: Metadata;
}

export interface SubscriptionSchedule extends StripeObject {
  object: 'subscription_schedule';
  customer: string;
  subscription: string | null;
  status: 'not_started' | 'active' | 'completed' | 'released' | 'canceled';
  end_behavior: 'release' | 'cancel';
  phases: SchedulePhase[];
  current_phase: { start_date: number; end_date: number | null } | null;
  metadata: Metadata;
  released_at: number | null;
  canceled_at: number | null;
  completed_at: number | null;
  test_clock: string | null;
}

export interface InvoiceLine {
  id: string;
  object: 'line_item';
  invoice: string | null;
  amount: number;
  currency: string;
  description: string;
  livemode: false;
  metadata: Metadata;
  period: { start: number; end: number };
  quantity: number | null;
  subscription: string | null;
  parent: {
    type: 'subscription_item_details' | 'invoice_item_details';
    subscription_item_details: {
      invoice_item: string | null;
      proration: boolean;
      proration_details: { credited_items: null };
      subscription: string | null;
      subscription_item: string;
    } | null;
    invoice_item_details: {
      invoice_item: string;
      proration: boolean;
      proration_details: { credited_items: null };
      subscription: string | null;
    } | null;
  };
  pricing: {
    type: 'price_details';
    price_details: { price: string; product: string };
    unit_amount_decimal: string | null;
  } | null;
  discountable: boolean;
  discounts: never[];
  discount_amounts: never[];
  taxes: never[];
}

export interface InvoicePayment extends StripeObject {
  object: 'invoice_payment';
  invoice: string;
  amount_paid: number;
  amount_requested: number;
  currency: string;
  is_default: boolean;
  status: 'paid';
  payment: { type: 'charge'; charge: string } | { type: 'out_of_band_payment' };
  status_transitions: { paid_at: number; canceled_at: null };
}

export interface Invoice extends StripeObject {
  object: 'invoice';
  customer: string;
  currency: string;
  status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  number: string | null;
  billing_reason: string;
  collection_method: 'charge_automatically' | 'send_invoice';
  auto_advance: boolean;
  automatic_tax: AutomaticTax;
  automatically_finalizes_at: number | null;
  due_date: number | null;
  /** Every line in the store; answers and events show the first handful (`EMBEDDED_LINES`) with `has_more`. */
  lines: { object: 'list'; data: InvoiceLine[]; has_more: boolean; url: string; total_count: number };
  subtotal: number;
  subtotal_excluding_tax: number;
  total: number;
  total_excluding_tax: number;
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  amount_overpaid: number;
  starting_balance: number;
  ending_balance: number | null;
  pre_payment_credit_notes_amount: number;
  post_payment_credit_notes_amount: number;
  period_start: number;
  period_end: number;
  effective_at: number | null;
  attempted: boolean;
  attempt_count: number;
  metadata: Metadata;
  parent: {
    type: 'subscription_details';
    subscription_details: { subscription: string; metadata: Metadata; subscription_proration_date?: number };
  } | null;
  status_transitions: {
    finalized_at: number | null;
    paid_at: number | null;
    voided_at: number | null;
    marked_uncollectible_at: number | null;
  };
  payments: { object: 'list'; data: InvoicePayment[]; has_more: false; url: string };
  test_clock: string | null;
  total_taxes: never[];
  discounts: never[];
}

/** A pending invoice item: a proration waiting for the next invoice (create_prorations). */
export interface InvoiceItem extends StripeObject {
  object: 'invoiceitem';
  customer: string;
  amount: number;
  currency: string;
  description: string;
  invoice: string | null;
  period: { start: number; end: number };
  proration: boolean;
  quantity: number;
  subscription: string | null;
  subscription_item: string | null;
  price: string | null;
  product: string | null;
  metadata: Metadata;
  test_clock: string | null;
}

export interface CreditNoteLine {
  id: string;
  object: 'credit_note_line_item';
  amount: number;
  description: string;
  invoice_line_item: string | null;
  quantity: number | null;
  type: 'invoice_line_item' | 'custom_line_item';
  unit_amount: number | null;
  livemode: false;
  taxes: never[];
}

export interface CreditNote extends StripeObject {
  object: 'credit_note';
  invoice: string;
  customer: string;
  currency: string;
  amount: number;
  subtotal: number;
  total: number;
  number: string;
  status: 'issued' | 'void';
  type: 'pre_payment' | 'post_payment';
  reason: string | null;
  memo: string | null;
  credit_amount: number | null;
  refund_amount: number | null;
  out_of_band_amount: number | null;
  effective_at: number;
  voided_at: number | null;
  metadata: Metadata;
  total_taxes: never[];
  /** Every line in the store; answers and events show the first handful (`EMBEDDED_LINES`) with `has_more`. */
  lines: { object: 'list'; data: CreditNoteLine[]; has_more: boolean; url: string; total_count: number };
}

export interface Meter extends StripeObject {
  object: 'billing.meter';
  display_name: string;
  event_name: string;
  status: 'active' | 'inactive';
  default_aggregation: { formula: 'sum' | 'count' | 'last' };
  customer_mapping: { event_payload_key: string; type: 'by_id' };
  value_settings: { event_payload_key: string };
  event_time_window: null;
  updated: number;
}

export interface MeterEvent {
  object: 'billing.meter_event';
  created: number;
  event_name: string;
  identifier: string;
  livemode: false;
  payload: Record<string, string>;
  timestamp: number;
}

/** A v2 meter event session: the short-lived token the meter event stream takes instead of the secret key. */
export interface MeterEventSession {
  id: string;
  object: 'v2.billing.meter_event_session';
  authentication_token: string;
  created: string;
  expires_at: string;
  livemode: false;
}

/** One refusal code of a meter error report, with sample refused events (v2 thin event data). */
export interface MeterErrorType {
  code: string;
  error_count: number;
  sample_errors: Array<{ error_message: string; request: { identifier: string } }>;
}

/**
 * A v2 event (`GET /v2/core/events`): a thin event naming its related object, with the data its type carries
 * (`v1.billing.meter.error_report_triggered`, `v1.billing.meter.no_meter_found`).
 */
export interface CoreEvent {
  id: string;
  object: 'v2.core.event';
  type: string;
  created: string;
  livemode: false;
  context: null;
  reason: { type: 'request'; request: { id: string; idempotency_key: string } } | null;
  related_object?: { id: string; type: string; url: string };
  data: {
    developer_message_summary: string;
    reason: { error_count: number; error_types: MeterErrorType[] };
    validation_start: string;
    validation_end: string;
  };
}

export interface TestClock extends StripeObject {
  object: 'test_helpers.test_clock';
  frozen_time: number;
  name: string | null;
  status: 'ready' | 'advancing';
  deletes_after: number;
}

export interface StripeEvent extends StripeObject {
  object: 'event';
  type: string;
  api_version: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
}

export interface WebhookEndpoint extends StripeObject {
  object: 'webhook_endpoint';
  url: string;
  enabled_events: string[];
  status: 'enabled' | 'disabled';
  secret?: string;
  api_version: string | null;
  description: string | null;
  metadata: Metadata;
}

/** A Sigma query run (`POST /v1/sigma/query_runs`): running, then succeeded with its result file, or failed. */
export interface SigmaQueryRun extends StripeObject {
  object: 'sigma.sigma_query_run';
  sql: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed';
  error: { message: string } | null;
  finalized_at: number | null;
  result: { file: string } | null;
}

/** A file Stripe made (a Sigma result), served from `/v1/files/:id/contents`. */
export interface StripeFile extends StripeObject {
  object: 'file';
  expires_at: number | null;
  filename: string;
  purpose: 'sigma_query_run';
  size: number;
  title: string | null;
  type: 'csv';
  url: string;
}
