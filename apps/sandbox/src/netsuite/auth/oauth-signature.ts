import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding as OAuth 1.0a (RFC 5849 §3.6) requires it. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!*'()]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The parameters of an `Authorization: OAuth realm="…", oauth_…="…"` header, decoded; undefined if it is not one. */
export function parseOAuthHeader(header: string | undefined): Map<string, string> | undefined {
  if (!header?.startsWith('OAuth ')) return undefined;
  const params = new Map<string, string>();
  const pattern = /([A-Za-z0-9_]+)="([^"]*)"/g;
  for (const match of header.slice(6).matchAll(pattern)) {
    const [, key = '', value = ''] = match;
    if (params.has(key)) return undefined;
    try {
      params.set(key, decodeURIComponent(value));
    } catch {
      return undefined;
    }
  }
  return params;
}

/** Query parameters of a request target, decoded, in order (repeats kept). */
export function queryParameters(target: string): Array<[string, string]> {
  const query = target.split('?')[1];
  if (!query) return [];
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key = '', value = ''] = pair.split('=');
      return [decodeURIComponent(key.replace(/\+/g, ' ')), decodeURIComponent(value.replace(/\+/g, ' '))];
    });
}

export interface SignatureInput {
  method: string;
  /** scheme://host[:port]/path, without the query. */
  baseUrl: string;
  /** The oauth_* parameters of the header (without realm and oauth_signature) and the query parameters. */
  parameters: Array<[string, string]>;
}

/** The signature base string of RFC 5849 §3.4.1. */
export function signatureBaseString(input: SignatureInput): string {
  const normalised = input.parameters
    .map(([k, v]) => [percentEncode(k), percentEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  return [input.method.toUpperCase(), percentEncode(input.baseUrl), percentEncode(normalised)].join('&');
}

/** HMAC-SHA256 over the base string, keyed by consumer secret & token secret, base64 (RFC 5849 §3.4.2). */
export function hmacSha256Signature(baseString: string, consumerSecret: string, tokenSecret: string): string {
  const key = `${percentEncode(consumerSecret)}&${percentEncode(tokenSecret)}`;
  return createHmac('sha256', key).update(baseString).digest('base64');
}

/** Constant-time comparison of two signatures. */
export function signaturesMatch(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
