import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { MappingDefinition } from './mapping-definition';

export type MappingStatus = 'proposed' | 'active' | 'superseded' | 'rejected';

/** One version of the field mappings, product catalogue and systems of record; at most one is active. */
@Entity({ name: 'mapping_versions' })
@Index('mapping_versions_one_active', ['status'], { unique: true, where: `"status" = 'active'` })
export class MappingVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'int', unique: true })
  version: number;

  @Column({ type: 'text' })
  status: MappingStatus;

  @Column({ name: 'based_on_version', type: 'int', nullable: true })
  basedOnVersion: number | null;

  @Column({ type: 'jsonb' })
  definition: MappingDefinition;

  @Column({ type: 'text' })
  summary: string;

  @Column({ name: 'proposed_by', type: 'text' })
  proposedBy: string;

  /** The key it was proposed with: maker-checker compares that key's owner with the approver's. */
  @Column({ name: 'proposed_by_key_id', type: 'uuid', nullable: true })
  proposedByKeyId: string | null;

  @Column({ name: 'proposed_at', type: 'timestamptz' })
  proposedAt: Date;

  @Column({ name: 'decided_by', type: 'text', nullable: true })
  decidedBy: string | null;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;
}
