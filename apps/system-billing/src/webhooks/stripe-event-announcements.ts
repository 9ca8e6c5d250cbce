import type { BillingDocumentPayload, Envelope, JobName, JobPayloads } from '@revline/messaging';
import { createEnvelope } from '@revline/messaging';
import { CONTRACT_KEY, LINE_KEY } from '../stripe/contract-change.plans';
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
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(obj(v).data) ? (obj(v).data as Obj[]) : []);
const money = (amount: unknown, currency: unknown) => ({
  amountMinor: String(num(amount)),
  currency: str(currency).toUpperCase(),
});

/** An invoice's or credit note's tax: the sum of its `total_taxes` (none: 0). */
const taxOf = (o: Obj) =>
  money(
    (Array.isArray(o.total_taxes) ? (o.total_taxes as unknown[]) : []).reduce<number>(
      (sum, t) => sum + num(obj(t).amount),
      0,
    ),
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
          invoiceDocument(o, createdAt),
          `stripe:invoice-issued:${str(o.id)}`,
        ),
      ];
    case 'credit_note.created':
      return [
        announce(
          'billing.credit-note-issued',
          creditNoteDocument(o, createdAt),
          `stripe:credit-note-issued:${str(o.id)}`,
        ),
      ];
    case 'invoice.paid': {
      // Nothing was paid (a zero invoice): there is no payment to announce.
      if (!paymentId) return [];
      return [
        announce(
          'billing.payment-received',
          {
            paymentId,
            invoiceId: str(o.id),
            customerId: str(o.customer),
            amount: money(o.amount_paid, o.currency),
            receivedOn: isoDay(num(obj(o.status_transitions).paid_at) || event.created),
            eventCreatedAt: createdAt,
          },
          `stripe:payment-received:${str(o.id)}`,
        ),
      ];
    }
    case 'invoice.voided':
    case 'invoice.marked_uncollectible': {
      const status = event.type === 'invoice.voided' ? 'void' : 'uncollectible';
      const transitions = obj(o.status_transitions);
      const at = num(status === 'void' ? transitions.voided_at : transitions.marked_uncollectible_at);
      const subscription = str(obj(obj(o.parent).subscription_details).subscription);
      return [
        announce(
          'billing.invoice-voided',
          {
            invoiceId: str(o.id),
            customerId: str(o.customer),
            ...(subscription ? { subscriptionId: subscription } : {}),
            status,
            total: money(o.total, o.currency),
            voidedOn: isoDay(at || event.created),
            eventCreatedAt: createdAt,
          },
          `stripe:invoice-${status}:${str(o.id)}`,
        ),
      ];
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const contractId = str(obj(o.metadata)[CONTRACT_KEY]);
      if (!contractId) return [];
      return [
        announce(
          'billing.subscription-changed',
          {
            contractId,
            subscriptionId: str(o.id),
            customerId: str(o.customer),
            status: str(o.status),
            itemIds: Object.fromEntries(
              list(o.items).map((i) => [str(obj(i.metadata)[LINE_KEY]) || str(i.id), str(i.id)]),
            ),
            eventCreatedAt: createdAt,
          },
          `stripe:${event.id}`,
          true,
        ),
      ];
    }
    default:
      return [];
  }
}

function invoiceDocument(o: Obj, createdAt: string): BillingDocumentPayload {
  const subscription = str(obj(obj(o.parent).subscription_details).subscription);
  return {
    documentId: str(o.id),
    ...(str(o.number) ? { number: str(o.number) } : {}),
    customerId: str(o.customer),
    ...(subscription ? { subscriptionId: subscription } : {}),
    total: money(o.total, o.currency),
    tax: taxOf(o),
    issuedOn: isoDay(num(obj(o.status_transitions).finalized_at) || num(o.created)),
    lines: list(o.lines).map((line) => {
      const parent = obj(line.parent);
      const details = obj(parent.subscription_item_details ?? parent.invoice_item_details);
      const period = obj(line.period);
      const priceId = str(obj(obj(line.pricing).price_details).price);
      return {
        lineId: str(line.id),
        description: str(line.description),
        amount: money(line.amount, o.currency),
        proration: details.proration === true,
        periodStart: isoDay(num(period.start)),
        periodEnd: isoDay(num(period.end)),
        ...(priceId ? { priceId } : {}),
      };
    }),
    eventCreatedAt: createdAt,
  };
}

function creditNoteDocument(o: Obj, createdAt: string): BillingDocumentPayload {
  return {
    documentId: str(o.id),
    ...(str(o.number) ? { number: str(o.number) } : {}),
    customerId: str(o.customer),
    total: money(o.total, o.currency),
    tax: taxOf(o),
    issuedOn: isoDay(num(o.effective_at) || num(o.created)),
    lines: list(o.lines).map((line) => ({
      lineId: str(line.id),
      description: str(line.description),
      amount: money(line.amount, o.currency),
      proration: false,
    })),
    eventCreatedAt: createdAt,
  };
}
