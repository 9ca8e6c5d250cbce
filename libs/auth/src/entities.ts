import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from './roles';

export const PLATFORM_SCHEMA = 'platform';

/** An API key: only its SHA-256 is kept; the key itself is shown once, when it is created. */
@Entity({ schema: PLATFORM_SCHEMA, name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** The first characters of the key, to tell keys apart in lists. */
  @Column({ type: 'text' })
  prefix: string;

  @Index('api_keys_key_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'text' })
  keyHash: string;

  @Column({ type: 'text', array: true })
  roles: Role[];

  @Column({ name: 'created_by', type: 'text' })
  createdBy: string;

  /** The person (their id) or service the key acts for; maker-checker compares owners. */
  @Column({ type: 'text' })
  owner: string;

  /** The owners of the keys that minted this one, up to a root key: each could have used it. */
  @Column({ name: 'minted_by_owners', type: 'text', array: true, default: () => "'{}'" })
  mintedByOwners: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}

/** Append-only and hash-chained: each row's hash covers its content and the previous row's hash. */
@Entity({ schema: PLATFORM_SCHEMA, name: 'audit_log' })
@Index('IDX_audit_log_target', ['target', 'id'])
export class AuditLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'text' })
  actor: string;

  @Column({ type: 'text' })
  action: string;

  @Column({ type: 'text' })
  target: string;

  @Column({ type: 'jsonb', nullable: true })
  before: object | null;

  @Column({ type: 'jsonb', nullable: true })
  after: object | null;

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId: string | null;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash: string;

  @Column({ type: 'text', unique: true })
  hash: string;

  /** How `hash` was computed (see audit-chain.ts): rows before canonical hashing are `legacy`. */
  @Column({ name: 'hash_scheme', type: 'text', default: 'legacy' })
  hashScheme: string;
}

export const AUTH_ENTITIES = [ApiKeyEntity, AuditLogEntity];
