import { Inject, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  clientAddress,
  consumeRateLimit,
  DomainError,
  MISSING_ROLE_PROBLEM,
  missingRoleDetail,
  refuseSpentRateLimit,
} from '@revline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isServiceOwner } from './service-key';
import type { Principal } from './api-keys.service';
import { ApiKeys } from './api-keys.service';
import type { RouteRateLimit } from './decorators';
import { PUBLIC_ROUTE, RATE_BUDGET, REQUIRED_ROLES } from './decorators';
import type { Role } from './roles';
import { effectiveRoles } from './roles';
import type { SessionAuthenticator } from './session-authenticator';
import { SESSION_AUTHENTICATOR } from './session-authenticator';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  /** The service key that carried the request for `principal` (x-revline-acting-key), when one did. */
  carriedBy?: Principal;
}

/**
 * The header a service key (experience-finance's) names the key of the person it acts for with: the request is then
 * authorised, audited and checked for maker-checker as that person's. Any other key sending it is refused.
 */
export const ACTING_KEY_HEADER = 'x-revline-acting-key';

/** The problem type of a key that named an acting key without being a service key. */
export const ACTING_KEY_PROBLEM = 'https://docs.revline.dev/problems/acting-key';

/** A 403 of its own problem type for a key without the route's role; it names the role, not the key's roles. */
export function missingRole(required: readonly string[]): DomainError {
  return new DomainError(403, missingRoleDetail(required), undefined, {
    type: MISSING_ROLE_PROBLEM,
    requiredRoles: required.join(' '),
  });
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}

/**
 * Deny by default: every route needs a valid key (or, in an app that accepts them, a browser session) unless
 * marked @Public, and a route that names no roles is for integration admins only. Rate limits are counted here, where the caller is known: per key once it is
 * authenticated, per client address before (a public route, no key, an unknown or revoked one).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
    @Optional()
    @Inject(SESSION_AUTHENTICATOR)
    private readonly sessions: SessionAuthenticator | null = null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const limit = this.reflector.getAllAndOverride<RouteRateLimit | 'none' | undefined>(RATE_BUDGET, targets);
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets)) {
      if (limit !== 'none') await consumeRateLimit(request, 'key', clientAddress(request), reply);
      return true;
    }
    const authenticated = await this.authenticate(request);
    const principal = await this.actingFor(request, authenticated);
    // A service key carries many people's requests (experience-finance's to process-q2c): they were counted, each
    // under its own key, where they came in.
    if (!isServiceOwner(authenticated.owner)) await consumeRateLimit(request, 'key', principal.keyId, reply);
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [
      'integration.admin',
    ];
    const held = effectiveRoles(principal.roles);
    if (!required.some((role) => held.has(role))) {
      throw missingRole(required);
    }
    if (typeof limit === 'object' && (limit.when?.(request) ?? true))
      await consumeRateLimit(request, limit.budget, principal.keyId);
    request.principal = principal;
    if (principal !== authenticated) request.carriedBy = authenticated;
    return true;
  }

  /**
   * The person a service key acts for (the live key named by x-revline-acting-key), or the authenticated key itself
   * when the header is absent. Only a service key may name one: anyone else is refused, and so is an unknown or
   * revoked acting key.
   */
  private async actingFor(request: FastifyRequest, authenticated: Principal): Promise<Principal> {
    const header = request.headers[ACTING_KEY_HEADER];
    if (header === undefined) return authenticated;
    if (!isServiceOwner(authenticated.owner))
      throw new DomainError(
        403,
        `Only a service key may act for another key (${ACTING_KEY_HEADER})`,
        undefined,
        {
          type: ACTING_KEY_PROBLEM,
        },
      );
    const keyId = typeof header === 'string' ? header : '';
    const acting = /^[0-9a-f-]{36}$/i.test(keyId) ? await this.keys.principalOf(keyId) : null;
    if (!acting)
      throw new UnauthorizedException(`The key named by ${ACTING_KEY_HEADER} is unknown or revoked`);
    return acting;
  }

  /** The key in the Authorization header; without one, the request's session when the app accepts sessions. */
  private async authenticate(request: FastifyRequest): Promise<Principal> {
    if (request.headers.authorization === undefined && this.sessions) {
      const principal = await this.sessions.principalOfSession(request);
      if (principal) return principal;
    }
    return authenticateRequest(this.keys, request);
  }
}

/**
 * The principal of the key a request brings, or a 401 (a 429 once its address has spent its unauthenticated
 * budget). A key not in the cache costs a database lookup, so once that budget is spent it is refused before the
 * lookup; each request that does not authenticate counts.
 */
export async function authenticateRequest(keys: ApiKeys, request: FastifyRequest): Promise<Principal> {
  const address = clientAddress(request);
  const token = bearerToken(request.headers.authorization);
  const cached = token ? keys.cachedPrincipal(token) : null;
  if (cached) return cached;
  if (token && cached === undefined) {
    await refuseSpentRateLimit(request, 'unauthenticated', address);
    const principal = await keys.authenticate(token);
    if (principal) return principal;
  }
  await consumeRateLimit(request, 'unauthenticated', address);
  throw new UnauthorizedException(
    token
      ? 'The API key is unknown or has been revoked'
      : 'An API key is required: send "Authorization: Bearer <key>"',
  );
}
