import { Injectable, Optional } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { eventObject } from '../http/includable';
import { ListIndex, VersionedMap } from '../http/list';
import { StripeSandboxConfig } from '../stripe-sandbox.config';
import { SANDBOX_API_VERSION } from '../webhooks/api-versions';
import type {
  CreditNote,
  Customer,
  Invoice,
  InvoiceItem,
  InvoicePayment,
  CoreEvent,
  Meter,
  MeterEvent,
  MeterEventSession,
  Price,
  Product,
  SigmaQueryRun,
  StripeEvent,
  StripeFile,
  Subscription,
  SubscriptionSchedule,
  TestClock,
  WebhookEndpoint,
} from './types';

export { SANDBOX_API_VERSION } from '../webhooks/api-versions';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An id the way Stripe writes them: a type prefix and a random tail (`cus_NffrFeUfNV2Hib`). */
export function stripeId(prefix: string, length = 24): string {
  const bytes = randomPool(length);
  let tail = '';
  for (const byte of bytes) tail += ALPHABET[byte % ALPHABET.length];
  return `${prefix}_${tail}`;
}

/** Random bytes drawn from a refilled 4 KiB pool: one system call per ~170 ids rather than one per id. */
let pool = Buffer.alloc(0);
let poolOffset = 0;
function randomPool(length: number): Buffer {
  if (poolOffset + length > pool.length) {
    pool = randomBytes(Math.max(4096, length));
    poolOffset = 0;
  }
  poolOffset += length;
  return pool.subarray(poolOffset - length, poolOffset);
}

export type EventListener = (event: StripeEvent) => void;

/** An Idempotency-Key's first request and its answer, replayed for 24 hours. */
export interface RememberedRequest {
  fingerprint: string;
  state: 'in_flight' | 'done';
  status: number;
  body: unknown;
  requestId: string;
  at: number;
}

/** The account as plain data (each object map's entries), to keep it across restarts. */
export type StripeSnapshot = Record<string, unknown>;

/** The object maps a snapshot carries, by name. */
const OBJECT_MAPS = [
  'customers',
  'products',
  'prices',
  'subscriptions',
  'schedules',
  'invoices',
  'invoiceItems',
  'invoicePayments',
  'creditNotes',
  'meters',
  'meterEvents',
  'meterEventSessions',
  'coreEvents',
  'testClocks',
  'webhookEndpoints',
  'sigmaQueryRuns',
  'files',
  'idempotencyKeys',
] as const;

/**
 * The sandbox account's state, in memory: one map per object type (insertion order is creation order), the
 * event log, and the clock. Objects attached to a test clock live at that clock's frozen time.
 */
@Injectable()
export class StripeStore {
  readonly customers = new Map<string, Customer>();
  readonly products = new Map<string, Product>();
  readonly prices = new Map<string, Price>();
  readonly subscriptions = new VersionedMap<string, Subscription>();
  readonly subscriptionList = new ListIndex(this.subscriptions);
  readonly schedules = new Map<string, SubscriptionSchedule>();
  readonly invoices = new VersionedMap<string, Invoice>();
  readonly invoiceList = new ListIndex(this.invoices);
  readonly invoiceItems = new Map<string, InvoiceItem>();
  readonly invoicePayments = new Map<string, InvoicePayment>();
  readonly creditNotes = new Map<string, CreditNote>();
  readonly meters = new Map<string, Meter>();
  readonly meterEvents = new Map<string, MeterEvent & { meter: string; customer: string }>();
  /** v2 meter event sessions by authentication token. */
  readonly meterEventSessions = new Map<string, MeterEventSession>();
  /** v2 events (`/v2/core/events`) by id, oldest first. */
  readonly coreEvents = new Map<string, CoreEvent>();
  readonly testClocks = new Map<string, TestClock>();
  readonly webhookEndpoints = new Map<string, WebhookEndpoint>();
  readonly sigmaQueryRuns = new Map<string, SigmaQueryRun>();
  /** Files with their contents, in chunks (a Sigma result can be hundreds of megabytes). */
  readonly files = new Map<string, { file: StripeFile; contents: Buffer[] }>();
  /** Idempotency keys in the order first seen (the oldest expire first). */
  readonly idempotencyKeys = new Map<string, RememberedRequest>();
  readonly events: StripeEvent[] = [];
  private readonly eventIndex = new Map<string, StripeEvent>();
  private readonly listeners: EventListener[] = [];
  private invoiceSequence = 0;
  private creditNoteSequence = 0;
  /** The Idempotency-Key of the request being handled, recorded on the events it causes. */
  currentRequest: { id: string; idempotencyKey: string | null } | null = null;
  /**
   * The account's default API version (SANDBOX_STRIPE_API_VERSION): events are created in it, and rendered in it
   * unless a webhook endpoint names its own.
   */
  accountApiVersion: string;

