import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiProblem, problemExample } from '@revline/http';
import { CloseReadinessDto } from './close-readiness.dto';
import { CloseReadiness } from './close-readiness.query';

@ApiTags('close')
@Controller('v1/close')
export class CloseController {
  constructor(private readonly readiness: CloseReadiness) {}

  @Get(':period/readiness')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Can the period close? Yes or no, with the reasons',
    description:
      'Open breaks and exceptions, sagas still in flight, a completed reconciliation run of the period, and revenue posted in the ERP against the engine’s expected revenue.',
  })
  @ApiParam({ name: 'period', example: '2026-01' })
  @ApiOkResponse({ type: CloseReadinessDto })
  @ApiProblem(
    400,
    'Not a period',
    problemExample(400, 'period must be YYYY-MM', '/v1/close/2026-13/readiness'),
  )
  getCloseReadiness(@Param('period') period: string): Promise<CloseReadinessDto> {
    return this.readiness.check(period);
  }
}
