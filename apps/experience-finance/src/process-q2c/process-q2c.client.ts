import { HttpService } from '@nestjs/axios';
import { Injectable, StreamableFile } from '@nestjs/common';
import { ACTING_KEY_HEADER } from '@revline/auth';
import { DomainError } from '@revline/http';
import {
  CORRELATION_HEADER,
  currentCorrelationId,
  httpOperation,
  inClientSpan,
  traceHeaders,
} from '@revline/observability';
import type { AxiosResponse } from 'axios';
import { isAxiosError } from 'axios';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { ProcessQ2cConfig } from './process-q2c.config';

export type Query = Record<string, string | number | boolean | undefined>;

/** A validated query DTO as the plain parameters of a process-q2c request (undefined ones left out). */
export function toQuery(dto: object, overrides: Query = {}): Query {
  const query: Query = {};
  for (const [name, value] of Object.entries(dto) as Array<[string, unknown]>)
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      query[name] = value;
  return { ...query, ...overrides };
}

export interface ProcessStream {
  stream: Readable;
  contentType: string;
  disposition: string | undefined;
  /** The answer's Content-Length, when process-q2c gave one (not for a streamed export). */
  length: number | undefined;
}

interface ProblemBody {
  detail?: unknown;
  type?: unknown;
  errors?: Array<{ field: string; problem: string }>;
}

/** A request made for a signed-in person: process-q2c authorises and audits it as their key's (x-revline-acting-key). */
export interface ActingFor {
  actingKeyId?: string;
}

interface SendOptions extends ActingFor {
  params?: Query;
  data?: unknown;
  responseType?: 'stream';
  headers?: Record<string, string>;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);

/** What process-q2c answered, as the error the experience API answers its caller (problem+json). */
export function errorFromProcess(status: number, data: unknown, path: string, acting = false): DomainError {
  const body = (typeof data === 'object' && data !== null ? data : {}) as ProblemBody;
  const detail = typeof body.detail === 'string' ? body.detail : `process-q2c answered ${String(status)}`;
  // Refused as the person it acted for (a missing role, maker-checker): their refusal, passed on as it is.
  if (acting && status === 403)
    return new DomainError(
      403,
      detail,
      body.errors,
      typeof body.type === 'string' ? { type: body.type } : undefined,
    );
  if (status === 401 || status === 403)
    return new DomainError(
      502,
      `process-q2c refused the experience API's service key (${String(status)}: ${detail}); check PROCESS_Q2C_API_KEY`,
    );
  if (status === 404 && detail.startsWith('Cannot '))
    return new DomainError(502, `process-q2c does not offer ${path} (${detail}): it is older than this API`);
  if (status >= 400 && status < 500) return new DomainError(status, detail, body.errors);
  if (status === 503) return new DomainError(503, `process-q2c is unavailable: ${detail}`);
  return new DomainError(502, `process-q2c failed on ${path}: ${detail}`);
}

/**
 * The typed way experience-finance calls the process API: its service key, the caller's correlation id, a timeout,
 * reads retried with backoff and jitter on network failures and 502/503/504, and every failure turned into the
 * problem the experience API answers (4xx passed through with their detail, 404 kept, unreachable → 503, a process
 * failure → 502).
 */
@Injectable()
export class ProcessQ2cClient {
  constructor(
    private readonly http: HttpService,
    private readonly config: ProcessQ2cConfig,
  ) {}

  async get<T>(path: string, query: Query = {}, acting: ActingFor = {}): Promise<T> {
    const response = await this.send<T>('GET', path, { params: query, ...acting });
    return response.data;
  }

  async post<T>(path: string, body: unknown, acting: ActingFor = {}, query: Query = {}): Promise<T> {
    const response = await this.send<T>('POST', path, { data: body, params: query, ...acting });
    return response.data;
  }

  /**
   * A JSON read whose answer the experience API gives as it is (a list page): passed on as bytes, not parsed and
   * written again; errors are mapped as usual.
   */
  async relay(path: string, query: Query = {}): Promise<StreamableFile> {
    const answer = await this.stream(path, query, 'application/json');
    // Its length passed on, the page goes out as it arrives without chunked framing.
    return new StreamableFile(answer.stream, { type: answer.contentType, length: answer.length });
  }

