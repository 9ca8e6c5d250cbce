import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface TbaCredentials {
  account: string;
  consumerKey: string;
  consumerSecret: string;
  tokenId: string;
  tokenSecret: string;
}

export const SANDBOX_CREDENTIALS: TbaCredentials = {
  account: 'SANDBOX',
  consumerKey: 'revline-consumer',
  consumerSecret: 'revline-consumer-secret',
  tokenId: 'revline-token',
  tokenSecret: 'revline-token-secret',
};

export interface TbaResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * A minimal signed client for the sandbox's own tests: OAuth 1.0a, HMAC-SHA256, realm = account. It sends
 * `Prefer: transient` (which SuiteQL requires) unless `prefer` is null.
 */
export function tbaClient(
  baseUrl: string,
  credentials: TbaCredentials = SANDBOX_CREDENTIALS,
  options: { prefer?: string | null } = {},
) {
  const prefer = options.prefer === undefined ? 'transient' : options.prefer;
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA256',
    realm: credentials.account,
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  const token = { key: credentials.tokenId, secret: credentials.tokenSecret };
  return async (method: string, path: string, body?: unknown, rawBody?: string): Promise<TbaResponse> => {
    const url = `${baseUrl}${path}`;
    const authorization = oauth.toHeader(oauth.authorize({ url, method }, token)).Authorization;
    const response = await fetch(url, {
      method,
      headers: {
        authorization,
        ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(prefer === null ? {} : { prefer }),
      },
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
}
