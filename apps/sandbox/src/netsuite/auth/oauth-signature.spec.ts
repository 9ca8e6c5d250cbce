import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { describe, expect, it } from 'vitest';
import {
  hmacSha256Signature,
  parseOAuthHeader,
  percentEncode,
  queryParameters,
  signatureBaseString,
} from './oauth-signature';

const client = new OAuth({
  consumer: { key: 'revline-consumer', secret: 'revline-consumer-secret' },
  signature_method: 'HMAC-SHA256',
  realm: 'SANDBOX',
  hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
});
const token = { key: 'revline-token', secret: 'revline-token-secret' };

function verify(method: string, url: string, header: string, tokenSecret = token.secret): boolean {
  const params = parseOAuthHeader(header);
  if (!params) return false;
  const oauth = [...params].filter(([k]) => k.startsWith('oauth_') && k !== 'oauth_signature');
  const base = signatureBaseString({
    method,
    baseUrl: url.split('?')[0] ?? '',
    parameters: [...oauth, ...queryParameters(url)],
  });
  return hmacSha256Signature(base, 'revline-consumer-secret', tokenSecret) === params.get('oauth_signature');
}

describe('OAuth 1.0a HMAC-SHA256 verification', () => {
  it('accepts what the oauth-1.0a client signs, with query parameters and the realm', () => {
    for (const [method, url] of [
      ['PUT', 'http://127.0.0.1:4030/services/rest/record/v1/invoice/eid:rl-inv_1'],
      ['POST', 'http://127.0.0.1:4030/services/rest/query/v1/suiteql?limit=1000&offset=2000'],
      ['GET', 'http://127.0.0.1:4030/services/rest/record/v1/customer/12?expandSubResources=true'],
    ] as const) {
      const header = client.toHeader(client.authorize({ url, method }, token)).Authorization;
      expect(header.startsWith('OAuth realm="SANDBOX", ')).toBe(true);
      expect(verify(method, url, header)).toBe(true);
    }
  });

  it('refuses a signature made with another secret, URL or method', () => {
    const url = 'http://127.0.0.1:4030/services/rest/record/v1/customer';
    const header = client.toHeader(client.authorize({ url, method: 'POST' }, token)).Authorization;
    expect(verify('POST', url, header, 'wrong-secret')).toBe(false);
    expect(verify('POST', `${url}x`, header)).toBe(false);
    expect(verify('GET', url, header)).toBe(false);
  });

  it('reads the header and percent-encodes as RFC 5849 asks', () => {
    expect(parseOAuthHeader('Bearer abc')).toBeUndefined();
    expect(parseOAuthHeader('OAuth realm="SANDBOX", oauth_nonce="a%2Bb"')?.get('oauth_nonce')).toBe('a+b');
    expect(percentEncode("a b!*'()~")).toBe('a%20b%21%2A%27%28%29~');
  });
});
