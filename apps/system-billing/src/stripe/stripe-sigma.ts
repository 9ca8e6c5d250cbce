import { Injectable } from '@nestjs/common';
import { parseCsvStream } from '@revline/http';
import { BusinessError, backoffWithJitter, TransientError } from '@revline/messaging';
import axios, { isAxiosError } from 'axios';
import type { ClientRequest } from 'node:http';
import type { Readable } from 'node:stream';
import Stripe from 'stripe';
import { setTimeout as sleep } from 'node:timers/promises';
import { StripeConfig } from './stripe.config';
import { StripeGateway } from './stripe-gateway';

/**
 * A Sigma query run (`sigma.sigma_query_run`) as Stripe answers it: `pending` (queued) and `running` are not
 * finished yet. The Query Run API is a preview (not in the SDK's pinned version), so its shape is written here.
 */
export interface SigmaQueryRun {
  id: string;
  object: 'sigma.sigma_query_run';
  created: number;
  status: 'pending' | 'running' | 'succeeded' | 'completed' | 'failed' | 'timed_out' | 'canceled';
  result: { file: string } | null;
  error: { message: string } | null;
  finalized_at: number | null;
  sql: string;
}

/** Rows of a Sigma result, as they arrive: `header` is the result's column names, the same on every batch. */
export interface SigmaBatch {
  header: readonly string[];
  rows: string[][];
}

/** A query run that has not finished: queued, or running. */
const UNFINISHED: ReadonlySet<SigmaQueryRun['status']> = new Set(['pending', 'running']);

/**
 * Stripe Sigma's Query Run API, used only when STRIPE_INVOICE_LINES_EXPORT=sigma (an opt-in: the endpoint is a
 * preview that Stripe is replacing with `/v2/data/reporting/query_runs`, and is not in the SDK's pinned version):
 * a query is started (`POST /v1/sigma/query_runs`, through the gateway's retries and breaker, with the
 * `Stripe-Version` STRIPE_SIGMA_API_VERSION names when set), polled every STRIPE_SIGMA_POLL_MS until it finishes,
 * and its result file (CSV) streamed from STRIPE_FILES_URL and parsed as it comes, so a result of any size is read
 * in the memory of a few chunks.
 */
@Injectable()
export class StripeSigma {
  constructor(
    private readonly gateway: StripeGateway,
    private readonly config: StripeConfig,
  ) {}

  /**
   * Starts a query run. Stripe's refusal (an account without Sigma, SQL it rejects) is a BusinessError; a transient
   * failure is retried by the gateway, then a TransientError.
   */
  async start(sql: string): Promise<SigmaQueryRun> {
    return queryRun(
      'sigma.queryRuns.create',
      await this.gateway.call('sigma.queryRuns.create', (s) =>
        s.rawRequest('POST', '/v1/sigma/query_runs', { sql }, this.requestOptions()),
      ),
    );
  }

  /**
   * The result file of a run, once it has finished: a BusinessError carrying Stripe's message when the query failed,
   * a TransientError when it is still running after STRIPE_SIGMA_TIMEOUT_MS.
   */
  async resultFile(started: SigmaQueryRun): Promise<string> {
    const deadline = Date.now() + this.config.STRIPE_SIGMA_TIMEOUT_MS;
    let run = started;
    for (;;) {
      if (run.status === 'succeeded' || run.status === 'completed') {
        if (!run.result?.file) throw new Error(`Sigma query run ${run.id} finished without a result file`);
        return run.result.file;
      }
      if (!UNFINISHED.has(run.status))
        throw new BusinessError(
          'billing_rejected',
          `Stripe Sigma query run ${run.id} ${run.status}: ${run.error?.message ?? 'no message'}`,
          { queryRunId: run.id, status: run.status },
        );
      if (Date.now() >= deadline)
        throw new TransientError(
          `Stripe Sigma query run ${run.id} still running after ${String(this.config.STRIPE_SIGMA_TIMEOUT_MS)} ms`,
        );
      await sleep(this.config.STRIPE_SIGMA_POLL_MS);
      const id = run.id;
      run = queryRun(
        'sigma.queryRuns.retrieve',
        await this.gateway.call('sigma.queryRuns.retrieve', (s) =>
          s
            .rawRequest('GET', `/v1/sigma/query_runs/${encodeURIComponent(id)}`, {}, this.requestOptions())
            .catch((error: unknown) => {
              // A failed run carries `error`, and the SDK raises any 200 body with one as an error: it is the run.
              if (error instanceof Stripe.errors.StripeError && error.statusCode === 200)
                return {
                  ...run,
                  status: 'failed',
                  error: { message: error.message },
                } satisfies SigmaQueryRun;
              throw error;
            }),
        ),
      );
    }
  }

  /** The preview `Stripe-Version` the Query Run API is called with, when STRIPE_SIGMA_API_VERSION names one. */
  private requestOptions(): { apiVersion?: string } {
    const version = this.config.STRIPE_SIGMA_API_VERSION;
    return version ? { apiVersion: version } : {};
  }

