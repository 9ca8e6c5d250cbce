import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, problemExample } from '@revline/http';
import { parseUsage } from './parse-usage';
import { ReportUsage } from './report-usage.usecase';
import { UsageOutcomeDto, UsageRowDto } from './usage.dto';

@ApiTags('usage')
@Roles('finance.operator')
@Controller('v1/usage')
export class UsageController {
  constructor(private readonly report: ReportUsage) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Report usage in bulk',
    description:
      'A JSON array, or JSON lines (`application/x-ndjson`), of usage events. Every row is checked first: one bad row refuses the upload with a 400 naming its row and field, and nothing is staged. Events are kept once per identifier and reported to the billing platform per customer and meter.',
  })
  @ApiConsumes('application/json', 'application/x-ndjson')
  @ApiBody({ type: UsageRowDto, isArray: true })
  @ApiOkResponse({ type: UsageOutcomeDto })
  @ApiProblem(
    400,
    'A row is invalid, or names an unknown contract or a product that is not metered',
    problemExample(
      400,
      '1 problem(s) in the usage rows, nothing was staged: rows[2].quantity must be …',
      '/v1/usage',
      {
        errors: [
          { field: 'rows[2].quantity', problem: 'must be a non-negative whole number or decimal string' },
        ],
      },
    ),
  )
  @ApiAuthProblems('finance.operator', '/v1/usage')
  reportUsage(@Body() body: unknown): Promise<UsageOutcomeDto> {
    const { rows, repeated } = parseUsage(body);
    return this.report.execute(rows, repeated);
  }
}
