import type Stripe from 'stripe';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  Rendered,
  StripeEventLike,
} from '../../../apps/system-billing/src/webhooks/stripe-event-announcements';
import {
  announcementsOf,
  creditNoteDocument,
  invoiceDocument,
} from '../../../apps/system-billing/src/webhooks/stripe-event-announcements';
import type { StripeObjectName } from './support/reads';
import { absent, lookup, pinnedFixtures, READS } from './support/reads';

/**
 * The fields Revline reads, against Stripe's published OpenAPI fixtures pinned in `fixtures/` (see its README for
 * the commit). A fixture is an example, not a schema: where it leaves a field out or null, what Revline reads there
 * cannot be seen in it. Those fields are listed here with the reason, each checked against the SDK's types instead,
 * and the list must stay exact: a field the fixture does show is taken off it.
 */
const NOT_IN_FIXTURE: Record<string, string> = {
  'invoice.total_taxes[].amount': "the fixture's total_taxes is null",
  'invoice.payments.data':
    'payments is an includable field, rendered only when asked for (`expand[]=payments`)',
  'line_item.pricing.price_details.price': "the fixture's pricing leaves out its optional price_details",
  'credit_note.total_taxes[].amount': "the fixture's total_taxes is null",
  'line_item.taxes[].amount': "the fixture's taxes is null",
};

/** The `object` value each pinned fixture must carry. */
const OBJECT_OF: Record<StripeObjectName, string> = {
  event: 'event',
  invoice: 'invoice',
  line_item: 'line_item',
  invoice_payment: 'invoice_payment',
  credit_note: 'credit_note',
  credit_note_line_item: 'credit_note_line_item',
  subscription: 'subscription',
  subscription_item: 'subscription_item',
  price: 'price',
  subscription_schedule: 'subscription_schedule',
  customer: 'customer',
  deleted_customer: 'customer',
  'billing.meter_event': 'billing.meter_event',
};

const fixtures = pinnedFixtures();
const fixture = (name: StripeObjectName): Record<string, unknown> => {
  const pinned = fixtures.get(name);
  if (!pinned) throw new Error(`no pinned fixture of ${name}`);
  return structuredClone(pinned.fixture);
};
const names = Object.keys(READS) as StripeObjectName[];

/**
 * `object` behind a proxy that notes the path of every field read from it (an array's elements as `[]`), the way
 * `lookup` names them.
 */
function recording(object: Record<string, unknown>, read: Set<string>): Record<string, unknown> {
  const wrap = (target: object, path: string): object =>
    new Proxy(target, {
      get(t, key, receiver) {
        const value: unknown = Reflect.get(t, key, receiver);
        if (typeof key === 'symbol') return value;
        let at: string;
        if (Array.isArray(t)) {
          // An array's own methods and length are how it is walked, not fields.
          if (!/^\d+$/.test(key)) return value;
          at = `${path}[]`;
        } else {
          at = path ? `${path}.${key}` : key;
        }
        read.add(at);
        return typeof value === 'object' && value !== null ? wrap(value, at) : value;
      },
    });
  return wrap(object, '') as Record<string, unknown>;
}

/** A read path, as the object and field of READS it belongs to (a metadata key is its metadata). */
function ownerOf(root: StripeObjectName, path: string): [StripeObjectName, string] {
  const metadata = path.replace(/\.metadata\..*$|^metadata\..*$/, (m) =>
    m.startsWith('.') ? '.metadata' : 'metadata',
  );
  const nested: Array<[string, StripeObjectName]> =
    root === 'invoice'
      ? [['lines.data[].', 'line_item']]
      : root === 'credit_note'
        ? [['lines.data[].', 'credit_note_line_item']]
        : root === 'subscription'
          ? [['items.data[].', 'subscription_item']]
          : [];
  for (const [prefix, owner] of nested) {
    // The element itself (`lines.data[]`) is the list's `data`.
    if (metadata === prefix.slice(0, -1)) return [root, prefix.slice(0, -3)];
    if (metadata.startsWith(prefix)) return [owner, metadata.slice(prefix.length)];
  }
  return [root, metadata];
}

