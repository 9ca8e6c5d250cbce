import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Role } from './roles';

export const PUBLIC_ROUTE = 'revline:public';
export const REQUIRED_ROLES = 'revline:roles';
export const RATE_BUDGET = 'revline:rate-budget';

/** A route's own rate budget, counted per key on top of the key's general one, for the requests `when` picks. */
export interface RouteRateLimit {
  budget: 'exports' | 'reconciliation-starts';
  when?: (request: FastifyRequest) => boolean;
}

/** The route answers without an API key: only health checks and signed webhooks. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** The route needs a key holding one of these roles (directly or implied). Routes without it: admins only. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(REQUIRED_ROLES, roles),
    ApiBearerAuth('api-key'),
    ApiUnauthorizedResponse({ description: 'No API key, or an unknown or revoked one' }),
    ApiForbiddenResponse({ description: `The key lacks the role: ${roles.join(' or ')}` }),
  );

/**
 * The route draws on a tighter budget of the key's (exports, reconciliation starts), on top of its general one;
 * with `when`, only for the requests it picks (a route that answers JSON or CSV: its CSV exports).
 */
export const RateLimited = (
  budget: RouteRateLimit['budget'],
  when?: RouteRateLimit['when'],
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(RATE_BUDGET, { budget, when } satisfies RouteRateLimit),
    ApiTooManyRequestsResponse({
      description: `Too many requests: the key's general budget, or its ${budget} budget, is spent for the minute; Retry-After says when to come back`,
    }),
  );

/** The route is never rate limited by the guard: health checks, and the signed webhook (which counts its refusals). */
export const NotRateLimited = (): MethodDecorator & ClassDecorator => SetMetadata(RATE_BUDGET, 'none');
