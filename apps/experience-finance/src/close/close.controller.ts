import { Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, RateLimited, Roles } from '@revline/auth';
import { ApiProblem, DomainError, problemExample } from '@revline/http';
import { ProcessQ2cClient } from '../process-q2c/process-q2c.client';
import {
  ACCOUNTING_PERIOD,
  ACCOUNTING_PERIOD_PROBLEM,
  MoneyViewDto,
  OpenBreakGroupDto,
  RevenueRunDto,
  RevenueRunListDto,
  StartRevenueRunResultDto,
} from '@revline/finance-api';
import { OperatorAudit } from '../shared/operator-audit';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';

export class RevenueCheckDto {
  @ApiProperty({ example: '1019180', description: 'Revenue the schedules expect in the period, minor units' })
  expectedMinor: string;

  @ApiProperty({ example: '1019180', description: 'Revenue the ERP has posted for the period, minor units' })
  postedMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ type: MoneyViewDto, description: 'expectedMinor with its currency and display string' })
  expected: MoneyViewDto;

  @ApiProperty({ type: MoneyViewDto, description: 'postedMinor with its currency and display string' })
  posted: MoneyViewDto;
}

export class CloseReadinessDto {
  @ApiProperty({
    example: '2026-03',
    description: 'The period: a month YYYY-MM, or a fiscal period FYyyyy-Pnn',
  })
  period: string;

  @ApiProperty({ example: false, description: 'Yes or no: may the period be closed?' })
  ready: boolean;

  @ApiProperty({
    type: String,
    isArray: true,
    example: [
      '1 reconciliation break(s) open: billing-erp missing_in_erp 1 (contracts 801Dn00000Booking1; run 0199a0c4-1111-7c2a-9b1d-3f4e5a6b7c8d)',
      'revenue USD: 10,191.80 USD posted, 10,191.81 USD expected (-0.01 USD difference)',
    ],
    description: 'Why not (empty when ready)',
  })
  reasons: string[];

  @ApiProperty({ example: 2 })
  openExceptions: number;

  @ApiProperty({ example: 0 })
  openBreaks: number;

  @ApiProperty({
    type: OpenBreakGroupDto,
    isArray: true,
    description: 'The open breaks by checkpoint and category',
  })
  breaks: OpenBreakGroupDto[];

  @ApiProperty({ example: 0, description: 'Contract changes still on their way through the systems' })
  sagasInFlight: number;

  @ApiProperty({ type: RevenueCheckDto, isArray: true, description: 'Per currency' })
  revenue: RevenueCheckDto[];

  @ApiPropertyOptional({
    type: RevenueRunDto,
    description:
      'When revenue is posted at period close: the period’s latest revenue run, with its state and journals (absent before the first)',
  })
  revenueRun?: RevenueRunDto;

  @ApiPropertyOptional({
    example: 0,
    description:
      'When revenue is posted at period close: contract lines a revenue run would post now (changes since the latest run)',
  })
  revenueRunPending?: number;

  @ApiProperty({ example: '2026-04-02T08:00:00.000Z' })
  checkedAt: string;
}

const RUN_PERIOD_PARAM = {
  name: 'period',
  example: '2026-03',
  description:
    'The period of the tenant’s fiscal calendar (REVENUE_FISCAL_CALENDAR): a month as YYYY-MM, or a fiscal period as FYyyyy-Pnn (e.g. FY2027-P01) on a 4-4-5, 4-5-4, 5-4-4 or 13-period calendar',
};

/** A close route's period: its form only; process-q2c answers 400 for a period that is not of the tenant's calendar. */
function checkClosePeriod(period: string): string {
  if (!ACCOUNTING_PERIOD.test(period))
    throw new DomainError(400, `period ${ACCOUNTING_PERIOD_PROBLEM}`, [
      { field: 'period', problem: ACCOUNTING_PERIOD_PROBLEM },
    ]);
  return period;
}

@ApiTags('close')
@Roles('finance.viewer')
@Controller('v1/close')
export class CloseController {
  constructor(
    private readonly q2c: ProcessQ2cClient,
    private readonly audit: OperatorAudit,
  ) {}

  @Get(':period/readiness')
  @ApiOperation({
    summary: 'May this period be closed? Yes or no, with the reasons',
    description:
      'Over the period’s own days (a month, or a fiscal period on a 4-4-5, 4-5-4, 5-4-4 or 13-period calendar): checks the open exceptions and reconciliation breaks that touch the period, the contract changes still in flight, and, per currency, the revenue the ERP has posted for the period against what the schedules expect. `ready` is true only when all of them are clear; `reasons` says what stands in the way. A month key on a fiscal calendar, or a fiscal key on calendar months, is a 400. Role finance.viewer.',
  })
  @ApiParam(RUN_PERIOD_PARAM)
  @ApiOkResponse({ type: CloseReadinessDto })
  @ApiBadRequest(`period ${ACCOUNTING_PERIOD_PROBLEM}`, 'period', '/v1/close/2026-13/readiness')
  @ApiCommonProblems('finance.viewer', '/v1/close/2026-03/readiness')
  getCloseReadiness(@Param('period') period: string): Promise<CloseReadinessDto> {
    return this.q2c.get(`/v1/close/${checkClosePeriod(period)}/readiness`);
  }

