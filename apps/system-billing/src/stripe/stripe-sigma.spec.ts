import { BusinessError, TransientError } from '@revline/messaging';
import { createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StripeConfig } from './stripe.config';
import type { StripeGateway } from './stripe-gateway';
import type { SigmaQueryRun } from './stripe-sigma';
import { StripeSigma } from './stripe-sigma';

const csv =
  'id,note\n' + Array.from({ length: 2000 }, (_, i) => `${String(i)},"row ""${String(i)}"", ok"\n`).join('');

/** What the file server does with the next download of each file. */
const plans = new Map<string, Array<'ok' | 'cut' | 'stall' | '503' | '404'>>();
const seen: string[] = [];

function runOf(status: SigmaQueryRun['status'], extra: Partial<SigmaQueryRun> = {}): SigmaQueryRun {
  return {
    id: 'qry_1',
    object: 'sigma.sigma_query_run',
    created: 0,
    status,
    result: null,
    error: null,
    finalized_at: null,
    sql: 'select 1',
    ...extra,
  };
}

function sigmaWith(
  server: Server,
  answers: SigmaQueryRun[],
  settings: Partial<StripeConfig> = {},
): { sigma: StripeSigma; calls: string[] } {
  const calls: string[] = [];
  const stripe = {
    rawRequest: (method: string, path: string, _params: unknown, options?: { apiVersion?: string }) => {
      calls.push(`${method} ${path}${options?.apiVersion ? ` (Stripe-Version ${options.apiVersion})` : ''}`);
      const next = answers.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error('no more answers'));
    },
  } as unknown as Stripe;
  const gateway = {
    call: <T>(_operation: string, fn: (s: Stripe) => Promise<T>) => fn(stripe),
  } as unknown as StripeGateway;
  const config = Object.assign(new StripeConfig(), {
    STRIPE_PORT: (server.address() as AddressInfo).port,
    STRIPE_SIGMA_POLL_MS: 10,
    STRIPE_SIGMA_TIMEOUT_MS: 1_000,
    STRIPE_ATTEMPTS: 3,
    STRIPE_RETRY_BASE_MS: 1,
    ...settings,
  });
  return { sigma: new StripeSigma(gateway, config), calls };
}

async function all(
  sigma: StripeSigma,
  file: string,
): Promise<{ header: readonly string[]; rows: string[][] }> {
  let header: readonly string[] = [];
  const rows: string[][] = [];
  for await (const batch of sigma.fileRows(file)) {
    header = batch.header;
    rows.push(...batch.rows);
  }
  return { header, rows };
}

