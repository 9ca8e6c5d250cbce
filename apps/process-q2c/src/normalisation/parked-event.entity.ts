import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ParkedStatus = 'parked' | 'released' | 'expired';

/**
 * A message that arrived before what it depends on (an amendment before its booking). It waits under a key
 * (`salesforce-contract:<id>`); storing the awaited fact releases it in the same transaction, and the relay
 * re-enqueues released rows until `republished_at` is set, so a crash in between loses nothing.
 */
@Entity({ name: 'parked_events' })
@Index('parked_events_job_idempotency_key', ['job', 'idempotencyKey'], { unique: true })
@Index('parked_events_waiting', ['waitKey'], { where: `"status" = 'parked'` })
@Index('parked_events_to_republish', ['releasedAt'], {
  where: `"status" = 'released' AND "republished_at" IS NULL`,
})
export class ParkedEventEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'wait_key', type: 'text' })
  waitKey: string;

  @Column({ type: 'text' })
  job: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey: string;

  @Column({ name: 'correlation_id', type: 'text' })
  correlationId: string;

  @Column({ type: 'text' })
  reason: string;

  @Column({ type: 'jsonb' })
  envelope: object;

  @Column({ type: 'text', default: 'parked' })
  status: ParkedStatus;

  @CreateDateColumn({ name: 'parked_at', type: 'timestamptz' })
  parkedAt: Date;

  @Column({ name: 'released_at', type: 'timestamptz', nullable: true })
  releasedAt: Date | null;

  @Column({ name: 'republished_at', type: 'timestamptz', nullable: true })
  republishedAt: Date | null;
}
