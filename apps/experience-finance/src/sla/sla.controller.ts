import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { DomainError } from '@revline/http';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import type { SlaDto } from '@revline/finance-api';
import { SlaQuery } from '@revline/finance-api';
import type { BreakFiguresDto } from './sla.dto';
import { FinanceSlaDto } from './sla.dto';

/** The process API's figures, as plain data. */
type ProcessSla = { [K in keyof SlaDto]: SlaDto[K] };

@ApiTags('sla')
@Roles('finance.viewer')
@Controller('v1/sla')
export class SlaController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get()
  @ApiOperation({
    summary: 'Service figures for a window of days: sync latency, exceptions, auto-resolved breaks',
    description:
      'For the days from..to (YYYY-MM-DD, UTC, inclusive, at most 366): sync latency (Salesforce commit → last ERP posting) p50/p90/p99 in seconds of the changes completed, overall (`all`) and per kind; exceptions per category (opened, resolved, open now, aged beyond `agedAfterHours`, default 24); reconciliation breaks opened, auto-closed by a later run, and open. When the reconciliation figures cannot be had, `breaks` is null and `breaksUnavailable` says why; the rest still answers. Role finance.viewer.',
  })
  @ApiOkResponse({ type: FinanceSlaDto })
  @ApiBadRequest('from must be a date as YYYY-MM-DD', 'from', '/v1/sla')
  @ApiCommonProblems('finance.viewer', '/v1/sla')
  getSla(@Query() query: SlaQuery): Promise<FinanceSlaDto> {
    return financeSla(this.q2c, query);
  }
}

/** The process API's figures with the reconciliation breaks' (null, with why, when those cannot be had). */
export async function financeSla(q2c: ProcessQ2cClient, query: SlaQuery): Promise<FinanceSlaDto> {
  const [figures, breaks] = await Promise.all([
    q2c.get<ProcessSla>('/v1/sla', toQuery(query)),
    q2c
      .get<BreakFiguresDto>('/v1/reconciliation-breaks/summary', { from: query.from, to: query.to })
      .then((b) => ({ breaks: b, breaksUnavailable: null }))
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.status >= 500)
          return { breaks: null, breaksUnavailable: error.message };
        throw error;
      }),
  ]);
  const { opened, autoClosed, open, byCategory } = breaks.breaks ?? {};
  return {
    ...figures,
    breaks:
      breaks.breaks && opened !== undefined && autoClosed !== undefined && open !== undefined && byCategory
        ? { opened, autoClosed, open, byCategory }
        : null,
    breaksUnavailable: breaks.breaksUnavailable,
  };
}