  @Post(':period/revenue-runs')
  @HttpCode(200)
  @Roles('finance.operator')
  @ApiOperation({
    summary: 'Post the month’s revenue to the ERP: a revenue run',
    description:
      'Computes each contract’s revenue recognised to the month end from its stored schedules (with catch-ups of amendments effective in the month or in months already closed) and usage revenue, less what earlier runs posted, and each contract’s unbilled receivable, and posts them to the ERP in summarised journals: per subsidiary and currency, a line pair per account pair (or, in detail mode, a line pair per contract obligation in journals of at most 1,000 lines). Journal external ids are deterministic (rr:<period>:<subsidiary>:<currency>:<run>:<chunk>), so nothing posts twice. Asking while a run of the month is posting returns that run (`resumed`); a re-run posts only the difference, as an adjustment run, or nothing. A month the ERP has closed fails the run with a `period_closed` exception in the workbench. Audited. Role finance.operator.',
  })
  @ApiParam(RUN_PERIOD_PARAM)
  @ApiOkResponse({ type: StartRevenueRunResultDto })
  @ApiBadRequest(
    'period must be a month as YYYY-MM, e.g. 2026-03',
    'period',
    '/v1/close/2026-13/revenue-runs',
  )
  @ApiProblem(
    409,
    'A later month has a run, another run is posting, or revenue is posted at booking',
    problemExample(
      409,
      '2026-04 has a revenue run: a change to 2026-03 now posts in the open period’s run',
      '/v1/close/2026-03/revenue-runs',
    ),
  )
  @ApiCommonProblems('finance.operator', '/v1/close/2026-03/revenue-runs')
  async startRevenueRun(
    @Param('period') period: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<StartRevenueRunResultDto> {
    const run = await this.q2c.post<StartRevenueRunResultDto>(
      `/v1/close/${checkClosePeriod(period)}/revenue-runs`,
      {
        requestedBy: actorOf(request),
      },
    );
    await this.audit.record(request, 'revenue-run.start', `revenue-run:${run.runId}`, {
      period: run.period,
      sequence: run.sequence,
      state: run.state,
      resumed: run.resumed,
    });
    return run;
  }

  @Get(':period/revenue-runs')
  @ApiOperation({
    summary: 'The month’s revenue runs, oldest first, with their state and journals',
    description: 'Role finance.viewer.',
  })
  @ApiParam(RUN_PERIOD_PARAM)
  @ApiOkResponse({ type: RevenueRunListDto })
  @ApiBadRequest(
    'period must be a month as YYYY-MM, e.g. 2026-03',
    'period',
    '/v1/close/2026-13/revenue-runs',
  )
  @ApiCommonProblems('finance.viewer', '/v1/close/2026-03/revenue-runs')
  listRevenueRuns(@Param('period') period: string): Promise<RevenueRunListDto> {
    return this.q2c.get(`/v1/close/${checkClosePeriod(period)}/revenue-runs`);
  }

  @Get(':period/revenue-runs/:runId/lines')
  @RateLimited('exports')
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiOperation({
    summary: 'A revenue run’s contract-level lines as CSV',
    description:
      'The detail behind the journals, which stays in Revline: one row per contract obligation (and per contract for its unbilled receivable, obligation `contract-asset`) with recognised and billed to date, the revenue and unbilled movement the run posted, and the journal that carries it. Role finance.viewer.',
  })
  @ApiParam(RUN_PERIOD_PARAM)
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', schema: { type: 'string' } })
  @ApiBadRequest(
    'period must be a month as YYYY-MM, e.g. 2026-03',
    'period',
    '/v1/close/2026-13/revenue-runs/{runId}/lines',
  )
  @ApiProblem(
    404,
    'No such run of the month',
    problemExample(404, 'No revenue run 6a1f… of 2026-03', '/v1/close/2026-03/revenue-runs/{runId}/lines'),
  )
  @ApiCommonProblems('finance.viewer', '/v1/close/2026-03/revenue-runs/{runId}/lines')
  async getRevenueRunLines(
    @Param('period') period: string,
    @Param('runId', new ParseUUIDPipe()) runId: string,
  ): Promise<string> {
    const csv = await this.q2c.stream(
      `/v1/close/${checkClosePeriod(period)}/revenue-runs/${runId}/lines`,
      {},
      'text/csv',
    );
    const chunks: Buffer[] = [];
    for await (const chunk of csv.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
}