describe('Stripe Sigma client', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.headers.authorization ?? ''} ${req.url ?? ''}`);
      const file = /^\/v1\/files\/([^/]+)\/contents$/.exec(req.url ?? '')?.[1] ?? '';
      const plan = plans.get(file)?.shift() ?? 'ok';
      if (plan === '503' || plan === '404') {
        res.writeHead(Number(plan), { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no such file: '${file}'` } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/csv', 'content-length': Buffer.byteLength(csv) });
      if (plan === 'ok') {
        res.end(csv);
        return;
      }
      // Half the file, then the connection dropped (or left open, sending nothing more).
      res.write(csv.slice(0, Math.floor(csv.length / 2)), () => {
        if (plan === 'cut') res.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('polls a run, queued (pending) then running, until it succeeds (or completes) and answers its file', async () => {
    const { sigma, calls } = sigmaWith(server, [
      runOf('pending'),
      runOf('pending'),
      runOf('running'),
      runOf('succeeded', { result: { file: 'file_1' } }),
    ]);
    const run = await sigma.start('select data_load_time');
    expect(await sigma.resultFile(run)).toBe('file_1');
    expect(calls).toEqual([
      'POST /v1/sigma/query_runs',
      'GET /v1/sigma/query_runs/qry_1',
      'GET /v1/sigma/query_runs/qry_1',
      'GET /v1/sigma/query_runs/qry_1',
    ]);
    // The preview Stripe-Version, when one is set, on every call of the Query Run API.
    const preview = sigmaWith(
      server,
      [runOf('pending'), runOf('succeeded', { result: { file: 'file_3' } })],
      {
        STRIPE_SIGMA_API_VERSION: '2025-03-31.preview',
      },
    );
    expect(await preview.sigma.resultFile(await preview.sigma.start('select 1'))).toBe('file_3');
    expect(preview.calls).toEqual([
      'POST /v1/sigma/query_runs (Stripe-Version 2025-03-31.preview)',
      'GET /v1/sigma/query_runs/qry_1 (Stripe-Version 2025-03-31.preview)',
    ]);
    const completed = sigmaWith(server, []).sigma;
    expect(await completed.resultFile(runOf('completed', { result: { file: 'file_2' } }))).toBe('file_2');
  });

  it("turns a failed run into a BusinessError with Stripe's message, and one that runs too long transient", async () => {
    const { sigma } = sigmaWith(server, [runOf('failed', { error: { message: 'Column x does not exist' } })]);
    const failed = sigma.resultFile(runOf('running'));
    await expect(failed).rejects.toBeInstanceOf(BusinessError);
    await expect(failed).rejects.toThrow(/Column x does not exist/);
    const slow = sigmaWith(
      server,
      Array.from({ length: 500 }, () => runOf('running')),
    ).sigma;
    await expect(slow.resultFile(runOf('running'))).rejects.toBeInstanceOf(TransientError);
  });

  it('refuses an answer that is not a query run by its HTTP status (a host without the route)', async () => {
    const answer = (statusCode: number) =>
      ({ statusCode, message: 'Cannot POST', lastResponse: { statusCode } }) as unknown as SigmaQueryRun;
    const { sigma } = sigmaWith(server, [answer(404), answer(502)]);
    await expect(sigma.start('select 1')).rejects.toBeInstanceOf(BusinessError);
    await expect(sigma.start('select 1')).rejects.toBeInstanceOf(TransientError);
  });

  it('streams the file with the secret key, the header apart', async () => {
    seen.length = 0;
    const { sigma } = sigmaWith(server, []);
    const { header, rows } = await all(sigma, 'file_ok');
    expect(header).toEqual(['id', 'note']);
    expect(rows).toHaveLength(2000);
    expect(rows[7]).toEqual(['7', 'row "7", ok']);
    expect(seen).toEqual(['Bearer sk_test_revline_sandbox /v1/files/file_ok/contents']);
  });

  it('retries a 503 and a download cut halfway, without repeating a row', async () => {
    plans.set('file_flaky', ['503', 'cut']);
    const { sigma } = sigmaWith(server, []);
    const { rows } = await all(sigma, 'file_flaky');
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
    expect(seen.filter((s) => s.includes('file_flaky'))).toHaveLength(3);
  });

  it('retries a download that stops sending halfway (the timeout applies to the body too)', async () => {
    plans.set('file_stalled', ['stall', 'ok']);
    const { sigma } = sigmaWith(server, [], { STRIPE_TIMEOUT_MS: 300 });
    const { rows } = await all(sigma, 'file_stalled');
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 2000 }, (_, i) => String(i)));
    expect(seen.filter((s) => s.includes('file_stalled'))).toHaveLength(2);
  });

  it('gives up on a 4xx at once, and on a 5xx after STRIPE_ATTEMPTS', async () => {
    plans.set('file_gone', ['404', 'ok']);
    const { sigma } = sigmaWith(server, []);
    const gone = all(sigma, 'file_gone');
    await expect(gone).rejects.toBeInstanceOf(BusinessError);
    await expect(gone).rejects.toThrow(/404.*no such file/);
    plans.set('file_down', ['503', '503', '503', 'ok']);
    await expect(all(sigma, 'file_down')).rejects.toBeInstanceOf(TransientError);
  });
});
