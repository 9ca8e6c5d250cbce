import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, AuditLog, RateLimited, Roles } from '@revline/auth';
import { ACCOUNTING_PERIOD_PROBLEM } from '@revline/finance-api';
import { ApiProblem, asksForCsv, csvDialectOf, csvWriter, problemExample } from '@revline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  BreakListDto,
  BreaksQuery,
  OpenBreaksQuery,
  BreakSummaryDto,
  PageQuery,
  ReconciliationRunDto,
  RunListDto,
  StartRunDto,
  SummaryQuery,
} from './reconciliation.dto';
import { CSV_HEADER_COLUMNS, csvRow, ReconciliationQueries, toRunDto } from './reconciliation-queries';
import { ReconciliationRunner } from './reconciliation-runner';
import { UuidParam } from '../shared/path-params';

const RUN_NOT_FOUND = ApiProblem(
  404,
  'No such run',
  problemExample(404, 'Reconciliation run 019ac5a0-… does not exist', '/v1/reconciliation-runs/{runId}'),
);

@ApiTags('reconciliation')
@Controller('v1')
export class ReconciliationController {
  constructor(
    private readonly runner: ReconciliationRunner,
    private readonly queries: ReconciliationQueries,
    private readonly audit: AuditLog,
  ) {}

  @Post('reconciliation-runs')
  @HttpCode(202)
  @Roles('finance.operator')
  @RateLimited('reconciliation-starts')
  @ApiOperation({
    summary: 'Start a reconciliation run now',
    description:
      'Checkpoints: salesforce-billing, billing-erp, contract-revenue, lineage (scope all runs every one), for the whole book or limited to one contract or one billing customer. The run goes on in the background; poll GET /v1/reconciliation-runs/{runId}. A run overlapping a running one (a common checkpoint, and the same or all contracts) answers 409; others run side by side. Audited.',
  })
  @ApiAcceptedResponse({ type: ReconciliationRunDto })
  @ApiProblem(
    400,
    'A bad scope or period',
    problemExample(400, `period ${ACCOUNTING_PERIOD_PROBLEM}`, '/v1/reconciliation-runs'),
  )
  @ApiProblem(
    409,
    'An overlapping run (a common checkpoint, and the same contracts) is already running',
    problemExample(
      409,
      'A reconciliation run of scope all is already running (019a…)',
      '/v1/reconciliation-runs',
    ),
  )
  async startReconciliationRun(
    @Body() body: StartRunDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ReconciliationRunDto> {
    const started = await this.runner.start({
      scope: body.scope,
      period: body.period,
      contractId: body.contractId,
      customerId: body.customerId,
      trigger: 'on_demand',
    });
    await this.audit
      .append({
        actor: actorOf(request),
        action: 'reconciliation.run.start',
        target: started.runId,
        before: null,
        after: {
          scope: started.run.scope,
          period: started.run.period,
          contractId: started.run.contractId,
          customerId: started.run.customerId,
        },
      })
      .catch(() => undefined);
    return toRunDto(started.run);
  }

  @Get('reconciliation-runs')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'Reconciliation runs, newest first' })
  @ApiOkResponse({ type: RunListDto })
  listReconciliationRuns(@Query() query: PageQuery): Promise<RunListDto> {
    return this.queries.runs(query.limit ?? 50, query.cursor);
  }

  @Get('reconciliation-runs/:runId')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'One run: status and per-checkpoint tallies' })
  @ApiOkResponse({ type: ReconciliationRunDto })
  @RUN_NOT_FOUND
  async getReconciliationRun(@Param('runId', UuidParam) runId: string): Promise<ReconciliationRunDto> {
    return toRunDto(await this.queries.run(runId));
  }

  @Get('reconciliation-runs/:runId/breaks')
  @Roles('finance.viewer')
  @RateLimited('exports', asksForCsv)
  @ApiOperation({
    summary: 'The breaks a run saw, with both values, the difference and the correlation id',
    description: 'JSON pages, or every matching break as CSV with Accept: text/csv or format=csv.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: BreakListDto })
  @RUN_NOT_FOUND
  async listReconciliationBreaks(
    @Param('runId', UuidParam) runId: string,
    @Query() query: BreaksQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const csv = query.format === 'csv' || (request.headers.accept ?? '').includes('text/csv');
    if (!csv) {
      void reply.status(200).send(await this.queries.breaks(runId, query, query.limit ?? 100));
      return;
    }
    await this.queries.run(runId);
    reply.raw.writeHead(200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="breaks-${runId}.csv"`,
    });
    const writer = csvWriter(csvDialectOf(request.headers));
    reply.raw.write(writer.header(CSV_HEADER_COLUMNS));
    for await (const page of this.queries.allBreaks(runId, query)) {
      if (!reply.raw.write(page.map((b) => csvRow(writer, b)).join('')))
        await new Promise((resolve) => reply.raw.once('drain', resolve));
    }
    reply.raw.end();
  }

  @Get('reconciliation-breaks')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'The breaks open now, whichever run found them',
    description: 'Filter by checkpoint, category, contract and customer; cursor pages (limit, cursor).',
  })
  @ApiOkResponse({ type: BreakListDto })
  listOpenReconciliationBreaks(@Query() query: OpenBreaksQuery): Promise<BreakListDto> {
    return this.queries.openBreaks(query, query.limit ?? 100);
  }

  @Get('reconciliation-breaks/summary')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Breaks opened and closed automatically between two dates, and open now, by category',
  })
  @ApiOkResponse({ type: BreakSummaryDto })
  summariseReconciliationBreaks(@Query() query: SummaryQuery): Promise<BreakSummaryDto> {
    return this.queries.summary(query.from, query.to);
  }
}
