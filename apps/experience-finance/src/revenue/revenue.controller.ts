import { Controller, Get, Headers, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { RateLimited, Roles } from '@revline/auth';
import { asksForCsv } from '@revline/http';
import { ProcessQ2cClient, toQuery } from '../process-q2c/process-q2c.client';
import { wantsCsv } from '../reconciliation/reconciliation.controller';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';
import { WaterfallDto, WaterfallQuery } from '@revline/finance-api';

@ApiTags('revenue')
@Roles('finance.viewer')
@Controller('v1/revenue')
export class RevenueController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get('waterfall')
  @RateLimited('exports', asksForCsv)
  @ApiOperation({
    summary:
      'Revenue waterfall: billed and recognised by month, deferred revenue and unbilled receivable rolled forward, as JSON or CSV',
    description:
      "Per currency and month from..to (YYYY-MM, at most 120 months): deferred revenue and unbilled receivable at the start of the month, billed (invoices less credit notes, excluding tax, in the month they are issued), recognised (the revenue engine's schedules of every stored contract and amendment, plus usage overage in its month of use), and both balances at the end. Each contract is rolled forward on its own: billed ahead of recognised is deferred revenue (a contract liability), recognised ahead of billed — a back-dated booking, billing in arrears — is an unbilled receivable (a contract asset); neither is ever negative and one contract's never offsets another's, so closing deferred − closing unbilled = opening deferred − opening unbilled + billed − recognised. Amounts in minor units as strings. Filter by `contractId` or `currency`. `format=csv` or `Accept: text/csv` streams CSV with decimal amounts and minor units. Example, G1 (12,000.00 USD billed upfront 2026-01-01, ratable daily): January recognised 101918, closing deferred 1098082; booked back-dated and invoiced on 2026-04-01 instead: closing unbilled 295890 at March end, deferred 805479 at April end. Role finance.viewer.",
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: WaterfallDto })
  @ApiBadRequest('from must be a month as YYYY-MM, e.g. 2026-01', 'from', '/v1/revenue/waterfall')
  @ApiCommonProblems('finance.viewer', '/v1/revenue/waterfall')
  async getRevenueWaterfall(
    @Query() query: WaterfallQuery,
    @Headers('accept') accept: string | undefined,
  ): Promise<WaterfallDto | StreamableFile> {
    if (!wantsCsv(query.format, accept))
      return this.q2c.get('/v1/revenue/waterfall', toQuery(query, { format: undefined }));
    const csv = await this.q2c.stream('/v1/revenue/waterfall', toQuery(query, { format: 'csv' }), 'text/csv');
    return new StreamableFile(csv.stream, {
      type: csv.contentType,
      disposition:
        csv.disposition ?? `attachment; filename="revenue-waterfall-${query.from}-${query.to}.csv"`,
    });
  }
}