/** Whether `path` is a field of READS[name] or on the way to one. */
const listed = (name: StripeObjectName, path: string) =>
  (READS[name] as readonly string[]).some(
    (field) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[]`),
  );

describe("Revline's reads against Stripe's published fixtures", () => {
  it('pins each object read from stripe/openapi, naming the file and commit it comes from', () => {
    expect([...fixtures.keys()].sort()).toEqual([...names].sort());
    for (const [resource, pinned] of fixtures) {
      expect(pinned.source).toMatchObject({
        repository: 'https://github.com/stripe/openapi',
        path: 'openapi/fixtures3.json',
        resource,
      });
      expect(pinned.source.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(pinned.fixture.object).toBe(OBJECT_OF[resource as StripeObjectName]);
    }
  });

  it('finds every field Revline reads in its object, but for the ones the fixtures cannot show', () => {
    const notFound: Record<string, string> = {};
    for (const name of names)
      for (const path of READS[name]) {
        const found = lookup(fixture(name), path);
        if (found !== 'present') notFound[`${name}.${path}`] = found;
      }
    expect(Object.keys(notFound).sort()).toEqual(Object.keys(NOT_IN_FIXTURE).sort());
    // Each of those the SDK's types of the pinned version declare.
    expectTypeOf<NonNullable<Stripe.Invoice['total_taxes']>[number]>().toHaveProperty('amount');
    expectTypeOf<NonNullable<Stripe.Invoice['payments']>['data']>().toEqualTypeOf<Stripe.InvoicePayment[]>();
    expectTypeOf<
      NonNullable<NonNullable<Stripe.InvoiceLineItem['pricing']>['price_details']>
    >().toHaveProperty('price');
    expectTypeOf<NonNullable<Stripe.CreditNote['total_taxes']>[number]>().toHaveProperty('amount');
    expectTypeOf<NonNullable<Stripe.InvoiceLineItem['taxes']>[number]>().toHaveProperty('amount');
  });

  it('finds a field missing from its object: the check can fail', () => {
    // Fields of API versions before the pinned one, which Revline read once.
    expect(absent(fixture('invoice'), ['total_tax_amounts', 'status_transitions.finalized_at'])).toEqual([
      'total_tax_amounts',
    ]);
    expect(
      absent(fixture('line_item'), ['price.id', 'proration', 'parent.subscription_item_details.proration']),
    ).toEqual(['price.id', 'proration']);
    expect(lookup({ total_taxes: null }, 'total_taxes[].amount')).toBe('unshown');
    expect(lookup({ total_taxes: [{ amount: 1 }, {}] }, 'total_taxes[].amount')).toBe('absent');
  });

  it('lists every field the webhook announcements read, as they read them from the fixtures', () => {
    const invoice = fixture('invoice');
    const creditNote = fixture('credit_note');
    const cases: Array<[string, StripeObjectName, Record<string, unknown>]> = [
      ['invoice.finalized', 'invoice', invoice],
      ['invoice.paid', 'invoice', invoice],
      ['invoice.voided', 'invoice', invoice],
      ['invoice.marked_uncollectible', 'invoice', invoice],
      ['credit_note.created', 'credit_note', creditNote],
    ];
    const unlisted: string[] = [];
    for (const [type, name, object] of cases) {
      const read = new Set<string>();
      const event: StripeEventLike = {
        id: 'evt_1',
        type,
        created: 1_767_225_600,
        data: { object: recording(object, read) },
      };
      expect(announcementsOf(event, { paymentId: 'inpay_1' })).toHaveLength(1);
      for (const path of read) {
        const [owner, field] = ownerOf(name, path);
        if (!listed(owner, field)) unlisted.push(`${type}: ${owner}.${field}`);
      }
    }
    expect(unlisted).toEqual([]);
  });

  it('types the announcements against the SDK objects of the pinned version', () => {
    expectTypeOf(invoiceDocument).parameter(0).toEqualTypeOf<Rendered<Stripe.Invoice>>();
    expectTypeOf(creditNoteDocument).parameter(0).toEqualTypeOf<Rendered<Stripe.CreditNote>>();
    // A field of an older version is no field of the pinned one.
    expectTypeOf<Rendered<Stripe.Invoice>>().not.toHaveProperty('total_tax_amounts');
    expectTypeOf<Rendered<Stripe.InvoiceLineItem>>().not.toHaveProperty('price');
    expectTypeOf<Rendered<Stripe.InvoiceLineItem>>().not.toHaveProperty('proration');
  });
});
