import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A canonical event, stored once and never changed (a trigger refuses UPDATE and DELETE). `sourceKey` is the
 * business key of what produced it (e.g. the activation of one Salesforce order), so a second delivery of the
 * same change under another message id still cannot store a second event.
 */
@Entity({ name: 'canonical_events' })
@Index('canonical_events_contract', ['contractId', 'recordedAt'])
export class CanonicalEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'uuid' })
  eventId: string;

  @Column({ name: 'source_key', type: 'text', unique: true })
  sourceKey: string;

  @Column({ name: 'event_type', type: 'text' })
  eventType: string;

  @Column({ name: 'schema_version', type: 'text' })
  schemaVersion: string;

  @Column({ name: 'contract_id', type: 'text' })
  contractId: string;

  @Column({ name: 'mapping_version', type: 'int' })
  mappingVersion: number;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ name: 'causation_id', type: 'text', nullable: true })
  causationId: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  @Column({ type: 'jsonb' })
  payload: object;
}
