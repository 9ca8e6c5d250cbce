import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A finance console session: opened by signing in with an API key, carried by an httpOnly cookie. Only the SHA-256
 * of the cookie's token is kept; the CSRF token is returned to the signed-in page, which sends it with each write.
 */
@Entity({ name: 'console_sessions' })
export class ConsoleSessionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index('console_sessions_token_hash', { unique: true })
  @Column({ name: 'token_hash', type: 'text' })
  tokenHash: string;

  @Index('console_sessions_key_id')
  @Column({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @Column({ name: 'csrf_token', type: 'text' })
  csrfToken: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Set when the session is signed out. */
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
