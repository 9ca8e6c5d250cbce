import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A usage event as received through POST /v1/usage, once per identifier, with the billing command that reported it. */
@Entity({ name: 'usage_events' })
export class UsageEventEntity {
  /** The sender's identifier: the dedup key here and the meter event's identifier in the billing platform. */
  @PrimaryColumn({ type: 'text' })
  identifier: string;

  @Column({ name: 'contract_id', type: 'text' })
  contractId: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId: string;

  @Column({ name: 'product_code', type: 'text' })
  productCode: string;

  /** A decimal, read back as a string. */
  @Column({ type: 'numeric' })
  quantity: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  /** The idempotency key of the billing.report-usage command that carries it. */
  @Column({ name: 'command_key', type: 'text' })
  commandKey: string;

  /** The ingestion (POST /v1/usage) that staged it. */
  @Column({ name: 'ingestion_id', type: 'uuid', nullable: true })
  ingestionId: string | null;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
