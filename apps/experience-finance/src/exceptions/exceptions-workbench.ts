import { Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '@revline/auth';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import { OperatorAudit } from '../shared/operator-audit';
import type {
  ExceptionDto,
  ExceptionPageDto,
  ListExceptionsQuery,
  RetryOutcomeDto,
} from '@revline/finance-api';

/** The exceptions workbench over process-q2c: reads pass through; retries and resolutions are audited here too. */
@Injectable()
export class ExceptionsWorkbench {
  constructor(
    private readonly q2c: ProcessQ2cClient,
    private readonly audit: OperatorAudit,
  ) {}

  list(query: ListExceptionsQuery): Promise<ExceptionPageDto> {
    return this.q2c.get('/v1/exceptions', toQuery(query));
  }

  one(id: string): Promise<ExceptionDto> {
    return this.q2c.get(`/v1/exceptions/${id}`);
  }

  async retry(ids: string[], request: AuthenticatedRequest): Promise<RetryOutcomeDto[]> {
    const outcomes = await this.q2c.post<RetryOutcomeDto[]>('/v1/exceptions/retry', { ids });
    for (const outcome of outcomes)
      await this.audit.record(request, 'exception.retry', `exception:${outcome.id}`, {
        outcome: outcome.outcome,
        note: outcome.note ?? null,
      });
    return outcomes;
  }

  async resolve(id: string, reason: string, request: AuthenticatedRequest): Promise<ExceptionDto> {
    const resolved = await this.q2c.post<ExceptionDto>(`/v1/exceptions/${id}/resolve`, { reason });
    await this.audit.record(request, 'exception.resolve', `exception:${id}`, {
      status: resolved.status,
      reason,
    });
    return resolved;
  }
}
