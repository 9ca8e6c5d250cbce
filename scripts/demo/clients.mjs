// The demo's clients: the vendors' own (jsforce for Salesforce, the stripe SDK, a NetSuite client signing OAuth 1.0a
// as system-erp does) pointed at the sandbox, and Revline's experience API with the admin key npm start printed.
import { createHmac } from 'node:crypto';
import { Connection } from 'jsforce';
import OAuth from 'oauth-1.0a';
import Stripe from 'stripe';
import { portOf, revline } from '../lib.mjs';

const local = (name) => `http://127.0.0.1:${portOf(name)}`;

export const URLS = {
  salesforce: process.env.SALESFORCE_LOGIN_URL ?? local('sandbox (Salesforce)'),
  stripePort: Number(process.env.STRIPE_PORT ?? portOf('sandbox (Stripe)')),
  netsuite: process.env.NETSUITE_BASE_URL ?? local('sandbox (NetSuite)'),
  experience: process.env.EXPERIENCE_FINANCE_URL ?? local('experience-finance'),
  process: process.env.PROCESS_Q2C_URL ?? local('process-q2c'),
};

/** jsforce logged in as the sandbox org's admin (the username-password flow a Salesforce admin would script). */
export async function salesforce() {
  const conn = new Connection({
    oauth2: {
      loginUrl: URLS.salesforce,
      clientId: process.env.SALESFORCE_CLIENT_ID ?? 'revline-sandbox',
      clientSecret: process.env.SALESFORCE_CLIENT_SECRET ?? 'revline-sandbox-secret',
    },
    version: '60.0',
  });
  await conn.login(
    process.env.SALESFORCE_USERNAME ?? 'admin@revline.sandbox',
    process.env.SALESFORCE_PASSWORD ?? 'sandbox',
  );
  return conn;
}

/** The Salesforce sandbox's admin routes: CPQ's Contract, Amend and Renew buttons. */
export async function salesforceSandbox(path, body) {
  const res = await fetch(`${URLS.salesforce}/sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`Salesforce sandbox ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export function stripe() {
  return new Stripe(process.env.STRIPE_SECRET_KEY ?? 'sk_test_revline_sandbox', {
    host: '127.0.0.1',
    port: URLS.stripePort,
    protocol: 'http',
    maxNetworkRetries: 2,
  });
}

/** SuiteQL through NetSuite's REST query service, signed with token-based authentication (HMAC-SHA256). */
export function netsuite() {
  const account = process.env.NETSUITE_ACCOUNT ?? 'SANDBOX';
  const oauth = new OAuth({
    consumer: {
      key: process.env.NETSUITE_CONSUMER_KEY ?? 'revline-consumer',
      secret: process.env.NETSUITE_CONSUMER_SECRET ?? 'revline-consumer-secret',
    },
    signature_method: 'HMAC-SHA256',
    realm: account,
    hash_function: (base, key) => createHmac('sha256', key).update(base).digest('base64'),
  });
  const token = {
    key: process.env.NETSUITE_TOKEN_ID ?? 'revline-token',
    secret: process.env.NETSUITE_TOKEN_SECRET ?? 'revline-token-secret',
  };
  const call = async (method, path, body) => {
    const url = `${URLS.netsuite}${path}`;
    const res = await fetch(url, {
      method,
      headers: {
        authorization: oauth.toHeader(oauth.authorize({ url, method }, token)).Authorization,
        'content-type': 'application/json',
        prefer: 'transient',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`NetSuite ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    record: (type, key) => call('GET', `/services/rest/record/v1/${type}/${key}`),
    async suiteql(q) {
      const rows = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await call('POST', `/services/rest/query/v1/suiteql?limit=1000&offset=${offset}`, { q });
        rows.push(...page.items.map(({ links: _links, ...row }) => row));
        if (!page.hasMore) return rows;
      }
    },
  };
}

/** Revline's experience API, as a finance user reads it (and where an admin manages keys). */
export const experience = (key) => revline(URLS.experience, key);
/** Revline's process API: mappings. */
export const processApi = (key) => revline(URLS.process, key);
