import { Controller, Get, Param, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { Readable } from 'node:stream';
import type { ErpDocumentSummary } from '@revline/erp-port';
import {
  BalancesQuery,
  ContractBalancesDto,
  DocumentsQuery,
  ErpDocumentListDto,
  PeriodQuery,
  RevenuePostingListDto,
} from './reconciliation.dto';
import { ReconciliationReads } from './reconciliation-reads';

async function* ndjson(pages: AsyncIterable<ErpDocumentSummary[]>): AsyncGenerator<string> {
  for await (const page of pages) {
    if (page.length > 0) yield `${page.map((d) => JSON.stringify(d)).join('\n')}\n`;
  }
}

/** What the ERP's books say, for the reconciliation runs: documents, revenue postings and contract balances. */
@ApiTags('reconciliation')
@Controller('v1')
@Roles('finance.viewer')
@ApiBadRequestResponse({ description: 'A malformed period or kind (problem+json naming the field)' })
@ApiServiceUnavailableResponse({ description: 'The ERP cannot be reached now; retry later' })
export class ReconciliationController {
  constructor(private readonly reads: ReconciliationReads) {}

  @Get('documents')
  @ApiOperation({ summary: 'Invoices, credit memos, payments or revenue journals posted in a period' })
  @ApiOkResponse({ type: ErpDocumentListDto })
  async listErpDocuments(@Query() query: DocumentsQuery): Promise<ErpDocumentListDto> {
    return {
      period: query.period,
      kind: query.kind,
      items: await this.reads.documents(query.kind, query.period),
    };
  }

  @Get('exports/documents')
  @ApiOperation({ summary: 'The same documents as a streamed bulk export, one JSON object per line' })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'NDJSON: one ErpDocument per line' })
  exportErpDocuments(@Query() query: DocumentsQuery): StreamableFile {
    const stream = Readable.from(ndjson(this.reads.documentPages(query.kind, query.period)));
    return new StreamableFile(stream, { type: 'application/x-ndjson' });
  }

  @Get('revenue-postings')
  @ApiOperation({
    summary: 'Revenue recognised in a period, by contract, obligation, product class and subsidiary',
  })
  @ApiOkResponse({ type: RevenuePostingListDto })
  async listRevenuePostings(@Query() query: PeriodQuery): Promise<RevenuePostingListDto> {
    return { period: query.period, items: await this.reads.revenuePostings(query.period) };
  }

  @Get('contracts/:contractId/balances')
  @ApiOperation({ summary: "A contract's deferred, recognised and receivable balances at a period end" })
  @ApiOkResponse({ type: ContractBalancesDto })
  async getContractBalances(
    @Param('contractId') contractId: string,
    @Query() query: BalancesQuery,
  ): Promise<ContractBalancesDto> {
    return this.reads.contractBalances(contractId, query.asOf);
  }
}
