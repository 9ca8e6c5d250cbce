import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { RateLimitStats } from '../http/rate-limiter';
import { StripeRateLimiter } from '../http/rate-limiter';

/** The realistic profile's rate limiter, as a bench reads it: its limits and the requests it let through or refused. */
@ApiTags('faults')
@Controller('sandbox')
export class RateLimitsController {
  constructor(private readonly limiter: StripeRateLimiter) {}

  @Get('rate-limits')
  @ApiOperation({
    summary:
      'The API rate limits (realistic profile only) and the requests admitted and refused with 429 so far',
  })
  @ApiOkResponse({
    schema: {
      example: {
        enabled: true,
        perSecond: 100,
        perEndpointPerSecond: 25,
        admitted: 1200,
        admittedByEndpoint: {
          'POST /v1/customers': 400,
          'POST /v1/subscriptions': 400,
          'POST /v1/invoices/:id/finalize': 400,
        },
        refused: { 'global-rate': 3, 'endpoint-rate': 41 },
      },
    },
  })
  readRateLimits(): RateLimitStats {
    return this.limiter.stats();
  }
}
