import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import type { ErpRejectionCategory } from '@revline/erp-port';
import { ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import { backoffWithJitter } from '@revline/messaging';
import { inClientSpan, MetricsService } from '@revline/observability';
import { isAxiosError } from 'axios';
import CircuitBreaker from 'opossum';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountSlots, SlotTimeoutError } from './account-slots';
import { NetSuiteConfig } from './netsuite.config';
import { NetSuiteSigner } from './netsuite-signer';

export interface NetSuiteRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path and query under the account's origin: `/services/rest/record/v1/invoice/eid:INV-1`. */
  path: string;
  body?: unknown;
  /** The media type asked for; JSON unless said (the metadata catalogue answers OpenAPI as `application/swagger+json`). */
  accept?: string;
}

export interface NetSuiteResponse {
  status: number;
  location: string | undefined;
  data: unknown;
}

/** NetSuite could not be reached or failed on its side (network, timeout, 5xx): counted by the breaker. */
class TransportError extends Error {
  constructor(
    message: string,
    readonly vendorCode?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

interface ErrorDetail {
  detail?: string;
  'o:errorCode'?: string;
  'o:errorPath'?: string;
}

/** Every entry of a refusal's `o:errorDetails` (one response can carry several). */
function errorDetails(data: unknown): ErrorDetail[] {
  const details = (data as { 'o:errorDetails'?: unknown } | null)?.['o:errorDetails'];
  return Array.isArray(details)
    ? details.filter((d): d is ErrorDetail => typeof d === 'object' && d !== null)
    : [];
}

/** What every detail says, in order: `CODE at path: detail; CODE: detail`. */
function describe(details: ErrorDetail[], status: number): string {
  if (details.length === 0) return `NetSuite answered ${status}`;
  return details
    .map((d) => {
      const where = d['o:errorPath'] ? ` at ${d['o:errorPath']}` : '';
      return `${d['o:errorCode'] ?? `HTTP_${status}`}${where}: ${d.detail ?? 'no detail'}`;
    })
    .join('; ');
}

/**
 * The account's concurrency limit: REST web services answer 429; RESTlets (and integrations behind them) answer
 * 400 with SSS_REQUEST_LIMIT_EXCEEDED. Both mean "wait", never a business refusal.
 */
export function isRateLimited(status: number, data: unknown): boolean {
  return (
    status === 429 ||
    (status === 400 && errorDetails(data).some((d) => d['o:errorCode'] === 'SSS_REQUEST_LIMIT_EXCEEDED'))
  );
}

/** NetSuite's refusal in Revline's categories: the first detail's code and path, every detail in the message. */
export function rejectionOf(status: number, data: unknown): ErpRejectedError {
  const details = errorDetails(data);
  const first = details[0] ?? {};
  const code = first['o:errorCode'] ?? `HTTP_${status}`;
  const closed = details.find(
    (d) => d['o:errorCode'] === 'USER_ERROR' && d['o:errorPath']?.toLowerCase() === 'postingperiod',
  );
  let category: ErpRejectionCategory = 'validation';
  if (status === 401 || status === 403) category = 'authentication';
  else if (status === 404) category = 'not_found';
  else if (details.some((d) => d['o:errorCode'] === 'DUP_RCRD')) category = 'duplicate';
  else if (closed) category = 'closed_period';
  const field = closed?.['o:errorPath'] ?? first['o:errorPath'];
  return new ErpRejectedError(category, code, describe(details, status), field);
}

/**
 * What a request asks, for its span: the method and the path without its query, ids and external ids
 * (`POST /services/rest/record/v1/invoice`, `GET /services/rest/record/v1/invoice/{id}`).
 */
export function netSuiteOperation(request: Pick<NetSuiteRequest, 'method' | 'path'>): string {
  const path = request.path.split('?', 1).join('');
  const template = path
    .split('/')
    .map((segment) => (/^(\d+|eid:.*)$/.test(segment) ? '{id}' : segment))
    .join('/');
  return `${request.method} ${template}`;
}

/** SuiteQL is the one service that takes `Prefer: transient`; record requests are sent without it. */
function isSuiteQl(path: string): boolean {
  return path.startsWith('/services/rest/query/');
}

/**
 * The one way Revline talks to a NetSuite account: every request signed (TBA), run inside one of the account's
 * slots (shared through Redis by all workers), behind a circuit breaker, with the concurrency refusal (429, or a
 * RESTlet's 400 SSS_REQUEST_LIMIT_EXCEEDED) retried in place with backoff.
 * Failures come out as ErpUnavailableError (retry later) or ErpRejectedError (NetSuite said no).
 */
@Injectable()
export class NetSuiteClient implements OnApplicationShutdown {
  private readonly breaker: CircuitBreaker<[NetSuiteRequest], NetSuiteResponse>;

  constructor(
    private readonly http: HttpService,
    private readonly signer: NetSuiteSigner,
    private readonly slots: AccountSlots,
    private readonly config: NetSuiteConfig,
    metrics: MetricsService,
  ) {
    this.breaker = new CircuitBreaker((request: NetSuiteRequest) => this.send(request), {
      timeout: false,
      errorThresholdPercentage: config.NETSUITE_BREAKER_ERROR_PERCENT,
      volumeThreshold: config.NETSUITE_BREAKER_VOLUME,
      resetTimeout: config.NETSUITE_BREAKER_RESET_MS,
      errorFilter: (error: unknown) => !(error instanceof TransportError),
    });
    metrics.trackCircuit(`netsuite:${config.NETSUITE_ACCOUNT}`, this.breaker);
  }

  /** After the workers have finished their jobs (they close on application shutdown too). */
  onApplicationShutdown(): void {
    this.breaker.shutdown();
  }

  /** Sends the request under its CLIENT span; answers a 2xx response, or throws. */
  request(request: NetSuiteRequest): Promise<NetSuiteResponse> {
    return inClientSpan('netsuite', netSuiteOperation(request), () => this.sendWithRateLimitRetries(request));
  }

  private async sendWithRateLimitRetries(request: NetSuiteRequest): Promise<NetSuiteResponse> {
    for (let attempt = 1; ; attempt += 1) {
      let response: NetSuiteResponse;
      try {
        response = await this.slots.withSlot(() => this.breaker.fire(request));
      } catch (error) {
        throw this.unavailable(error);
      }
      if (isRateLimited(response.status, response.data)) {
        if (attempt > this.config.NETSUITE_RATE_LIMIT_RETRIES) {
          throw new ErpUnavailableError(
            `NetSuite still refused for its concurrency limit (${response.status}) after ${attempt} attempts`,
            errorDetails(response.data)[0]?.['o:errorCode'] ?? 'SSS_REQUEST_LIMIT_EXCEEDED',
          );
        }
        await sleep(backoffWithJitter(attempt, this.config.NETSUITE_RATE_LIMIT_BACKOFF_MS, 10_000));
        continue;
      }
      if (response.status >= 400) throw rejectionOf(response.status, response.data);
      return response;
    }
  }

  private async send(request: NetSuiteRequest): Promise<NetSuiteResponse> {
    const url = `${this.config.NETSUITE_BASE_URL}${request.path}`;
    try {
      const response = await this.http.axiosRef.request<unknown>({
        url,
        method: request.method,
        data: request.body === undefined ? undefined : JSON.stringify(request.body),
        headers: {
          authorization: this.signer.authorization(request.method, url),
          'content-type': 'application/json',
          accept: request.accept ?? 'application/json',
          ...(isSuiteQl(request.path) ? { prefer: 'transient' } : {}),
        },
        timeout: this.config.NETSUITE_REQUEST_TIMEOUT_MS,
        validateStatus: () => true,
        // A redirect is not followed: the request is signed for its URL (OAuth 1.0a), so it would fail at the next
        // host anyway; it is reported below. (Also leaves out follow-redirects' wrapper of every request.)
        maxRedirects: 0,
        transitional: { clarifyTimeoutError: true },
      });
      if (response.status >= 300 && response.status < 400) {
        const target: unknown = response.headers.location;
        throw new TransportError(
          `NetSuite answered ${response.status}, a redirect to ${typeof target === 'string' ? target : 'nowhere named'}: ` +
            'set NETSUITE_BASE_URL to the account-specific REST domain (https://<account>.suitetalk.api.netsuite.com)',
        );
      }
      if (response.status >= 500) {
        const details = errorDetails(response.data);
        throw new TransportError(
          `NetSuite answered ${response.status}: ${details.length > 0 ? describe(details, response.status) : 'server error'}`,
          details[0]?.['o:errorCode'],
        );
      }
      const location: unknown = response.headers.location;
      return {
        status: response.status,
        location: typeof location === 'string' ? location : undefined,
        data: response.data,
      };
    } catch (error) {
      if (error instanceof TransportError) throw error;
      if (isAxiosError(error))
        throw new TransportError(
          `NetSuite request failed: ${error.code ?? ''} ${error.message}`.trim(),
          error.code,
        );
      throw error;
    }
  }

  private unavailable(error: unknown): Error {
    if (error instanceof ErpRejectedError || error instanceof ErpUnavailableError) return error;
    if (error instanceof TransportError)
      return new ErpUnavailableError(error.message, error.vendorCode, { cause: error });
    if (error instanceof SlotTimeoutError)
      return new ErpUnavailableError(error.message, 'SLOT_TIMEOUT', { cause: error });
    if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
      return new ErpUnavailableError('The NetSuite circuit is open after repeated failures', 'CIRCUIT_OPEN', {
        cause: error,
      });
    }
    return new ErpUnavailableError(`NetSuite request failed: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}