  constructor(@Optional() config?: StripeSandboxConfig) {
    this.accountApiVersion = config?.SANDBOX_STRIPE_API_VERSION ?? SANDBOX_API_VERSION;
  }

  snapshot(): StripeSnapshot {
    const maps = Object.fromEntries(OBJECT_MAPS.map((name) => [name, [...this[name].entries()]]));
    // A request still in flight at shutdown never answered: its key may be retried, as Stripe allows.
    maps.idempotencyKeys = [...this.idempotencyKeys.entries()].filter(([, r]) => r.state === 'done');
    return {
      ...maps,
      events: this.events,
      invoiceSequence: this.invoiceSequence,
      creditNoteSequence: this.creditNoteSequence,
    };
  }

  /** Replaces the account with a snapshot's; invoice and credit note numbering continues after it. */
  restore(snapshot: StripeSnapshot): void {
    for (const name of OBJECT_MAPS) {
      const map = this[name] as Map<string, unknown>;
      map.clear();
      for (const [id, object] of (snapshot[name] as Array<[string, unknown]> | undefined) ?? [])
        map.set(id, object);
    }
    this.events.length = 0;
    this.eventIndex.clear();
    for (const event of snapshot.events as StripeEvent[]) {
      this.events.push(event);
      this.eventIndex.set(event.id, event);
    }
    this.invoiceSequence = Math.max(this.invoiceSequence, snapshot.invoiceSequence as number);
    this.creditNoteSequence = Math.max(this.creditNoteSequence, snapshot.creditNoteSequence as number);
  }

  /** Moves with every event and every remembered request: together they follow every change. */
  get revision(): string {
    return `${String(this.events.length)}:${String(this.idempotencyKeys.size)}:${String(this.meterEvents.size)}:${String(this.coreEvents.size)}:${String(this.meterEventSessions.size)}:${String(this.files.size)}:${String(this.sigmaQueryRuns.size)}`;
  }

  /** Real time in Unix seconds, or the frozen time of a test clock. */
  now(testClock: string | null = null): number {
    if (testClock) {
      const clock = this.testClocks.get(testClock);
      if (clock) return clock.frozen_time;
    }
    return Math.floor(Date.now() / 1000);
  }

  clockOfCustomer(customerId: string): string | null {
    return this.customers.get(customerId)?.test_clock ?? null;
  }

  nowFor(customerId: string): number {
    return this.now(this.clockOfCustomer(customerId));
  }

  nextInvoiceNumber(): string {
    this.invoiceSequence += 1;
    return `RVL-${String(this.invoiceSequence).padStart(6, '0')}`;
  }

  nextCreditNoteNumber(): string {
    this.creditNoteSequence += 1;
    return `RVL-CN-${String(this.creditNoteSequence).padStart(6, '0')}`;
  }

  onEvent(listener: EventListener): void {
    this.listeners.push(listener);
  }

  /** Records an event with a deep copy of the object as it is now, and hands it to the webhook dispatcher. */
  emit(
    type: string,
    object: object,
    created: number,
    previousAttributes?: Record<string, unknown>,
  ): StripeEvent {
    const event: StripeEvent = {
      id: stripeId('evt'),
      object: 'event',
      type,
      api_version: this.accountApiVersion,
      created,
      livemode: false,
      data: {
        object: eventObject(structuredClone(object) as Record<string, unknown>) as Record<string, unknown>,
        ...(previousAttributes ? { previous_attributes: previousAttributes } : {}),
      },
      pending_webhooks: 0,
      request: {
        id: this.currentRequest?.id ?? null,
        idempotency_key: this.currentRequest?.idempotencyKey ?? null,
      },
    };
    this.events.push(event);
    this.eventIndex.set(event.id, event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  event(id: string): StripeEvent | undefined {
    return this.eventIndex.get(id);
  }
}
