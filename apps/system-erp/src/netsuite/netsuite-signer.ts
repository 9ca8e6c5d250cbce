import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { NetSuiteConfig, netsuiteRealm } from './netsuite.config';

/**
 * Signs requests with NetSuite token-based authentication: OAuth 1.0a, HMAC-SHA256, the realm the account id in
 * its case-sensitive form (`123456_SB1`, though the URL host says `123456-sb1`).
 */
@Injectable()
export class NetSuiteSigner {
  private readonly oauth: OAuth;
  private readonly token: OAuth.Token;

  constructor(config: NetSuiteConfig) {
    this.oauth = new OAuth({
      consumer: { key: config.NETSUITE_CONSUMER_KEY, secret: config.NETSUITE_CONSUMER_SECRET },
      signature_method: 'HMAC-SHA256',
      realm: netsuiteRealm(config.NETSUITE_ACCOUNT),
      hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
    });
    this.token = { key: config.NETSUITE_TOKEN_ID, secret: config.NETSUITE_TOKEN_SECRET };
  }

  /** The Authorization header for one request (a fresh nonce and timestamp each time). */
  authorization(method: string, url: string): string {
    return this.oauth.toHeader(this.oauth.authorize({ url, method }, this.token)).Authorization;
  }
}
