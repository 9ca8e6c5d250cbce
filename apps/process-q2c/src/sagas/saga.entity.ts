import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { SagaData } from './saga-data';

/**
 * One saga per contract change (per stored canonical event): where it stands, what it waits for and until when.
 * Every transition is written in the transaction of the inbox row of the message that caused it and of the outbox
 * messages it emits.
 */
@Entity({ name: 'sagas' })
@Index('sagas_contract', ['contractId', 'startedAt'])
@Index('sagas_deadline', ['status', 'slaDeadline'])
@Index('sagas_unfinished', ['contractId'], { where: `"status" <> 'completed'` })
// Expression indexes on the saga's data (migration SagaWaitIndexes1764400000710).
@Index('sagas_awaiting_invoice', { synchronize: false })
@Index('sagas_awaiting_renewal', { synchronize: false })
@Index('sagas_step_subscription', { synchronize: false })
export class SagaEntity {
  @PrimaryColumn({ name: 'saga_id', type: 'uuid' })
  sagaId: string;

  /** The canonical event that started it: one saga per contract change, ever. */
  @Column({ name: 'event_id', type: 'uuid', unique: true })
  eventId: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'contract_id', type: 'text' })
  contractId: string;

  /** running | waiting | parked | completed */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text' })
  step: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  /** When Salesforce committed the change: the start of the sync latency. */
  @Column({ name: 'committed_at', type: 'timestamptz' })
  committedAt: Date;

  /** Until when the current wait may last before it becomes a confirmation_timeout exception. */
  @Column({ name: 'sla_deadline', type: 'timestamptz', nullable: true })
  slaDeadline: Date | null;

  @Column({ type: 'jsonb' })
  data: SagaData;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'started_at', type: 'timestamptz' })
  startedAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

/** A command a saga sent, by its idempotency key, and the confirmation that came back. */
@Entity({ name: 'saga_commands' })
@Index('saga_commands_saga', ['sagaId'])
// Usage invoices by contract, an expression index (migration SagaLookupIndexes1764400002100).
@Index('saga_commands_usage_invoice', { synchronize: false })
export class SagaCommandEntity {
  @PrimaryColumn({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ name: 'saga_id', type: 'uuid' })
  sagaId: string;

  @Column({ type: 'text' })
  step: string;

  @Column({ type: 'text' })
  job: string;

  /** sent | confirmed | rejected */
  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'external_id', type: 'text', nullable: true })
  externalId: string | null;

  @Column({ name: 'target_id', type: 'text', nullable: true })
  targetId: string | null;

  @Column({ type: 'jsonb' })
  payload: object;

  @CreateDateColumn({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;

  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;
}

/** Billing documents as the billing platform announced them, kept so a saga finds one that arrived early. */
@Entity({ name: 'billing_documents' })
@Index('billing_documents_customer', ['customerId', 'kind'])
@Index('billing_documents_subscription', ['subscriptionId', 'kind'])
@Index('billing_documents_saga', ['sagaId'])
export class BillingDocumentEntity {
  @PrimaryColumn({ name: 'document_id', type: 'text' })
  documentId: string;

  /** invoice | credit_note | payment */
  @Column({ type: 'text' })
  kind: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ name: 'subscription_id', type: 'text', nullable: true })
  subscriptionId: string | null;

  @Column({ name: 'saga_id', type: 'uuid', nullable: true })
  sagaId: string | null;

  @Column({ type: 'jsonb' })
  payload: object;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
