import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** The last CDC replay id whose changes are safely queued, per channel; resumed from after a restart. */
@Entity({ name: 'cdc_position' })
export class CdcPositionEntity {
  @PrimaryColumn({ type: 'text' })
  channel: string;

  @Column({ name: 'replay_id', type: 'text' })
  replayId: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/** A poller's compound `(SystemModstamp, Id)` cursor: `orders` for the safety net, `backfill:<id>` for a backfill. */
@Entity({ name: 'poll_cursor' })
export class PollCursorEntity {
  @PrimaryColumn({ type: 'text' })
  name: string;

  @Column({ type: 'timestamptz' })
  stamp: Date;

  @Column({ name: 'record_id', type: 'text' })
  recordId: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/**
 * What Revline last queued for each record: a hash of its business content and a revision. A change is queued
 * when the content differs, so the same change seen twice (by CDC and the poller, or a duplicate event) queues
 * once, a genuine second update in the same second still queues, and a write-back-only change queues nothing.
 */
@Entity({ name: 'captured_record' })
export class CapturedRecordEntity {
  @PrimaryColumn({ name: 'object_type', type: 'text' })
  objectType: string;

  @PrimaryColumn({ name: 'record_id', type: 'text' })
  recordId: string;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash: string;

  /** The hash of what never changes in the record's life (`orderIdentity`); null for rows captured before it. */
  @Column({ name: 'identity_hash', type: 'text', nullable: true })
  identityHash: string | null;

  @Column({ type: 'int' })
  revision: number;

  @Column({ name: 'change_stamp', type: 'timestamptz' })
  changeStamp: Date;

  @Column({ name: 'captured_at', type: 'timestamptz', default: () => 'now()' })
  capturedAt: Date;
}

export type BackfillStatus = 'running' | 'completed' | 'failed';

@Entity({ name: 'backfill' })
export class BackfillEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'from_stamp', type: 'timestamptz' })
  fromStamp: Date;

  @Column({ type: 'text', default: 'running' })
  status: BackfillStatus;

  @Column({ name: 'orders_queued', type: 'int', default: 0 })
  ordersQueued: number;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

export const CAPTURE_ENTITIES = [CdcPositionEntity, PollCursorEntity, CapturedRecordEntity, BackfillEntity];
