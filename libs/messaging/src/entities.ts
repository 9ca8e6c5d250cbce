import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The columns that name a queued message: where it goes, what it is, its idempotency key and its envelope. */
abstract class QueuedMessageColumns {
  @Column({ type: 'text' })
  queue: string;

  @Column({ type: 'text' })
  job: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ type: 'jsonb' })
  envelope: object;
}

/** A message a state change emitted, written in the same transaction; the relay moves it to its queue. */
@Entity({ name: 'outbox' })
@Index('outbox_job_idempotency_key', ['job', 'idempotencyKey'], { unique: true })
@Index('outbox_unpublished', ['id'], { where: '"published_at" IS NULL' })
@Index('outbox_undelivered', ['publishedAt'], { where: '"delivered_at" IS NULL' })
@Index('outbox_delivered', ['deliveredAt'], { where: '"delivered_at" IS NOT NULL' })
export class OutboxMessageEntity extends QueuedMessageColumns {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'message_id', type: 'uuid', unique: true })
  messageId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'published_at', type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /** When the consumer confirmed it applied the message (or parked it as an exception); null until then. */
  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt: Date | null;
}

/** One row per message a consumer has applied; written in the transaction of the handler's effect. */
@Entity({ name: 'inbox' })
@Index('inbox_processed_at', ['processedAt'])
export class InboxEntryEntity {
  @PrimaryColumn({ type: 'text' })
  consumer: string;

  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId: string;

  @CreateDateColumn({ name: 'processed_at', type: 'timestamptz' })
  processedAt: Date;
}

export type ExceptionStatus = 'open' | 'retrying' | 'resolved';

/** A job that will not succeed by retrying: parked for an operator with a category and a plain reason. */
@Entity({ name: 'exceptions' })
@Index('exceptions_job_idempotency_key', ['job', 'idempotencyKey'], { unique: true })
@Index('exceptions_open', ['category', 'firstSeenAt'], { where: `"status" <> 'resolved'` })
// process-q2c's captures refused by contract (an expression index, made by its migration).
@Index('exceptions_refused_capture', { synchronize: false })
export class ExceptionEntity extends QueuedMessageColumns {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  category: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'text', default: 'open' })
  status: ExceptionStatus;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ type: 'jsonb', default: {} })
  details: object;

  @Column({ type: 'int', default: 1 })
  occurrences: number;

  @CreateDateColumn({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  resolution: string | null;
}

export const MESSAGING_ENTITIES = [OutboxMessageEntity, InboxEntryEntity, ExceptionEntity];
