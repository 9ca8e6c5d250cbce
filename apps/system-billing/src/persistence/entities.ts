import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A Stripe write planned for a command step: its parameters are fixed on the first attempt, so every retry sends
 * the very same request under the same Idempotency-Key, and the answer is kept once it came. */
@Entity({ name: 'stripe_requests' })
export class StripeRequestEntity {
  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ type: 'text' })
  operation: string;

  @Column({ type: 'jsonb' })
  params: object;

  @Column({ type: 'jsonb', nullable: true })
  response: object | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

/** A contract and the billing objects that carry it. */
@Entity({ name: 'contract_links' })
export class ContractLinkEntity {
  @PrimaryColumn({ name: 'contract_id', type: 'text' })
  contractId: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ name: 'subscription_id', type: 'text', unique: true })
  subscriptionId: string;

  @Column({ name: 'schedule_id', type: 'text', nullable: true })
  scheduleId: string | null;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** Every Stripe event of a type Revline reads, taken in once (webhook or poller): the primary key is the dedup. */
@Entity({ name: 'stripe_events' })
@Index('stripe_events_received_at', ['receivedAt'])
export class StripeEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ name: 'object_id', type: 'text' })
  objectId: string;

  @Column({ type: 'bigint' })
  created: string;

  @Column({ type: 'text' })
  source: 'webhook' | 'poller';

  @Column({ type: 'boolean' })
  stale: boolean;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}

/** The newest state seen of each Stripe object: an older event never overwrites it. */
@Entity({ name: 'stripe_objects' })
export class StripeObjectEntity {
  @PrimaryColumn({ name: 'object_id', type: 'text' })
  objectId: string;

  @Column({ name: 'object_type', type: 'text' })
  objectType: string;

  @Column({ name: 'event_id', type: 'text' })
  eventId: string;

  @Column({ name: 'event_created', type: 'bigint' })
  eventCreated: string;

  @Column({ type: 'jsonb' })
  data: object;
}

/** Where the /v1/events poller has read up to. */
@Entity({ name: 'stripe_event_cursor' })
export class StripeEventCursorEntity {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ name: 'last_created', type: 'bigint' })
  lastCreated: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

export const BILLING_ENTITIES = [
  StripeRequestEntity,
  ContractLinkEntity,
  StripeEventEntity,
  StripeObjectEntity,
  StripeEventCursorEntity,
];
