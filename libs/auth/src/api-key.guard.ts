import { ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Principal } from './api-keys.service';
import { ApiKeys } from './api-keys.service';
import { PUBLIC_ROUTE, REQUIRED_ROLES } from './decorators';
import type { Role } from './roles';
import { effectiveRoles } from './roles';

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? /^Bearer\s+(\S+)$/i.exec(value) : null;
  return match?.[1];
}

/**
 * Deny by default: every route needs a valid key unless marked @Public, and a route that names no roles is
 * for integration admins only.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeys,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new UnauthorizedException('An API key is required: send "Authorization: Bearer <key>"');
    const principal = await this.keys.authenticate(token);
    if (!principal) throw new UnauthorizedException('The API key is unknown or has been revoked');
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets) ?? [
      'integration.admin',
    ];
    const held = effectiveRoles(principal.roles);
    if (!required.some((role) => held.has(role))) {
      throw new ForbiddenException(
        `This action needs the role ${required.join(' or ')}; the key "${principal.name}" has ${principal.roles.join(', ')}`,
      );
    }
    request.principal = principal;
    return true;
  }
}
