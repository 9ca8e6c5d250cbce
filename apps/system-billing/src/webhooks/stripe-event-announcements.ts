import type { BillingDocumentPayload, Envelope, JobName, JobPayloads } from '@revline/messaging';
import { createEnvelope } from '@revline/messaging';
import type Stripe from 'stripe';
import { isoDay } from '../stripe/stripe-keys';

/** The part of a Stripe event Revline reads; verified before it gets here, so only its shape is checked. */
export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  /** The API version the object is rendered in (Stripe's `api_version`; null on events older than versioning). */
  api_version?: string | null;
  data: { object: Record<string, unknown> & { id?: unknown; object?: unknown } };
}

/** What an event tells Revline, built where the event came in (so it carries that request's correlation). */
export interface Announcement {
  envelope: Envelope;
  /** A subscription state older than one already taken in is not announced. */
  onlyIfNewest: boolean;
}

type Obj = Record<string, unknown>;

/**
 * An object of the stripe SDK's types for the pinned API version as it arrives in JSON: every field may be absent,
 * but only the fields the SDK declares can be read, so reading a field Stripe does not document fails `tsc`.
 */
export type Rendered<T> = T extends readonly (infer U)[]
  ? Rendered<U>[]
  : T extends object
    ? { [K in keyof T]?: Rendered<T[K]> }
    : T;
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const money = (amount: unknown, currency: unknown) => ({
  amountMinor: String(num(amount)),
  currency: str(currency).toUpperCase(),
});

/** An invoice's or credit note's tax: the sum of its `total_taxes` (none: 0). */
const taxOf = (o: Rendered<Stripe.Invoice> | Rendered<Stripe.CreditNote>) =>
  money(
    (o.total_taxes ?? []).reduce<number>((sum, t) => sum + num(t.amount), 0),
    o.currency,
  );

export function isStripeEvent(value: unknown): value is StripeEventLike {
  const v = obj(value);
  return (
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.created === 'number' &&
    typeof obj(v.data).object === 'object'
  );
}

/** The idempotency key of an invoice's `billing.invoice-issued`. */
export const invoiceIssuedKey = (invoiceId: string): string => `stripe:invoice-issued:${invoiceId}`;

/**
 * The inbox consumer under which an invoice already announced with a contract change's answer is recorded (by its
 * `invoiceIssuedKey`): Stripe's own notice of it is then stored but not announced again.
 */
export const ANNOUNCED_WITH_CHANGE = 'system-billing.invoice-announced';

function announce<J extends JobName>(
  job: J,
  payload: JobPayloads[J],
  idempotencyKey: string,
  onlyIfNewest = false,
): Announcement {
  return { envelope: createEnvelope(job, payload, { idempotencyKey }), onlyIfNewest };
}

/**
 * The messages an event leads to, its object in the pinned API version (the caller re-reads one in another).
 * `paymentId` is the invoice payment of an `invoice.paid` event, which Stripe does not put in the event
 * (`payments` is an includable field): the caller looks it up first. An invoice's or a credit note's lines must
 * all be in the event's object (an event shows the first handful, `has_more` telling of the rest; the caller reads
 * them).
 */
export function announcementsOf(event: StripeEventLike, read: { paymentId?: string } = {}): Announcement[] {
  const paymentId = read.paymentId;
  const o = event.data.object;
  const createdAt = new Date(event.created * 1000).toISOString();
  switch (event.type) {
    case 'invoice.finalized':
      return [
        announce(
          'billing.invoice-issued',
          invoiceDocument(o as Rendered<Stripe.Invoice>, createdAt),
          invoiceIssuedKey(str(o.id)),
        ),
      ];
    case 'credit_note.created':
      return [
        announce(
          'billing.credit-note-issued',
          creditNoteDocument(o as Rendered<Stripe.CreditNote>, createdAt),
          `stripe:credit-note-issued:${str(o.id)}`,
        ),
      ];
    case 'invoice.paid': {
      // Nothing was paid (a zero invoice): there is no payment to announce.
      if (!paymentId) return [];
      const invoice = o as Rendered<Stripe.Invoice>;
      return [
        announce(
          'billing.payment-received',
          {
            paymentId,
            invoiceId: str(invoice.id),
            customerId: str(invoice.customer),
            amount: money(invoice.amount_paid, invoice.currency),
            receivedOn: isoDay(num(invoice.status_transitions?.paid_at) || event.created),
            eventCreatedAt: createdAt,
          },
          `stripe:payment-received:${str(invoice.id)}`,
        ),
      ];
    }
    case 'invoice.voided':
    case 'invoice.marked_uncollectible': {
      const status = event.type === 'invoice.voided' ? 'void' : 'uncollectible';
      const invoice = o as Rendered<Stripe.Invoice>;
      const transitions = invoice.status_transitions;
      const at = num(status === 'void' ? transitions?.voided_at : transitions?.marked_uncollectible_at);
      const subscription = str(invoice.parent?.subscription_details?.subscription);
      return [
        announce(
          'billing.invoice-voided',
          {
            invoiceId: str(invoice.id),
            customerId: str(invoice.customer),
            ...(subscription ? { subscriptionId: subscription } : {}),
            status,
            total: money(invoice.total, invoice.currency),
            voidedOn: isoDay(at || event.created),
            eventCreatedAt: createdAt,
          },
          `stripe:invoice-${status}:${str(invoice.id)}`,
        ),
      ];
    }
    // Stored (the newest state per subscription) but announced to nobody: process-q2c hears of a subscription from
    // the answer to its own command (billing.subscription-changed with the command's key, sent by the command
    // handler) and has no use for the platform's own notice of the same change — one BullMQ job less per change.
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
      return [];
    default:
      return [];
  }
}

/** An invoice's document: typed against the SDK's invoice, so a field Stripe does not document fails `tsc`. */
export function invoiceDocument(o: Rendered<Stripe.Invoice>, createdAt: string): BillingDocumentPayload {
  const subscription = str(o.parent?.subscription_details?.subscription);
  return {
    documentId: str(o.id),
    ...(str(o.number) ? { number: str(o.number) } : {}),
    customerId: str(o.customer),
    ...(subscription ? { subscriptionId: subscription } : {}),
    total: money(o.total, o.currency),
    tax: taxOf(o),
    issuedOn: isoDay(num(o.status_transitions?.finalized_at) || num(o.created)),
    lines: (o.lines?.data ?? []).map((line) => {
      const details = line.parent?.subscription_item_details ?? line.parent?.invoice_item_details;
      const priceId = str(line.pricing?.price_details?.price);
      return {
        lineId: str(line.id),
        description: str(line.description),
        amount: money(line.amount, o.currency),
        proration: details?.proration === true,
        periodStart: isoDay(num(line.period?.start)),
        periodEnd: isoDay(num(line.period?.end)),
        ...(priceId ? { priceId } : {}),
      };
    }),
    eventCreatedAt: createdAt,
  };
}

/** A credit note's document, typed against the SDK's credit note. */
export function creditNoteDocument(
  o: Rendered<Stripe.CreditNote>,
  createdAt: string,
): BillingDocumentPayload {
  return {
    documentId: str(o.id),
    ...(str(o.number) ? { number: str(o.number) } : {}),
    customerId: str(o.customer),
    total: money(o.total, o.currency),
    tax: taxOf(o),
    issuedOn: isoDay(num(o.effective_at) || num(o.created)),
    lines: (o.lines?.data ?? []).map((line) => ({
      lineId: str(line.id),
      description: str(line.description),
      amount: money(line.amount, o.currency),
      proration: false,
    })),
    eventCreatedAt: createdAt,
  };
}
