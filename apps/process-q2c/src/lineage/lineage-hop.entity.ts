import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One hop of a business object through the systems: which system, which object, its id there, what state it
 * reached and when, under which correlation and causation ids. Recording the same hop twice keeps one row.
 */
@Entity({ name: 'lineage' })
@Index('lineage_hop', ['correlationId', 'system', 'objectType', 'externalId', 'status'], { unique: true })
@Index('lineage_contract', ['contractId', 'occurredAt'])
@Index('lineage_recorded_at', ['recordedAt'])
export class LineageHopEntity {
  @Column({ name: 'contract_id', type: 'text', nullable: true })
  contractId: string | null;

  @Column({ type: 'text' })
  system: string;

  @Column({ name: 'object_type', type: 'text' })
  objectType: string;

  @Column({ name: 'external_id', type: 'text' })
  externalId: string;

  @Column({ type: 'text' })
  status: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ name: 'causation_id', type: 'text', nullable: true })
  causationId: string | null;

  @Column({ type: 'text', nullable: true })
  detail: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt: Date;

  /** The order hops were recorded in, which breaks ties between hops of one transaction; the row's key. */
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  seq: string;
}
