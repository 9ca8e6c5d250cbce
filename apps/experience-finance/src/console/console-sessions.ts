import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { Principal, Role, SessionAuthenticator } from '@revline/auth';
import { ApiKeys, AuditLog, effectiveRoles, ROLES } from '@revline/auth';
import { clientAddress, consumeRateLimit, DomainError } from '@revline/http';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ConsoleConfig } from './console.config';
import { ConsoleSessionEntity } from './console-session.entity';

/** The cookie that carries a finance console session. */
export const SESSION_COOKIE = 'revline_session';
/** The header a console write repeats the session's CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';
/** The problem type of a write with a session cookie but without its CSRF token. */
export const CSRF_PROBLEM = 'https://docs.revline.dev/problems/csrf-token';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What a signed-in console knows of its session. */
export interface SessionView {
  keyId: string;
  name: string;
  roles: Role[];
  effectiveRoles: Role[];
  csrfToken: string;
  expiresAt: string;
}

interface LiveSession {
  session: ConsoleSessionEntity;
  principal: Principal;
}

/** The token of the request's session cookie, if it has one. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const token = fastifyCookie.parse(header)[SESSION_COOKIE];
  return token ? token : undefined;
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Finance console sessions, kept in Postgres: a browser signs in once with an API key and gets a random token in an
 * httpOnly, Secure, SameSite=Strict cookie. Only the token's SHA-256 is stored, with the key's id, a CSRF token and
 * the expiry (CONSOLE_SESSION_TTL_SECONDS); every request reads the session joined to its key, so signing out,
 * expiry and revoking the key each end it at once. Writes must repeat the CSRF token in `x-csrf-token`.
 */
@Injectable()
export class ConsoleSessions implements SessionAuthenticator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: ConsoleConfig,
    private readonly audit: AuditLog,
    private readonly keys: ApiKeys,
  ) {}

  /** Opens a session for an authenticated key, sets its cookie, and answers what the console needs of it. */
  async open(principal: Principal, reply: FastifyReply): Promise<SessionView> {
    const token = randomBytes(32).toString('base64url');
    const ttl = this.config.CONSOLE_SESSION_TTL_SECONDS;
    const session = await this.dataSource.transaction(async (manager) => {
      const saved = await manager.getRepository(ConsoleSessionEntity).save({
        tokenHash: sha256(token),
        keyId: principal.keyId,
        csrfToken: randomBytes(32).toString('base64url'),
        expiresAt: new Date(Date.now() + ttl * 1000),
        revokedAt: null,
      });
      await this.audit.append(
        {
          actor: `api-key:${principal.keyId} (${principal.name})`,
          action: 'console-session.open',
          target: saved.id,
          after: { expiresAt: saved.expiresAt.toISOString() },
        },
        manager,
      );
      return saved;
    });
    void reply.header('set-cookie', this.cookie(token, ttl));
    return this.view({ session, principal });
  }

  /** The request's live session, or a 401 that says why there is none. */
  async current(request: FastifyRequest): Promise<SessionView> {
    const live = await this.live(request);
    if (!live) throw this.noSession(request);
    return this.view(live);
  }

  /** Ends the request's session (if it is still live) and clears its cookie; signing out twice is no error. */
  async close(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const live = await this.live(request);
    if (live) {
      if (!READS.has(request.method)) this.assertCsrf(request, live.session);
      await this.dataSource.transaction(async (manager) => {
        await manager
          .getRepository(ConsoleSessionEntity)
          .update({ id: live.session.id }, { revokedAt: new Date() });
        await this.audit.append(
          {
            actor: `api-key:${live.principal.keyId} (${live.principal.name})`,
            action: 'console-session.close',
            target: live.session.id,
          },
          manager,
        );
      });
    }
    void reply.header('set-cookie', this.cookie('', 0));
  }

  /** The guard's hook: the principal of the request's session, undefined without a session cookie. */
  async principalOfSession(request: FastifyRequest): Promise<Principal | undefined> {
    if (sessionTokenOf(request) === undefined) return undefined;
    const live = await this.live(request);
    if (!live) {
      // Counted as any request without a valid key is.
      await consumeRateLimit(request, 'unauthenticated', clientAddress(request));
      throw this.noSession(request);
    }
    if (!READS.has(request.method)) this.assertCsrf(request, live.session);
    return live.principal;
  }

  /** The live session of the request's cookie with its key: not signed out, not expired, its key not revoked. */
  private async live(request: FastifyRequest): Promise<LiveSession | null> {
    const token = sessionTokenOf(request);
    if (token === undefined) return null;
    const session = await this.dataSource
      .getRepository(ConsoleSessionEntity)
      .createQueryBuilder('s')
      .where('s.token_hash = :hash', { hash: sha256(token) })
      .andWhere('s.revoked_at IS NULL')
      .andWhere('s.expires_at > now()')
      .getOne();
    if (!session) return null;
    // The key as it is now: a revoked key's sessions end with it.
    const principal = await this.keys.principalOf(session.keyId);
    return principal ? { session, principal } : null;
  }

  private assertCsrf(request: FastifyRequest, session: ConsoleSessionEntity): void {
    const given = request.headers[CSRF_HEADER];
    if (typeof given === 'string' && sameText(given, session.csrfToken)) return;
    throw new DomainError(
      403,
      `A write with the console session must carry the session's CSRF token in the ${CSRF_HEADER} header (GET /v1/session returns it)`,
      undefined,
      { type: CSRF_PROBLEM },
    );
  }

  private noSession(request: FastifyRequest): UnauthorizedException {
    return new UnauthorizedException(
      sessionTokenOf(request) === undefined
        ? 'Not signed in: POST /v1/session with an API key opens a console session'
        : 'The console session has ended (signed out, expired, or its API key was revoked): sign in again',
    );
  }

  private view({ session, principal }: LiveSession): SessionView {
    const held = effectiveRoles(principal.roles);
    return {
      keyId: principal.keyId,
      name: principal.name,
      roles: principal.roles,
      effectiveRoles: ROLES.filter((role) => held.has(role)),
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt.toISOString(),
    };
  }

  private cookie(token: string, maxAge: number): string {
    return fastifyCookie.serialize(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'strict',
      maxAge,
    });
  }
}
