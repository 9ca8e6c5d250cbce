import { HttpService } from '@nestjs/axios';
import { loadConfig } from '@revline/config';
import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import { MetricsService } from '@revline/observability';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccountSlots } from './account-slots';
import { NetSuiteClient } from './netsuite-client';
import { NetSuiteConfig } from './netsuite.config';
import { NetSuiteSigner } from './netsuite-signer';

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A stand-in NetSuite that answers a scripted list and records each request's method, path and headers. */
describe('NetSuite client on the wire', () => {
  let server: Server;
  let origin: string;
  let answers: Answer[] = [];
  let seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];

  const limit = (status: number): Answer => ({
    status,
    body: {
      type: 'https://www.rfc-editor.org/rfc/rfc9110.html#section-15.5.1',
      title: 'Bad Request',
      status,
      'o:errorDetails': [
        { detail: 'Concurrency limit exceeded.', 'o:errorCode': 'SSS_REQUEST_LIMIT_EXCEEDED' },
      ],
    },
  });
  const ok: Answer = { status: 200, body: { items: [], hasMore: false } };

  const client = (env: Record<string, string> = {}) => {
    const config = loadConfig(NetSuiteConfig, {
      NETSUITE_BASE_URL: origin,
      NETSUITE_RATE_LIMIT_BACKOFF_MS: '1',
      NETSUITE_RATE_LIMIT_RETRIES: '2',
      ...env,
    });
    const slots = { withSlot: <T>(work: () => Promise<T>) => work() } as unknown as AccountSlots;
    return new NetSuiteClient(
      new HttpService(),
      new NetSuiteSigner(config),
      slots,
      config,
      new MetricsService(),
    );
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      req.resume();
      req.on('end', () => {
        const answer = answers.shift() ?? ok;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    answers = [];
    seen = [];
  });

  it('sends Prefer: transient on SuiteQL only, never on record requests', async () => {
    const ns = client();
    await ns.request({
      method: 'POST',
      path: '/services/rest/query/v1/suiteql?limit=1000',
      body: { q: 'x' },
    });
    await ns.request({ method: 'GET', path: '/services/rest/record/v1/invoice/eid:INV-1' });
    await ns.request({ method: 'PUT', path: '/services/rest/record/v1/invoice/eid:INV-1', body: {} });
    expect(seen.map((r) => [r.method, r.headers.prefer])).toEqual([
      ['POST', 'transient'],
      ['GET', undefined],
      ['PUT', undefined],
    ]);
  });

  it("retries REST's 429 and a RESTlet's 400 SSS_REQUEST_LIMIT_EXCEEDED as rate limiting, then gives up as unavailable", async () => {
    const ns = client();
    answers = [limit(429), limit(400), ok];
    await expect(
      ns.request({ method: 'GET', path: '/services/rest/record/v1/customer/1' }),
    ).resolves.toMatchObject({
      status: 200,
    });
    expect(seen).toHaveLength(3);

    answers = [limit(400), limit(400), limit(400)];
    const error = await ns
      .request({ method: 'GET', path: '/services/rest/record/v1/customer/1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpUnavailableError);
    expect(error).not.toBeInstanceOf(ErpRejectedError);
    expect(error).toMatchObject({ vendorCode: 'SSS_REQUEST_LIMIT_EXCEEDED' });
  });

  it('reports a redirect instead of following it (the request is signed for its own URL)', async () => {
    const ns = client();
    answers = [{ status: 302, body: {}, headers: { location: 'https://elsewhere.example/services/rest' } }];
    const error = await ns
      .request({ method: 'POST', path: '/services/rest/record/v1/invoice', body: { entity: { id: '1' } } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpUnavailableError);
    expect((error as Error).message).toContain('a redirect to https://elsewhere.example/services/rest');
    expect(seen).toHaveLength(1);
  });

  it('puts every error detail into the refusal', async () => {
    answers = [
      {
        status: 400,
        body: {
          status: 400,
          'o:errorDetails': [
            {
              detail: 'Invalid value for tranDate.',
              'o:errorCode': 'INVALID_CONTENT',
              'o:errorPath': 'tranDate',
            },
            {
              detail: 'Invalid entity reference.',
              'o:errorCode': 'INVALID_KEY_OR_REF',
              'o:errorPath': 'entity',
            },
          ],
        },
      },
    ];
    const error = await client()
      .request({ method: 'PUT', path: '/services/rest/record/v1/invoice/eid:INV-1', body: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErpRejectedError);
    expect((error as Error).message).toContain('INVALID_CONTENT at tranDate: Invalid value for tranDate.');
    expect((error as Error).message).toContain('INVALID_KEY_OR_REF at entity: Invalid entity reference.');
  });

  it('signs with the realm in its case-sensitive form, whichever spelling the account id is given in', async () => {
    await client({ NETSUITE_ACCOUNT: '123456-sb1' }).request({
      method: 'GET',
      path: '/services/rest/record/v1/customer/1',
    });
    expect(seen[0]?.headers.authorization).toMatch(/^OAuth realm="123456_SB1", /);
  });
});
