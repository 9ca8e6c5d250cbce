import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalidLogin } from '../errors/netsuite-error';
import { NetSuiteSandboxConfig } from '../netsuite-sandbox.config';
import {
  hmacSha256Signature,
  parseOAuthHeader,
  queryParameters,
  signatureBaseString,
  signaturesMatch,
} from './oauth-signature';

/**
 * Token-based authentication as NetSuite checks it: OAuth 1.0a with HMAC-SHA256, the realm naming the account
 * exactly (its id in capitals, a sandbox's suffix after an underscore: `123456_SB1`),
 * the consumer and token known, the timestamp near the clock and the nonce never seen before. Anything else is
 * 401 INVALID_LOGIN, answered before the request touches the account.
 */
@Injectable()
export class TbaGuard implements CanActivate {
  private readonly nonces = new Map<string, number>();

  constructor(private readonly config: NetSuiteSandboxConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers.authorization;
    const params = parseOAuthHeader(typeof header === 'string' ? header : undefined);
    if (!params || !this.verify(request, params)) throw invalidLogin();
    return true;
  }

  private verify(request: FastifyRequest, params: Map<string, string>): boolean {
    const c = this.config;
    const signature = params.get('oauth_signature');
    const timestamp = Number(params.get('oauth_timestamp'));
    const nonce = params.get('oauth_nonce');
    if (
      !signature ||
      !nonce ||
      // The realm is case-sensitive (`123456_SB1`, while the URL host says `123456-sb1`): compared exactly.
      params.get('realm') !== c.SANDBOX_NETSUITE_ACCOUNT ||
      params.get('oauth_signature_method') !== 'HMAC-SHA256' ||
      (params.has('oauth_version') && params.get('oauth_version') !== '1.0') ||
      params.get('oauth_consumer_key') !== c.SANDBOX_NETSUITE_CONSUMER_KEY ||
      params.get('oauth_token') !== c.SANDBOX_NETSUITE_TOKEN_ID ||
      !Number.isInteger(timestamp) ||
      Math.abs(Date.now() / 1000 - timestamp) > c.SANDBOX_NETSUITE_TIMESTAMP_TOLERANCE_S
    ) {
      return false;
    }
    const oauth = [...params].filter(([k]) => k.startsWith('oauth_') && k !== 'oauth_signature');
    const expected = hmacSha256Signature(
      signatureBaseString({
        method: request.method,
        baseUrl: `${request.protocol}://${request.host}${request.url.split('?')[0] ?? ''}`,
        parameters: [...oauth, ...queryParameters(request.url)],
      }),
      c.SANDBOX_NETSUITE_CONSUMER_SECRET,
      c.SANDBOX_NETSUITE_TOKEN_SECRET,
    );
    if (!signaturesMatch(expected, signature)) return false;
    return this.firstUseOf(`${timestamp}:${nonce}`);
  }

  /** A nonce is good once within the timestamp window (replay protection). */
  private firstUseOf(nonce: string): boolean {
    const now = Date.now();
    if (this.nonces.size > 50_000) {
      for (const [key, expiry] of this.nonces) if (expiry < now) this.nonces.delete(key);
    }
    if (this.nonces.has(nonce)) return false;
    this.nonces.set(nonce, now + 2 * this.config.SANDBOX_NETSUITE_TIMESTAMP_TOLERANCE_S * 1000);
    return true;
  }
}
