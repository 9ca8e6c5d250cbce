import { Controller, Get, Headers, Param, Query, StreamableFile } from '@nestjs/common';
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
import type { ErpContractBalanceRow, ErpDocumentSummary, ErpPostingWindow } from '@revline/erp-port';
import { windowLabel } from '@revline/erp-port';
import {
  BalancesExportQuery,
  BalancesQuery,
  ContractBalancesDto,
  DocumentsExportQuery,
  DocumentsQuery,
  ErpDocumentListDto,
  PeriodQuery,
  RevenuePostingListDto,
} from './reconciliation.dto';
import { ReconciliationReads } from './reconciliation-reads';
import type { CsvWriter } from '@revline/http';
import { csvDialectOf, csvWriter, DomainError } from '@revline/http';

async function* ndjson(pages: AsyncIterable<ErpDocumentSummary[]>): AsyncGenerator<string> {
  for await (const page of pages) {
    if (page.length > 0) yield `${page.map((d) => JSON.stringify(d)).join('\n')}\n`;
  }
}

/**
 * The documents CSV export's columns, in order (the header row names them); amounts in minor units, the total tax
 * included, `taxMinor` empty for a document that carries no tax figure (a payment, a journal).
 */
export const DOCUMENT_CSV_COLUMNS = [
  'kind',
  'erpId',
  'externalId',
  'tranDate',
  'period',
  'customerErpId',
  'contractId',
  'totalMinor',
  'taxMinor',
  'currency',
] as const;

async function* csvRows(pages: AsyncIterable<ErpDocumentSummary[]>, csv: CsvWriter): AsyncGenerator<string> {
  yield csv.header(DOCUMENT_CSV_COLUMNS);
  for await (const page of pages) {
    yield page
      .map((d) =>
        csv.line([
          d.kind,
          d.erpId,
          d.externalId,
          d.tranDate,
          d.period,
          d.customerErpId,
          d.contractId,
          d.total.amountMinor,
          d.tax?.amountMinor ?? null,
          d.total.currency,
        ]),
      )
      .join('');
  }
}

/** The contract-balances CSV export's columns, in order; amounts in minor units. */
export const BALANCE_CSV_COLUMNS = [
  'contractId',
  'currency',
  'balance',
  'amountMinor',
] as const satisfies ReadonlyArray<keyof ErpContractBalanceRow>;

async function* balanceRows(
  pages: AsyncIterable<ErpContractBalanceRow[]>,
  csv: CsvWriter | null,
): AsyncGenerator<string> {
  if (csv) yield csv.header(BALANCE_CSV_COLUMNS);
  for await (const page of pages) {
    if (page.length === 0) continue;
    yield page.map((row) => (csv ? csv.row(BALANCE_CSV_COLUMNS, row) : `${JSON.stringify(row)}\n`)).join('');
  }
}

/** A read's period, or its dates: one or the other (a 400 for both, or a day after the last). */
function postingWindow(query: PeriodQuery): ErpPostingWindow {
  const { period, from, to } = query;
  if (period !== undefined && from === undefined && to === undefined) return period;
  if (period !== undefined || from === undefined || to === undefined)
    throw new DomainError(400, 'give period, or from and to, not both', [
      { field: 'period', problem: 'give period, or from and to, not both' },
    ]);
  if (from > to)
    throw new DomainError(400, 'from must be on or before to', [{ field: 'from', problem: 'after to' }]);
  return { from, to };
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
    const window = postingWindow(query);
    return {
      period: windowLabel(window),
      kind: query.kind,
      items: await this.reads.documents(query.kind, window),
    };
  }

  @Get('exports/documents')
  @ApiOperation({
    summary:
      'The same documents as a streamed bulk export, one JSON object per line (or format=csv: CSV rows)',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'NDJSON: one ErpDocument per line; CSV: a header row, then one row per document',
  })
  exportErpDocuments(
    @Query() query: DocumentsExportQuery,
    @Headers() headers: Record<string, string | undefined>,
  ): StreamableFile {
    const pages = this.reads.documentPages(query.kind, postingWindow(query));
    if (query.format === 'csv')
      return new StreamableFile(Readable.from(csvRows(pages, csvWriter(csvDialectOf(headers)))), {
        type: 'text/csv; charset=utf-8',
      });
    return new StreamableFile(Readable.from(ndjson(pages)), { type: 'application/x-ndjson' });
  }

  @Get('revenue-postings')
  @ApiOperation({
    summary: 'Revenue recognised in a period, by contract, obligation, product class and subsidiary',
  })
  @ApiOkResponse({ type: RevenuePostingListDto })
  async listRevenuePostings(@Query() query: PeriodQuery): Promise<RevenuePostingListDto> {
    const window = postingWindow(query);
    return { period: windowLabel(window), items: await this.reads.revenuePostings(window) };
  }

  @Get('exports/contract-balances')
  @ApiOperation({
    summary:
      "Every contract's deferred, recognised, receivable and unbilled balances at a period end, streamed",
    description:
      'One row per contract, currency and balance (deferred and recognised revenue as credit balances shown positive, receivable and unbilled receivable — the contract asset — as debit balances), amounts in minor units: NDJSON, or format=csv with a header row.',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'NDJSON: one balance per line; CSV: a header row, then one row per balance' })
  exportContractBalances(
    @Query() query: BalancesExportQuery,
    @Headers() headers: Record<string, string | undefined>,
  ): StreamableFile {
    const csv = query.format === 'csv' ? csvWriter(csvDialectOf(headers)) : null;
    return new StreamableFile(Readable.from(balanceRows(this.reads.contractBalancePages(query.asOf), csv)), {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    });
  }

  @Get('contracts/:contractId/balances')
  @ApiOperation({
    summary:
      "A contract's deferred, recognised, receivable and unbilled (contract asset) balances at a period end",
  })
  @ApiOkResponse({ type: ContractBalancesDto })
  async getContractBalances(
    @Param('contractId') contractId: string,
    @Query() query: BalancesQuery,
  ): Promise<ContractBalancesDto> {
    return this.reads.contractBalances(contractId, query.asOf);
  }
}
