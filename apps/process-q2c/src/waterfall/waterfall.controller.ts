import { Controller, Get, Headers, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RateLimited, Roles } from '@revline/auth';
import { ApiAuthProblems, ApiProblem, asksForCsv, problemExample } from '@revline/http';
import type { FastifyReply } from 'fastify';
import { RevenueWaterfall } from './revenue-waterfall.query';
import { waterfallCsv } from './waterfall-csv';
import { WaterfallDto, WaterfallQuery } from '@revline/finance-api';

@ApiTags('revenue')
@Roles('finance.viewer')
@Controller('v1/revenue')
export class WaterfallController {
  constructor(private readonly waterfall: RevenueWaterfall) {}

  @Get('waterfall')
  @RateLimited('exports', asksForCsv)
  @ApiOperation({
    summary:
      'Revenue waterfall: billed and recognised by month, deferred revenue and unbilled receivable rolled forward',
    description:
      "For each currency and month from..to: deferred revenue and unbilled receivable at the start, billed (invoices less credit notes, excluding tax, in the month they are issued), recognised (from the revenue engine's schedules of every stored contract, plus usage revenue in its month of use), and both balances at the end. Each contract rolls forward on its own: billed ahead of recognised is deferred revenue, recognised ahead of billed an unbilled receivable (contract asset), never a negative deferral and never netted across contracts. Amounts in minor units. `format=csv` or `Accept: text/csv` answers CSV with decimal amounts and minor units. On a fiscal calendar (REVENUE_FISCAL_CALENDAR) the periods are fiscal periods, `from` and `to` named FYyyyy-Pnn (e.g. FY2026-P01), a document billed in the period it is issued in.",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: WaterfallDto })
  @ApiProblem(
    400,
    'A period is not YYYY-MM, to is before from, or the span exceeds 120 months',
    problemExample(400, 'from must be a month as YYYY-MM, e.g. 2026-01', '/v1/revenue/waterfall', {
      errors: [{ field: 'from', problem: 'from must be a month as YYYY-MM, e.g. 2026-01' }],
    }),
  )
  @ApiAuthProblems('finance.viewer', '/v1/revenue/waterfall')
  async getRevenueWaterfall(
    @Query() query: WaterfallQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WaterfallDto | string> {
    const result = await this.waterfall.execute(query);
    if (query.format === 'csv' || (query.format === undefined && accept?.includes('text/csv'))) {
      void reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header(
          'content-disposition',
          `attachment; filename="revenue-waterfall-${query.from}-${query.to}.csv"`,
        );
      return waterfallCsv(result);
    }
    return result;
  }
}
