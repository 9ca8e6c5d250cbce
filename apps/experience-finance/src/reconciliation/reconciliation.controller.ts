import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { RateLimited, Roles } from '@revline/auth';
import { ApiProblem, asksForCsv, problemExample } from '@revline/http';
import { ACCOUNTING_PERIOD_PROBLEM } from '@revline/finance-api';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import { OperatorAudit } from '../shared/operator-audit';
import { PageQuery } from '../shared/page.dto';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import {
  BreakPageDto,
  ListBreaksQuery,
  OpenBreaksQuery,
  ReconciliationRunDto,
  ReconciliationRunPageDto,
  StartRunDto,
} from './reconciliation.dto';

const RUN_ID = '0199a0c4-1111-7c2a-9b1d-3f4e5a6b7c8d';
const RUN = { name: 'runId', example: RUN_ID, description: 'Reconciliation run id' };
const NOT_FOUND = ApiProblem(
  404,
  'No such run',
  problemExample(404, `Reconciliation run ${RUN_ID} does not exist`, `/v1/reconciliation-runs/${RUN_ID}`),
);

export const wantsCsv = (format: string | undefined, accept: string | undefined): boolean =>
  asksForCsv({ query: { format }, headers: { accept } });

@ApiTags('reconciliation')
@Controller('v1/reconciliation-runs')
export class ReconciliationController {
  constructor(
    private readonly q2c: ProcessQ2cClient,
    private readonly audit: OperatorAudit,
  ) {}

  @Post()
  @HttpCode(202)
  @Roles('finance.operator')
  @RateLimited('reconciliation-starts')
  @ApiOperation({
    summary: 'Start a reconciliation run now',
    description:
      "Compares Salesforce with billing, billing with the ERP, the contracts' expected revenue with what the ERP holds, and the lineage, for one period of the tenant’s fiscal calendar (a month, or a fiscal period FYyyyy-Pnn; default the current one). `scope` picks one comparison (default all); `contractId` or `customerId` limits it to one contract or one billing customer, whose breaks alone it opens and closes. Answers at once with the run in status `running`; poll GET /v1/reconciliation-runs/{runId}. A run overlapping a running one (a common comparison, and the same contracts: the whole book, the same contract or customer, or a contract of that customer) answers 409; runs of other scopes go side by side. Audited. Role finance.operator.",
  })
  @ApiAcceptedResponse({ type: ReconciliationRunDto })
  @ApiBadRequest(`period ${ACCOUNTING_PERIOD_PROBLEM}`, 'period', '/v1/reconciliation-runs')
  @ApiProblem(
    409,
    'An overlapping run is already running',
    problemExample(
      409,
      `A reconciliation run of scope all is already running: ${RUN_ID}`,
      '/v1/reconciliation-runs',
    ),
  )
  @ApiCommonProblems('finance.operator', '/v1/reconciliation-runs')
  async startReconciliationRun(
    @Body() body: StartRunDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ReconciliationRunDto> {
    const run = await this.q2c.post<ReconciliationRunDto>('/v1/reconciliation-runs', body);
    await this.audit.record(request, 'reconciliation-run.start', `reconciliation-run:${run.runId}`, {
      scope: run.scope,
      period: run.period,
      contractId: run.contractId,
      customerId: run.customerId,
    });
    return run;
  }

  @Get()
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Reconciliation runs, newest first',
    description:
      'Scheduled and on-demand runs with their figures per checkpoint, paged with `limit` and `cursor`. Role finance.viewer.',
  })
  @ApiOkResponse({ type: ReconciliationRunPageDto })
  @ApiBadRequest('limit must not be greater than 500', 'limit', '/v1/reconciliation-runs')
  @ApiCommonProblems('finance.viewer', '/v1/reconciliation-runs')
  listReconciliationRuns(@Query() query: PageQuery): Promise<StreamableFile> {
    return this.q2c.relay('/v1/reconciliation-runs', toQuery(query));
  }

  @Get(':runId')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'One reconciliation run',
    description:
      'Its status and, per checkpoint, what was compared and the breaks opened, still open and closed. Role finance.viewer.',
  })
  @ApiParam(RUN)
  @ApiOkResponse({ type: ReconciliationRunDto })
  @ApiBadRequest('Validation failed (uuid is expected)', 'runId', '/v1/reconciliation-runs/x')
  @ApiCommonProblems('finance.viewer', `/v1/reconciliation-runs/${RUN_ID}`)
  @NOT_FOUND
  getReconciliationRun(@Param('runId', new ParseUUIDPipe()) runId: string): Promise<ReconciliationRunDto> {
    return this.q2c.get(`/v1/reconciliation-runs/${runId}`);
  }

  @Get(':runId/breaks')
  @Roles('finance.viewer')
  @RateLimited('exports', asksForCsv)
  @ApiOperation({
    summary: 'The breaks a run found: what differs, where, by how much',
    description:
      'Each break with its checkpoint, category, contract, object, field, expected and actual values and the difference, and whether it is still open. Filter by checkpoint, category, status and contract; paged with `limit` and `cursor`. With `format=csv` or `Accept: text/csv` every matching break is streamed as CSV (header row, one line per break, every field). Role finance.viewer.',
  })
  @ApiParam(RUN)
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: BreakPageDto })
  @ApiBadRequest(
    'status must be one of the following values: open, closed',
    'status',
    `/v1/reconciliation-runs/${RUN_ID}/breaks`,
  )
  @ApiCommonProblems('finance.viewer', `/v1/reconciliation-runs/${RUN_ID}/breaks`)
  @NOT_FOUND
  async listReconciliationBreaks(
    @Param('runId', new ParseUUIDPipe()) runId: string,
    @Query() query: ListBreaksQuery,
    @Headers('accept') accept: string | undefined,
  ): Promise<BreakPageDto | StreamableFile> {
    const path = `/v1/reconciliation-runs/${runId}/breaks`;
    if (!wantsCsv(query.format, accept)) return this.q2c.get(path, toQuery(query, { format: undefined }));
    const csv = await this.q2c.stream(path, toQuery(query, { format: 'csv' }), 'text/csv');
    return new StreamableFile(csv.stream, {
      type: csv.contentType,
      disposition: csv.disposition ?? `attachment; filename="reconciliation-breaks-${runId}.csv"`,
    });
  }
}

@ApiTags('reconciliation')
@Controller('v1/reconciliation-breaks')
export class ReconciliationBreaksController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get()
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'The breaks open now, whichever run found them',
    description:
      "Each open break with its period, customer, currency, both sides' systems and record ids, the side that changed since they last agreed, and its values labelled by unit: money in minor units with its currency and a display string, quantities apart. Filter by checkpoint, category, contract and customer; paged with `limit` and `cursor` (keyset pages in break id order). Role finance.viewer.",
  })
  @ApiOkResponse({ type: BreakPageDto })
  @ApiBadRequest(
    'checkpoint must be one of the following values: salesforce-billing, billing-erp, contract-revenue, lineage',
    'checkpoint',
    '/v1/reconciliation-breaks',
  )
  @ApiCommonProblems('finance.viewer', '/v1/reconciliation-breaks')
  listOpenReconciliationBreaks(@Query() query: OpenBreaksQuery): Promise<StreamableFile> {
    return this.q2c.relay('/v1/reconciliation-breaks', toQuery(query));
  }
}
