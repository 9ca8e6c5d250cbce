import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { currentCorrelation, httpOperation, inClientSpan, traceHeaders } from '@revline/observability';
import { isAxiosError } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { CSV_DIALECT_HEADER } from '@revline/http';
import { ReconciliationConfig } from './reconciliation.config';

export type SystemName = 'salesforce' | 'billing' | 'erp';

/** The system APIs' reads and bulk exports, as process-q2c sees them: the seam tests and other transports replace. */
export abstract class SystemApis {
  /** A streamed export (NDJSON), never buffered. */
  abstract stream(system: SystemName, path: string, query: Record<string, string>): Promise<Readable>;
  abstract json<T>(system: SystemName, path: string, query: Record<string, string>): Promise<T>;
}

/** Over HTTP with @nestjs/axios, presenting SERVICE_API_KEY and the correlation id in scope. */
@Injectable()
export class HttpSystemApis extends SystemApis {
  /**
   * A fresh connection per export: a pooled keep-alive socket left idle while the previous export was staged can
   * be closed by the server just as it is reused (ECONNRESET), and an export is a single long request anyway.
   */
  private readonly agents = {
    httpAgent: new HttpAgent({ keepAlive: false }),
    httpsAgent: new HttpsAgent({ keepAlive: false }),
  };

  constructor(
    private readonly http: HttpService,
    private readonly config: ReconciliationConfig,
  ) {
    super();
  }

  private base(system: SystemName): string {
    const c = this.config;
    return system === 'salesforce'
      ? c.SYSTEM_SALESFORCE_URL
      : system === 'billing'
        ? c.SYSTEM_BILLING_URL
        : c.SYSTEM_ERP_URL;
  }

  private headers(): Record<string, string> {
    const key = this.config.SERVICE_API_KEY;
    if (!key) throw new Error('SERVICE_API_KEY is not set: process-q2c cannot read the system APIs');
    const correlation = currentCorrelation()?.correlationId;
    return {
      authorization: `Bearer ${key}`,
      ...(correlation ? { 'x-correlation-id': correlation } : {}),
      ...traceHeaders(),
    };
  }

  stream(system: SystemName, path: string, query: Record<string, string>): Promise<Readable> {
    return inClientSpan(`system-${system}`, httpOperation('GET', path), () =>
      this.openStream(system, path, query),
    );
  }

  json<T>(system: SystemName, path: string, query: Record<string, string>): Promise<T> {
    return inClientSpan(`system-${system}`, httpOperation('GET', path), () =>
      this.read<T>(system, path, query),
    );
  }

  private async openStream(
    system: SystemName,
    path: string,
    query: Record<string, string>,
  ): Promise<Readable> {
    try {
      const response = await this.http.axiosRef.get<Readable>(`${this.base(system)}${path}`, {
        params: query,
        // Staged through COPY: the values as they are, not the spreadsheet-safe dialect written for people.
        headers: { ...this.headers(), [CSV_DIALECT_HEADER]: 'rfc4180' },
        responseType: 'stream',
        timeout: this.config.RECONCILIATION_HTTP_TIMEOUT_MS,
        ...this.agents,
      });
      return response.data;
    } catch (error) {
      throw describe(system, path, error);
    }
  }

  private async read<T>(system: SystemName, path: string, query: Record<string, string>): Promise<T> {
    try {
      const response = await this.http.axiosRef.get<T>(`${this.base(system)}${path}`, {
        params: query,
        headers: this.headers(),
        timeout: this.config.RECONCILIATION_HTTP_TIMEOUT_MS,
        ...this.agents,
      });
      return response.data;
    } catch (error) {
      throw describe(system, path, error);
    }
  }
}

function describe(system: SystemName, path: string, error: unknown): Error {
  if (isAxiosError(error))
    return new Error(
      `system-${system} ${path} answered ${error.response ? String(error.response.status) : (error.code ?? 'no response')}`,
    );
  return error instanceof Error ? error : new Error(String(error));
}
