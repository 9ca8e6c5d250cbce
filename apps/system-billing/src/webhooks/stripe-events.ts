import { Injectable } from '@nestjs/common';
import type { BillingDocumentPayload } from '@revline/messaging';
import { Outbox } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { CONTRACT_KEY, LINE_KEY } from '../stripe/contract-change.plans';
import { isoDay } from '../stripe/stripe-keys';

/** The part of a Stripe event Revline reads; verified before it gets here, so only its shape is checked. */
export interface StripeEventLike {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown> & { id?: unknown; object?: unknown } };
}

export type IngestOutcome = 'accepted' | 'duplicate' | 'stale';

type Obj = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const list = (v: unknown): Obj[] => (Array.isArray(obj(v).data) ? (obj(v).data as Obj[]) : []);
const money = (amount: unknown, currency: unknown) => ({
  amountMinor: String(num(amount)),
  currency: str(currency).toUpperCase(),
});

export function isStripeEvent(value: unknown): value is StripeEventLike {
  const v = obj(value);
  return (
    typeof v.id === 'string' &&
    typeof v.type === 'string' &&
    typeof v.created === 'number' &&
    typeof obj(v.data).object === 'object'
  );
}

/**
 * Takes a Stripe event in once, from the webhook or the poller: the event id is the dedup (a primary key), the
 * newest `created` per object is the state kept (an older event never overwrites it), and what Revline must hear
 * is queued through the outbox in the same transaction.
 */
@Injectable()
export class StripeEventIngest {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async ingest(event: StripeEventLike, source: 'webhook' | 'poller'): Promise<IngestOutcome> {
    const object = event.data.object;
    const objectId = str(object.id);
    const schema = this.dataSource.driver.schema ?? 'billing';
    return this.dataSource.transaction(async (manager) => {
      const kept = await manager.query<unknown[]>(
        `INSERT INTO "${schema}"."stripe_objects" ("object_id", "object_type", "event_id", "event_created", "data")
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("object_id") DO UPDATE SET "event_id" = EXCLUDED."event_id", "event_created" = EXCLUDED."event_created",
           "data" = EXCLUDED."data", "object_type" = EXCLUDED."object_type"
         WHERE "stripe_objects"."event_created" <= EXCLUDED."event_created"
         RETURNING "object_id"`,
        [objectId, str(object.object), event.id, event.created, JSON.stringify(object)],
      );
      const stale = kept.length === 0;
      const inserted = await manager.query<unknown[]>(
        `INSERT INTO "${schema}"."stripe_events" ("event_id", "type", "object_id", "created", "source", "stale")
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT ("event_id") DO NOTHING RETURNING "event_id"`,
        [event.id, event.type, objectId, event.created, source, stale],
      );
      if (inserted.length === 0) {
        // A duplicate delivery: undo nothing it may have touched (same event, same data) and queue nothing.
        return 'duplicate';
      }
      await this.announce(manager, event, stale);
      return stale ? 'stale' : 'accepted';
    });
  }

  private async announce(manager: EntityManager, event: StripeEventLike, stale: boolean): Promise<void> {
    const o = event.data.object;
    const createdAt = new Date(event.created * 1000).toISOString();
    switch (event.type) {
      case 'invoice.finalized':
        await this.outbox.add(manager, 'billing.invoice-issued', invoiceDocument(o, createdAt), {
          idempotencyKey: `stripe:invoice-issued:${str(o.id)}`,
        });
        return;
      case 'credit_note.created':
        await this.outbox.add(manager, 'billing.credit-note-issued', creditNoteDocument(o, createdAt), {
          idempotencyKey: `stripe:credit-note-issued:${str(o.id)}`,
        });
        return;
      case 'invoice.paid': {
        const payment = list(o.payments).at(0);
        await this.outbox.add(
          manager,
          'billing.payment-received',
          {
            paymentId: str(payment ? payment.id : undefined) || `${str(o.id)}:paid`,
            invoiceId: str(o.id),
            customerId: str(o.customer),
            amount: money(o.amount_paid, o.currency),
            receivedOn: isoDay(num(obj(o.status_transitions).paid_at) || event.created),
            eventCreatedAt: createdAt,
          },
          { idempotencyKey: `stripe:payment-received:${str(o.id)}` },
        );
        return;
      }
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted': {
        const contractId = str(obj(o.metadata)[CONTRACT_KEY]);
        if (stale || !contractId) return;
        const items = list(o.items);
        await this.outbox.add(
          manager,
          'billing.subscription-changed',
          {
            contractId,
            subscriptionId: str(o.id),
            customerId: str(o.customer),
            status: str(o.status),
            itemIds: Object.fromEntries(
              items.map((i) => [str(obj(i.metadata)[LINE_KEY]) || str(i.id), str(i.id)]),
            ),
            eventCreatedAt: createdAt,
          },
          { idempotencyKey: `stripe:${event.id}` },
        );
        return;
      }
      default:
        return;
    }
  }
}

function invoiceDocument(o: Obj, createdAt: string): BillingDocumentPayload {
  const subscription = str(obj(obj(o.parent).subscription_details).subscription);
  return {
    documentId: str(o.id),
    customerId: str(o.customer),
    ...(subscription ? { subscriptionId: subscription } : {}),
    total: money(o.total, o.currency),
    tax: money(0, o.currency),
    issuedOn: isoDay(num(obj(o.status_transitions).finalized_at) || num(o.created)),
    lines: list(o.lines).map((line) => {
      const parent = obj(line.parent);
      const details = obj(parent.subscription_item_details ?? parent.invoice_item_details);
      const period = obj(line.period);
      return {
        lineId: str(line.id),
        description: str(line.description),
        amount: money(line.amount, o.currency),
        proration: details.proration === true,
        periodStart: isoDay(num(period.start)),
        periodEnd: isoDay(num(period.end)),
      };
    }),
    eventCreatedAt: createdAt,
  };
}

function creditNoteDocument(o: Obj, createdAt: string): BillingDocumentPayload {
  return {
    documentId: str(o.id),
    customerId: str(o.customer),
    total: money(o.total, o.currency),
    tax: money(0, o.currency),
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
