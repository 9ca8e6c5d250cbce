import { Body, Controller, Get, Header, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, RateLimited, Roles } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import { ClosePeriod } from '../revenue-runs/close-period.usecase';
import { RevenueRunListDto, StartRevenueRunBody, StartRevenueRunResultDto } from '@revline/finance-api';
import { UuidParam } from '../shared/path-params';
import { CloseReadinessDto } from './close-readiness.dto';
import { CloseReadiness } from './close-readiness.query';

const PERIOD_PARAM = {
  name: 'period',
  example: '2026-01',
  description:
    'The period of the tenant’s fiscal calendar (REVENUE_FISCAL_CALENDAR): a month as YYYY-MM, or a fiscal period as FYyyyy-Pnn (e.g. FY2027-P01)',
};
const NOT_A_PERIOD = (path: string) =>
  ApiProblem(
    400,
    'Not a period',
    problemExample(400, 'period must be a month as YYYY-MM, e.g. 2026-03', path),
  );

@ApiTags('close')
@Controller('v1/close')
export class CloseController {
  constructor(
    private readonly readiness: CloseReadiness,
    private readonly runs: ClosePeriod,
  ) {}

  @Get(':period/readiness')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Can the period close? Yes or no, with the reasons',
    description:
      'Over the period’s own days (a month, or a fiscal period of the tenant’s REVENUE_FISCAL_CALENDAR): open breaks and exceptions, sagas still in flight, a completed reconciliation run of the period, and revenue posted in the ERP against the engine’s expected revenue. A period of another calendar than the tenant’s is a 400, as for period close.',
  })
  @ApiParam(PERIOD_PARAM)
  @ApiOkResponse({ type: CloseReadinessDto })
  @NOT_A_PERIOD('/v1/close/2026-13/readiness')
  getCloseReadiness(@Param('period') period: string): Promise<CloseReadinessDto> {
    return this.readiness.check(period);
  }

  @Post(':period/revenue-runs')
  @HttpCode(200)
  @Roles('finance.operator')
  @ApiOperation({
    summary: 'Post the period’s revenue to the ERP (a revenue run)',
    description:
      'Computes each contract’s revenue recognised to the period end from its stored schedules and usage, less what earlier runs posted, and each contract’s unbilled receivable, and posts them in summarised journals (REVENUE_CLOSE_MODE) under deterministic external ids. A run while one of the period is posting returns that one (`resumed`); a re-run posts only the difference, as an adjustment run, or nothing.',
  })
  @ApiParam(PERIOD_PARAM)
  @ApiOkResponse({ type: StartRevenueRunResultDto })
  @NOT_A_PERIOD('/v1/close/2026-13/revenue-runs')
  @ApiProblem(
    409,
    'A later period has a run, another run is posting, or revenue is posted at booking',
    problemExample(
      409,
      '2026-04 has a revenue run: a change to 2026-03 now posts in the open period’s run',
      '/v1/close/2026-03/revenue-runs',
    ),
  )
  startRevenueRun(
    @Param('period') period: string,
    @Body() body: StartRevenueRunBody,
    @Req() request: AuthenticatedRequest,
  ): Promise<StartRevenueRunResultDto> {
    return this.runs.start(period, body.requestedBy ?? actorOf(request));
  }

  @Get(':period/revenue-runs')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'The period’s revenue runs, oldest first, with their state and journals' })
  @ApiParam(PERIOD_PARAM)
  @ApiOkResponse({ type: RevenueRunListDto })
  @NOT_A_PERIOD('/v1/close/2026-13/revenue-runs')
  async listRevenueRuns(@Param('period') period: string): Promise<RevenueRunListDto> {
    return { period, items: await this.runs.list(period) };
  }

  @Get(':period/revenue-runs/:runId/lines')
  @Roles('finance.viewer')
  @RateLimited('exports')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiOperation({
    summary: 'A revenue run’s contract-level lines as CSV',
    description:
      'One row per contract obligation (and per contract for its unbilled receivable, obligation `contract-asset`): recognised and billed to date, the revenue and unbilled movement the run posted, and the journal that carries it.',
  })
  @ApiParam(PERIOD_PARAM)
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  @NOT_A_PERIOD('/v1/close/2026-13/revenue-runs/{runId}/lines')
  @ApiProblem(
    404,
    'No such run of the period',
    problemExample(404, 'No revenue run 6a1f… of 2026-03', '/v1/close/2026-03/revenue-runs/{runId}/lines'),
  )
  getRevenueRunLines(
    @Param('period') period: string,
    @Param('runId', UuidParam) runId: string,
  ): Promise<string> {
    return this.runs.linesCsv(period, runId);
  }
}
