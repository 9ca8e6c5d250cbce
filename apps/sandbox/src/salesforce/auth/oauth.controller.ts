import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';
import { SandboxClock } from '../org/clock';
import { ORG_ID } from '../org/ids';
import { ADMIN_USER_ID, INTEGRATION_USER_ID } from '../org/org-store';
import { SalesforceSandboxConfig } from '../sandbox-config';
import { TokenStore } from './token-store';

export const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

interface OAuthError {
  error: string;
  error_description: string;
}

class OAuthFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: OAuthError,
  ) {
    super(body.error_description);
  }
}

const fail = (error: string, description: string, status = 400): OAuthFailure =>
  new OAuthFailure(status, { error, error_description: description });

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The OAuth 2 token endpoint: username-password, client credentials (runs as the integration user) and, when a
 * certificate is configured, the JWT bearer flow. The answer's `instance_url` points back at this sandbox.
 */
@ApiExcludeController()
@Controller('services/oauth2')
export class OAuthController {
  constructor(
    private readonly config: SalesforceSandboxConfig,
    private readonly tokens: TokenStore,
    private readonly clock: SandboxClock,
  ) {}

  @Post('token')
  @HttpCode(200)
  async sfToken(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    try {
      const params = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      const userId = this.authenticate(params);
      const instanceUrl = `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
      const issuedAt = String(this.clock.now().getTime());
      const accessToken = this.tokens.issue(userId);
      const id = `${instanceUrl}/id/${ORG_ID}/${userId}`;
      await reply.header('cache-control', 'no-store').send({
        access_token: accessToken,
        instance_url: instanceUrl,
        id,
        token_type: 'Bearer',
        issued_at: issuedAt,
        signature: createHmac('sha256', this.config.SANDBOX_SF_CLIENT_SECRET)
          .update(id + issuedAt)
          .digest('base64'),
      });
    } catch (error) {
      if (!(error instanceof OAuthFailure)) throw error;
      await reply.status(error.status).send(error.body);
    }
  }

  private authenticate(params: Record<string, unknown>): string {
    const str = (name: string): string => (typeof params[name] === 'string' ? params[name] : '');
    const grant = str('grant_type');
    if (grant === JWT_BEARER) return this.jwtBearer(str('assertion'));
    if (grant !== 'password' && grant !== 'client_credentials') {
      throw fail('unsupported_grant_type', 'grant type not supported');
    }
    if (str('client_id') !== this.config.SANDBOX_SF_CLIENT_ID) {
      throw fail('invalid_client_id', 'client identifier invalid');
    }
    if (!same(str('client_secret'), this.config.SANDBOX_SF_CLIENT_SECRET)) {
      throw fail('invalid_client', 'invalid client credentials');
    }
    if (grant === 'client_credentials') return INTEGRATION_USER_ID;
    if (
      str('username') !== this.config.SANDBOX_SF_USERNAME ||
      !same(str('password'), this.config.SANDBOX_SF_PASSWORD)
    ) {
      throw fail('invalid_grant', 'authentication failure');
    }
    return ADMIN_USER_ID;
  }

  /** RFC 7523: an RS256 JWT from the connected app (iss = client id, sub = username), valid for a few minutes. */
  private jwtBearer(assertion: string): string {
    const pem = this.config.SANDBOX_SF_JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
    if (!pem) throw fail('unsupported_grant_type', 'grant type not supported');
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature) throw fail('invalid_grant', 'invalid assertion');
    const key = createPublicKey(pem);
    const valid = verify(
      'RSA-SHA256',
      Buffer.from(`${header}.${payload}`),
      key,
      Buffer.from(signature, 'base64url'),
    );
    if (!valid) throw fail('invalid_grant', 'invalid assertion');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== this.config.SANDBOX_SF_CLIENT_ID)
      throw fail('invalid_client_id', 'client identifier invalid');
    if (claims.sub !== this.config.SANDBOX_SF_USERNAME)
      throw fail('invalid_grant', "user hasn't approved this consumer");
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < this.clock.now().getTime()) {
      throw fail('invalid_grant', 'expired authorization code');
    }
    return ADMIN_USER_ID;
  }
}
