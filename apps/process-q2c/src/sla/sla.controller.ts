import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { SlaFigures } from './sla-figures.query';
import { SlaDto, SlaQuery } from '@revline/finance-api';

@ApiTags('sla')
@Roles('finance.viewer')
@Controller('v1/sla')
export class SlaController {
  constructor(private readonly figures: SlaFigures) {}

  @Get()
  @ApiOperation({
    summary: 'Service figures for a window of days: sync latency percentiles and exceptions by category',
    description:
      'Sync latency is Salesforce commit → the last ERP posting of each contract change completed in the window (p50, p90, p99 by percentile_cont, overall and per kind of change). Exceptions per category: opened and resolved in the window, open now, and open for longer than `agedAfterHours`.',
  })
  @ApiOkResponse({ type: SlaDto })
  @ApiProblem(
    400,
    'A date is not YYYY-MM-DD, or to is before from',
    problemExample(400, 'from must be a date as YYYY-MM-DD', '/v1/sla', {
      errors: [{ field: 'from', problem: 'from must be a date as YYYY-MM-DD' }],
    }),
  )
  @ApiAuthProblems('finance.viewer', '/v1/sla')
  getSla(@Query() query: SlaQuery): Promise<SlaDto> {
    return this.figures.execute(query);
  }
}
