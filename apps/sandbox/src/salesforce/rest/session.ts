import { createParamDecorator, Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { TokenStore } from '../auth/token-store';
import { invalidSession, notFound } from '../org/errors';
import type { SessionContext } from '../org/org-store';

export interface RestContext extends SessionContext {
  /** The API version of the request path, `60.0`. */
  apiVersion: string;
}

type SalesforceRequest = FastifyRequest & { salesforce?: RestContext };

/** `Sforce-Call-Options: client=RevlineSystemSalesforce` names the client in every change's changeOrigin. */
export function changeOrigin(apiVersion: string, callOptions: string | string[] | undefined): string {
  const header = Array.isArray(callOptions) ? callOptions.join(',') : (callOptions ?? '');
  const client = /(?:^|,)\s*client=([^,\s]+)/.exec(header)?.[1];
  return `com/salesforce/api/rest/${apiVersion}${client ? `;client=${client}` : ''}`;
}

/** Checks the OAuth session (401 INVALID_SESSION_ID otherwise) and the `vNN.N` of the path. */
@Injectable()
export class SalesforceSessionGuard implements CanActivate {
  constructor(private readonly tokens: TokenStore) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<SalesforceRequest>();
    const version = (request.params as Record<string, string | undefined>).version ?? '';
    const match = /^v(\d{2}\.0)$/.exec(version);
    if (!match) throw notFound(`The requested resource does not exist: unknown API version ${version}`);
    const session = this.tokens.authenticate(request.headers.authorization);
    if (!session) throw invalidSession();
    const apiVersion = match[1];
    request.salesforce = {
      userId: session.userId,
      apiVersion,
      changeOrigin: changeOrigin(apiVersion, request.headers['sforce-call-options']),
    };
    return true;
  }
}

/** The session context the guard established. */
export const SfContext = createParamDecorator((_data: unknown, context: ExecutionContext): RestContext => {
  const request = context.switchToHttp().getRequest<SalesforceRequest>();
  if (!request.salesforce) throw invalidSession();
  return request.salesforce;
});