  /** A read answered as a stream (CSV exports), passed on without buffering; errors are mapped as usual. */
  async stream(path: string, query: Query, accept: string): Promise<ProcessStream> {
    const response = await this.send<Readable>('GET', path, {
      params: query,
      responseType: 'stream',
      headers: { accept },
    });
    const header = (name: string): string | undefined => {
      const value: unknown = response.headers[name];
      return typeof value === 'string' ? value : undefined;
    };
    const length = Number.parseInt(header('content-length') ?? '', 10);
    return {
      stream: response.data,
      contentType: header('content-type') ?? accept,
      disposition: header('content-disposition'),
      length: Number.isSafeInteger(length) ? length : undefined,
    };
  }

  /** One call under its CLIENT span, retries included; the process API's span continues its trace. */
  private send<T>(method: 'GET' | 'POST', path: string, options: SendOptions): Promise<AxiosResponse<T>> {
    return inClientSpan(
      'process-q2c',
      httpOperation(method, path),
      () => this.exchange<T>(method, path, options),
      {
        'http.request.method': method,
        'url.path': path,
      },
    );
  }

  private async exchange<T>(
    method: 'GET' | 'POST',
    path: string,
    options: SendOptions,
  ): Promise<AxiosResponse<T>> {
    const key = this.config.PROCESS_Q2C_API_KEY;
    if (!key)
      throw new DomainError(
        503,
        'The experience API has no key for process-q2c: set PROCESS_Q2C_API_KEY (a key with the role finance.operator)',
      );
    const correlationId = currentCorrelationId();
    const attempts = method === 'GET' ? this.config.PROCESS_Q2C_RETRIES + 1 : 1;
    for (let attempt = 1; ; attempt += 1) {
      let response: AxiosResponse<T>;
      try {
        response = await this.http.axiosRef.request<T>({
          method,
          baseURL: this.config.PROCESS_Q2C_URL,
          url: path,
          params: options.params,
          data: options.data,
          responseType: options.responseType ?? 'json',
          timeout: this.config.PROCESS_Q2C_TIMEOUT_MS,
          validateStatus: () => true,
          proxy: false,
          headers: {
            ...options.headers,
            authorization: `Bearer ${key}`,
            ...(options.actingKeyId ? { [ACTING_KEY_HEADER]: options.actingKeyId } : {}),
            ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}),
            ...traceHeaders(),
          },
        });
      } catch (error) {
        if (attempt < attempts) {
          await this.pause(attempt);
          continue;
        }
        throw this.unreachable(error, path);
      }
      if (response.status < 400) return response;
      if (RETRYABLE_STATUS.has(response.status) && attempt < attempts) {
        if (options.responseType === 'stream') (response.data as Readable).destroy();
        await this.pause(attempt);
        continue;
      }
      const data: unknown =
        options.responseType === 'stream' ? await readJson(response.data as Readable) : response.data;
      throw errorFromProcess(response.status, data, path, options.actingKeyId !== undefined);
    }
  }

  private async pause(attempt: number): Promise<void> {
    const base = this.config.PROCESS_Q2C_RETRY_BACKOFF_MS;
    const ceiling = Math.min(5_000, base * 2 ** (attempt - 1));
    await sleep(Math.round(base + Math.random() * Math.max(0, ceiling - base)));
  }

  private unreachable(error: unknown, path: string): DomainError {
    const code = isAxiosError(error) ? error.code : undefined;
    if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
      return new DomainError(
        503,
        `process-q2c did not answer ${path} within ${String(this.config.PROCESS_Q2C_TIMEOUT_MS)} ms`,
      );
    return new DomainError(
      503,
      `process-q2c cannot be reached at ${this.config.PROCESS_Q2C_URL} (${code ?? 'network error'})`,
    );
  }
}

async function readJson(stream: Readable): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return {};
  }
}
