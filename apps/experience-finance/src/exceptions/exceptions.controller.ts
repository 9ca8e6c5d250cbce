import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { Roles } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import {
  ExceptionDto,
  ExceptionPageDto,
  ListExceptionsQuery,
  ResolveExceptionDto,
  RetryExceptionsDto,
  RetryOutcomeDto,
} from '@revline/finance-api';
import { ExceptionsWorkbench } from './exceptions-workbench';

const ID = { name: 'id', example: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11', description: 'Exception id' };
const EXAMPLE_ID = '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11';
const NOT_FOUND = ApiProblem(
  404,
  'No such exception',
  problemExample(404, `Exception ${EXAMPLE_ID} does not exist`, `/v1/exceptions/${EXAMPLE_ID}`),
);

@ApiTags('exceptions')
@Controller('v1/exceptions')
export class ExceptionsController {
  constructor(private readonly workbench: ExceptionsWorkbench) {}

  @Get()
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'The exceptions workbench: what is parked, why, for which contract, since when',
    description:
      'Business exceptions of the quote-to-cash pipeline, oldest first, each with its category (unmapped_product, customer_mismatch, unknown_contract, invalid_dates, currency_mismatch, schema_violation, billing_rejected, erp_rejected, crm_rejected with the vendor code in details.errorCode, confirmation_timeout, retries_exhausted…), a plain reason, the contract, the correlation id and its age. Filter by category, status, contract, age in minutes (`minAgeMinutes`, `maxAgeMinutes`) and the month first seen (`period`). Paged with `limit` (default 100) and `cursor` (pass `nextCursor` back; null on the last page). Role finance.viewer.',
  })
  @ApiOkResponse({ type: ExceptionPageDto })
  @ApiBadRequest('period must be a month as YYYY-MM, e.g. 2026-03', 'period', '/v1/exceptions')
  @ApiCommonProblems('finance.viewer', '/v1/exceptions')
  listExceptions(@Query() query: ListExceptionsQuery): Promise<StreamableFile> {
    return this.workbench.list(query);
  }

  @Get(':id')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'One exception with its problems', description: 'Role finance.viewer.' })
  @ApiParam(ID)
  @ApiOkResponse({ type: ExceptionDto })
  @ApiBadRequest('Validation failed (uuid is expected)', 'id', '/v1/exceptions/x')
  @ApiCommonProblems('finance.viewer', `/v1/exceptions/${EXAMPLE_ID}`)
  @NOT_FOUND
  getException(@Param('id', new ParseUUIDPipe()) id: string): Promise<ExceptionDto> {
    return this.workbench.one(id);
  }

  @Post('retry')
  @HttpCode(200)
  @Roles('finance.operator')
  @ApiOperation({
    summary: 'Bulk retry: retry many exceptions after fixing their cause',
    description:
      'Each parked message goes back on its queue with its idempotency key (nothing is applied twice) and the exception becomes `retrying`; resolved ones are `skipped`. All or nothing: an unknown id fails the whole request with 404. Audited per exception. Role finance.operator.',
  })
  @ApiOkResponse({ type: RetryOutcomeDto, isArray: true })
  @ApiBadRequest('each value in ids must be a UUID', 'ids', '/v1/exceptions/retry')
  @ApiCommonProblems('finance.operator', '/v1/exceptions/retry')
  @NOT_FOUND
  retryExceptions(
    @Body() body: RetryExceptionsDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<RetryOutcomeDto[]> {
    return this.workbench.retry(body.ids, request);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('finance.operator')
  @ApiOperation({
    summary: 'Retry one exception after fixing its cause',
    description: 'As the bulk retry, for one exception. Audited. Role finance.operator.',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: RetryOutcomeDto })
  @ApiBadRequest('Validation failed (uuid is expected)', 'id', '/v1/exceptions/x/retry')
  @ApiCommonProblems('finance.operator', `/v1/exceptions/${EXAMPLE_ID}/retry`)
  @NOT_FOUND
  async retryException(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<RetryOutcomeDto> {
    const outcomes = await this.workbench.retry([id], request);
    return outcomes.at(0) ?? { id, outcome: 'skipped', note: 'nothing to retry' };
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('finance.operator')
  @ApiOperation({
    summary: 'Resolve an exception without retrying it, with a reason',
    description:
      'For an exception that needs no sync (a duplicate order, a change handled by hand). The reason is kept on the exception and in the audit log. Role finance.operator.',
  })
  @ApiParam(ID)
  @ApiOkResponse({ type: ExceptionDto })
  @ApiBadRequest(
    'reason must be longer than or equal to 3 characters',
    'reason',
    `/v1/exceptions/${EXAMPLE_ID}/resolve`,
  )
  @ApiProblem(
    409,
    'Already resolved',
    problemExample(
      409,
      `Exception ${EXAMPLE_ID} is already resolved: duplicate order`,
      `/v1/exceptions/${EXAMPLE_ID}/resolve`,
    ),
  )
  @ApiCommonProblems('finance.operator', `/v1/exceptions/${EXAMPLE_ID}/resolve`)
  @NOT_FOUND
  resolveException(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ResolveExceptionDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ExceptionDto> {
    return this.workbench.resolve(id, body.reason, request);
  }
}
