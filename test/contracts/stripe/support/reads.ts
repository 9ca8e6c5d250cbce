import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type Stripe from 'stripe';

/**
 * Every field Revline reads from each Stripe object, by the object's name in Stripe's fixtures (`line_item` is an
 * invoice line). A path goes down through objects with `.` and into each element of an array with `[]`; a list
 * object's elements are under `data[]`. The fixtures spec checks each against Stripe's published fixtures, the
 * sandbox specs against the sandbox's answers; the webhook announcements are typed against the SDK's objects.
 */
export const READS = {
  event: ['id', 'type', 'created', 'api_version', 'data.object', 'data.object.id', 'data.object.object'],
  invoice: [
    'id',
    'number',
    'customer',
    'currency',
    'total',
    'amount_paid',
    'created',
    'parent.subscription_details.subscription',
    'total_taxes[].amount',
    'status_transitions.finalized_at',
    'status_transitions.paid_at',
    'status_transitions.voided_at',
    'status_transitions.marked_uncollectible_at',
    'lines.data',
    'lines.has_more',
    'payments.data',
  ],
  line_item: [
    'id',
    'description',
    'amount',
    'currency',
    'quantity',
    'taxes[].amount',
    'period.start',
    'period.end',
    'parent.subscription_item_details.proration',
    'parent.invoice_item_details.proration',
    'pricing.price_details.price',
  ],
  invoice_payment: ['id', 'status', 'created'],
  credit_note: [
    'id',
    'number',
    'customer',
    'currency',
    'total',
    'created',
    'effective_at',
    'total_taxes[].amount',
    'lines.data',
    'lines.has_more',
  ],
  credit_note_line_item: ['id', 'description', 'amount'],
  subscription: ['id', 'customer', 'status', 'metadata', 'items.data', 'latest_invoice', 'schedule'],
  subscription_item: ['id', 'price', 'quantity', 'metadata', 'current_period_start', 'current_period_end'],
  price: ['id', 'product', 'currency', 'recurring', 'billing_scheme', 'unit_amount_decimal', 'tax_behavior'],
  subscription_schedule: [
    'id',
    'status',
    'subscription',
    'end_behavior',
    'phases[].start_date',
    'phases[].end_date',
    'phases[].proration_behavior',
    'phases[].metadata',
    'phases[].items[].price',
    'phases[].items[].quantity',
    'phases[].items[].metadata',
  ],
  customer: ['id', 'test_clock'],
  deleted_customer: ['id', 'deleted'],
  'billing.meter_event': ['event_name', 'identifier', 'timestamp', 'payload'],
} as const;

export type StripeObjectName = keyof typeof READS;

/**
 * Whether `path` is in `value`: `present`; `absent` (a key on the way is not there); or `unshown`, when the way
 * stops at a null or an empty array before the path's end, so nothing is known of what lies below.
 */
export function lookup(value: unknown, path: string): 'present' | 'absent' | 'unshown' {
  const walk = (at: unknown, steps: string[]): 'present' | 'absent' | 'unshown' => {
    if (steps.length === 0) return 'present';
    const [step, ...rest] = steps as [string, ...string[]];
    if (at === null || at === undefined) return 'unshown';
    if (step === '[]') {
      if (!Array.isArray(at)) return 'absent';
      if (at.length === 0) return 'unshown';
      const found = at.map((element) => walk(element, rest));
      return found.includes('absent') ? 'absent' : found.includes('unshown') ? 'unshown' : 'present';
    }
    if (typeof at !== 'object' || !Object.hasOwn(at, step)) return 'absent';
    return walk((at as Record<string, unknown>)[step], rest);
  };
  return walk(value, path.replaceAll('[]', '.[]').split('.'));
}

/** The paths of `paths` that `object` does not have. */
export function absent(object: unknown, paths: readonly string[]): string[] {
  return paths.filter((path) => lookup(object, path) === 'absent');
}

/** A pinned fixture: the object as Stripe publishes it, and where it was taken from. */
export interface PinnedFixture {
  source: { repository: string; path: string; commit: string; tag: string; resource: string };
  fixture: Record<string, unknown>;
}

const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

/** Every pinned fixture, by its resource name. */
export function pinnedFixtures(): Map<string, PinnedFixture> {
  const files = readdirSync(FIXTURES_DIR).filter((file) => file.endsWith('.json'));
  return new Map(
    files.map((file) => {
      const pinned = JSON.parse(readFileSync(join(FIXTURES_DIR, file), 'utf8')) as PinnedFixture;
      return [pinned.source.resource, pinned];
    }),
  );
}

/** The SDK's type of each object, at the pinned API version. */
interface SdkObjects {
  event: Stripe.Event;
  invoice: Stripe.Invoice;
  line_item: Stripe.InvoiceLineItem;
  invoice_payment: Stripe.InvoicePayment;
  credit_note: Stripe.CreditNote;
  credit_note_line_item: Stripe.CreditNoteLineItem;
  subscription: Stripe.Subscription;
  subscription_item: Stripe.SubscriptionItem;
  price: Stripe.Price;
  subscription_schedule: Stripe.SubscriptionSchedule;
  customer: Stripe.Customer;
  deleted_customer: Stripe.DeletedCustomer;
  'billing.meter_event': Stripe.Billing.MeterEvent;
}

/** A path's first field: `phases` of `phases[].start_date`, `parent` of `parent.subscription_details`. */
type Head<P extends string> = P extends `${infer H}.${string}` ? Bare<H> : Bare<P>;
type Bare<H extends string> = H extends `${infer N}[]` ? N : H;

/**
 * Each path's first field is one the SDK's type of its object declares: a name it does not fails `tsc` here (the
 * fixtures spec checks the rest of each path against Stripe's fixtures).
 */
export const FIRST_FIELDS_DECLARED: {
  [K in StripeObjectName]: Head<(typeof READS)[K][number]> extends keyof SdkObjects[K] ? true : never;
} = {
  event: true,
  invoice: true,
  line_item: true,
  invoice_payment: true,
  credit_note: true,
  credit_note_line_item: true,
  subscription: true,
  subscription_item: true,
  price: true,
  subscription_schedule: true,
  customer: true,
  deleted_customer: true,
  'billing.meter_event': true,
};
