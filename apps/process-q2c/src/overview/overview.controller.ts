import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ApiAuthProblems } from '@revline/http';
import type { OverviewCounts } from './overview-counts';
import { OverviewCountsQuery } from './overview-counts';

@ApiTags('overview')
@Roles('finance.viewer')
@Controller('v1/overview')
export class OverviewController {
  constructor(private readonly counts: OverviewCountsQuery) {}

  @Get('counts')
  @ApiOperation({
    summary: 'The counts of the finance overview, each the size of the list it links to',
    description:
      '`syncHealth`: contracts `GET /v1/contracts?status=in_flight|parked|failed` lists. `exceptionsByCategory`: open exceptions per category (`GET /v1/exceptions?status=open&category=`), and per age bucket: `lt1h` (`maxAgeMinutes=60`), `lt24h` (`minAgeMinutes=60&maxAgeMinutes=1440`), `lt7d` (`minAgeMinutes=1440&maxAgeMinutes=10080`), `gte7d` (`minAgeMinutes=10080`). Role finance.viewer.',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        syncHealth: {
          type: 'object',
          properties: {
            inFlight: { type: 'integer' },
            parked: { type: 'integer' },
            failed: { type: 'integer' },
          },
        },
        exceptionsByCategory: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              category: { type: 'string' },
              open: { type: 'integer' },
              ageBuckets: {
                type: 'object',
                properties: {
                  lt1h: { type: 'integer' },
                  lt24h: { type: 'integer' },
                  lt7d: { type: 'integer' },
                  gte7d: { type: 'integer' },
                },
              },
            },
          },
        },
      },
    },
  })
  @ApiAuthProblems('finance.viewer', '/v1/overview/counts')
  getOverviewCounts(): Promise<OverviewCounts> {
    return this.counts.execute();
  }
}
