import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest } from '@revline/auth';
import { actorOf, Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { UuidParam } from '../shared/path-params';
import {
  ExceptionDto,
  ExceptionPageDto,
  ListExceptionsQuery,
  ResolveExceptionDto,
  RetryExceptionsDto,
  RetryOutcomeDto,
} from '@revline/finance-api';
import { ListExceptions } from './list-exceptions.query';
import { ResolveException } from './resolve-exception.usecase';
import { RetryExceptions } from './retry-exceptions.usecase';

const ID = { name: 'id', example: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11', description: 'Exception id' };
const NOT_FOUND = ApiProblem(
  404,
  'No such exception',
  problemExample(
    404,
    'Exception 6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11 does not exist',
    '/v1/exceptions/6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11',
  ),
);

@ApiTags('exceptions')
@Roles('finance.operator')
@Controller('v1/exceptions')
export class ExceptionsController {
  constructor(
    private readonly list: ListExceptions,
    private readonly retry: RetryExceptions,
    private readonly resolve: ResolveException,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Business exceptions: what is parked, why, for which contract, since when',
    description:
      "Categories include unmapped_product, customer_mismatch, unknown_contract, invalid_dates, currency_mismatch, schema_violation, the vendors' refusals billing_rejected, erp_rejected and crm_rejected (the vendor's code and message in details.errorCode and details.vendorMessage; a retry runs the refused step again), confirmation_timeout and retries_exhausted. Oldest first, paged with `limit` (default 100) and `cursor` (pass `nextCursor` back; null on the last page).",
  })
  @ApiOkResponse({ type: ExceptionPageDto })
  @ApiProblem(
    400,
    'A filter is invalid',
    problemExample(
      400,
      'status must be one of the following values: open, retrying, resolved',
      '/v1/exceptions',
    ),
  )
  @ApiAuthProblems('finance.operator', '/v1/exceptions')
  listExceptions(@Query() query: ListExceptionsQuery): Promise<ExceptionPageDto> {
    return this.list.execute(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One exception with its problems' })
  @ApiParam(ID)
  @ApiOkResponse({ type: ExceptionDto })
  @ApiAuthProblems('finance.operator', '/v1/exceptions/{id}')
  @NOT_FOUND
  getException(@Param('id', UuidParam) id: string): Promise<ExceptionDto> {
    return this.list.one(id);
  }

  @Post('retry')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Retry many exceptions after fixing their cause',
    description:
      'Each parked message goes back on its queue with its idempotency key (so nothing is applied twice) and the exception becomes `retrying`; resolved ones are skipped. All or nothing; audited per exception.',
  })
  @ApiOkResponse({ type: RetryOutcomeDto, isArray: true })
  @ApiProblem(
    400,
    'The ids are not UUIDs',
    problemExample(400, 'each value in ids must be a UUID', '/v1/exceptions/retry'),
  )
  @ApiAuthProblems('finance.operator', '/v1/exceptions/retry')
  @NOT_FOUND
  retryExceptions(
    @Body() body: RetryExceptionsDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<RetryOutcomeDto[]> {
    return this.retry.execute(body.ids, actorOf(request));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({ summary: 'Retry one exception after fixing its cause (see the bulk route). Audited.' })
  @ApiParam(ID)
  @ApiOkResponse({ type: RetryOutcomeDto })
  @ApiProblem(
    400,
    'The id is not a UUID',
    problemExample(400, 'id must be a UUID, was "x"', '/v1/exceptions/x/retry', {
      errors: [{ field: 'id', problem: 'must be a UUID' }],
    }),
  )
  @ApiAuthProblems('finance.operator', '/v1/exceptions/{id}/retry')
  @NOT_FOUND
  async retryException(
    @Param('id', UuidParam) id: string,
    @Req() request: AuthenticatedRequest,
  ): Promise<RetryOutcomeDto> {
    const [outcome] = await this.retry.execute([id], actorOf(request));
    return outcome;
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resolve an exception without retrying it, with a reason. Audited.' })
  @ApiParam(ID)
  @ApiOkResponse({ type: ExceptionDto })
  @ApiProblem(
    400,
    'No reason',
    problemExample(400, 'reason must be longer than or equal to 3 characters', '/v1/exceptions/{id}/resolve'),
  )
  @ApiProblem(
    409,
    'Already resolved',
    problemExample(
      409,
      'Exception 6a1f… is already resolved: duplicate order',
      '/v1/exceptions/{id}/resolve',
    ),
  )
  @ApiAuthProblems('finance.operator', '/v1/exceptions/{id}/resolve')
  @NOT_FOUND
  resolveException(
    @Param('id', UuidParam) id: string,
    @Body() body: ResolveExceptionDto,
    @Req() request: AuthenticatedRequest,
  ): Promise<ExceptionDto> {
    return this.resolve.execute(id, body.reason, actorOf(request));
  }
}
