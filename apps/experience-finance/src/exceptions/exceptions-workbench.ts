import { Injectable } from '@nestjs/common';
import type { StreamableFile } from '@nestjs/common';
import type { AuthenticatedRequest } from '@revline/auth';
import { principalOf } from '@revline/auth';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import type { ActingFor } from '../process-q2c/process-q2c.client';
import type { ExceptionDto, ListExceptionsQuery, RetryOutcomeDto } from '@revline/finance-api';

/**
 * The exceptions workbench over process-q2c: reads pass through; retries and resolutions are made for the signed-in
 * person (x-revline-acting-key), so process-q2c audits them once, as that person's key carried by the service key, and
 * the exception's history names who did it.
 */
@Injectable()
export class ExceptionsWorkbench {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  list(query: ListExceptionsQuery): Promise<StreamableFile> {
    return this.q2c.relay('/v1/exceptions', toQuery(query));
  }

  one(id: string): Promise<ExceptionDto> {
    return this.q2c.get(`/v1/exceptions/${id}`);
  }

  retry(ids: string[], request: AuthenticatedRequest): Promise<RetryOutcomeDto[]> {
    return this.q2c.post<RetryOutcomeDto[]>('/v1/exceptions/retry', { ids }, acting(request));
  }

  resolve(id: string, reason: string, request: AuthenticatedRequest): Promise<ExceptionDto> {
    return this.q2c.post<ExceptionDto>(`/v1/exceptions/${id}/resolve`, { reason }, acting(request));
  }
}

function acting(request: AuthenticatedRequest): ActingFor {
  return { actingKeyId: principalOf(request).keyId };
}
