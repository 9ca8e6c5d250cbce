import type { FastifyRequest } from 'fastify';
import type { Principal } from './api-keys.service';

/** The provider an app offers when it accepts browser sessions as well as `Authorization: Bearer` keys. */
export const SESSION_AUTHENTICATOR = Symbol('revline.sessionAuthenticator');

/**
 * Authenticates a request by its session cookie. Resolves undefined when the request carries no session cookie
 * (the guard then asks for a key as usual); otherwise the session's principal, or it throws the refusal: 401 for a
 * session that expired, was signed out or whose key was revoked, 403 for a write without the session's CSRF token.
 */
export interface SessionAuthenticator {
  principalOfSession(request: FastifyRequest): Promise<Principal | undefined>;
}