  /**
   * The rows of a file (a Sigma result's CSV), batch by batch, the header row apart. The download is authenticated
   * with the secret key; a 429, a 5xx or a network failure (also halfway through) is retried with backoff up to
   * STRIPE_ATTEMPTS times, the rows already yielded skipped on the new download (a file never changes); another
   * 4xx is a BusinessError.
   */
  async *fileRows(fileId: string): AsyncGenerator<SigmaBatch, void, undefined> {
    const url = `${this.config.filesUrl()}/v1/files/${encodeURIComponent(fileId)}/contents`;
    let emitted = 0;
    for (let attempt = 1; ; attempt += 1) {
      let skip = emitted;
      let header: string[] | null = null;
      try {
        for await (const batch of parseCsvStream(await this.download(url))) {
          let rows = batch;
          if (!header) {
            header = rows[0] ?? [];
            rows = rows.slice(1);
          }
          if (skip > 0) {
            const skipped = Math.min(skip, rows.length);
            rows = rows.slice(skipped);
            skip -= skipped;
          }
          if (rows.length === 0) continue;
          emitted += rows.length;
          yield { header, rows };
        }
        return;
      } catch (error) {
        if (!(error instanceof TransientError) && !isNetworkError(error)) throw error;
        if (attempt >= this.config.STRIPE_ATTEMPTS)
          throw new TransientError(
            `Stripe file ${fileId} still failing after ${String(attempt)} attempts: ${(error as Error).message}`,
            { cause: error },
          );
        await sleep(backoffWithJitter(attempt, this.config.STRIPE_RETRY_BASE_MS, 5_000));
      }
    }
  }

  /** The file's body as a stream, or the failure classified as the gateway classifies Stripe's. */
  private async download(url: string): Promise<Readable> {
    try {
      const response = await axios.get<Readable>(url, {
        responseType: 'stream',
        headers: { authorization: `Bearer ${this.config.STRIPE_SECRET_KEY}` },
        timeout: this.config.STRIPE_TIMEOUT_MS,
        // No redirects to follow, and none to send the key to.
        maxRedirects: 0,
      });
      // axios's timeout ends once the headers are in: a body that stops coming is a network failure (retried).
      const request = response.request as ClientRequest;
      request.setTimeout(this.config.STRIPE_TIMEOUT_MS, () => {
        request.destroy(
          Object.assign(new Error(`no data for ${String(this.config.STRIPE_TIMEOUT_MS)} ms`), {
            code: 'ETIMEDOUT',
          }),
        );
      });
      return response.data;
    } catch (error) {
      if (!isAxiosError(error)) throw error;
      const status = error.response?.status;
      if (status === undefined) throw new TransientError(`Stripe file download failed: ${error.message}`);
      const body = error.response?.data as Readable | undefined;
      const message = await stripeMessage(body);
      body?.destroy();
      if (status === 429 || status === 409 || status >= 500)
        throw new TransientError(`Stripe file download answered ${String(status)}: ${message}`);
      throw new BusinessError(
        'billing_rejected',
        `Stripe refused the file download (${String(status)}): ${message}`,
        {
          status,
        },
      );
    }
  }
}

/**
 * The answer as a query run. The SDK throws on an error only when its body is Stripe's (`{ error }`); any other
 * answer that is not a query run (a proxy's page, a host without the route) is refused here by its status: a 4xx
 * is a BusinessError (as Stripe's refusal would be), anything else a TransientError.
 */
function queryRun(operation: string, answer: unknown): SigmaQueryRun {
  const run = answer as (SigmaQueryRun & { lastResponse?: { statusCode?: number } }) | null;
  if (run?.object === 'sigma.sigma_query_run') return run;
  const status = run?.lastResponse?.statusCode;
  const message = `Stripe answered ${operation} with no query run (HTTP ${String(status ?? 'unknown')})`;
  if (status !== undefined && status >= 400 && status < 500 && status !== 409 && status !== 429)
    throw new BusinessError('billing_rejected', message, { status });
  throw new TransientError(message);
}

/** An error of the socket or stream under a download (a reset, an abort, a premature close), not of its content. */
function isNetworkError(error: unknown): boolean {
  if (isAxiosError(error)) return error.response === undefined;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(E[A-Z]+|ERR_STREAM_PREMATURE_CLOSE)$/.test(code);
}

/** Stripe's error message from an error response's JSON body (read up to 16 KB), else what the body says. */
async function stripeMessage(body: Readable | undefined): Promise<string> {
  if (!body) return 'no body';
  let text = '';
  try {
    for await (const chunk of body) {
      text += String(chunk);
      if (text.length > 16_384) break;
    }
  } catch {
    return text || 'unreadable body';
  }
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    return parsed.error?.message ?? text;
  } catch {
    return text.slice(0, 500);
  }
}
