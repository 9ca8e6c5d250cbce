import { Controller, Get, Headers, Query, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import type { CrmOrderLineRow } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { Readable } from 'node:stream';
import type { CsvWriter, ExportFormat } from '@revline/http';
import { csvDialectOf, csvWriter, ExportFormatProperty } from '@revline/http';

export class OrderLinesExportQuery {
  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00.000Z',
    description: 'Only orders changed at or after this instant (default: every order)',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, { message: 'since must be an ISO date or UTC date-time' })
  since?: string;

  @ExportFormatProperty('csv: a header row, then one row per line')
  format?: ExportFormat;
}

/** The CSV export's columns, in order (the header row names them). */
export const ORDER_LINE_CSV_COLUMNS = [
  'orderId',
  'orderKind',
  'contractId',
  'activatedAt',
  'effectiveDate',
  'endDate',
  'currency',
  'lineId',
  'revisesLineId',
  'productCode',
  'quantity',
  'unitPrice',
] as const satisfies ReadonlyArray<keyof OrderLineRow>;

/** One activated order line as reconciliation reads it. */
export type OrderLineRow = CrmOrderLineRow;

/** Bulk reads of what was sold, for the reconciliation runs. */
@ApiTags('salesforce')
@Controller('v1/exports')
export class OrderLinesExportController {
  constructor(private readonly crm: CrmPort) {}

  @Get('order-lines')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Every line of every activated order, streamed as NDJSON for reconciliation',
    description:
      "One Bulk API 2.0 query over the org's order lines (with their orders' terms), evaluated once by Salesforce; its results are read and streamed a page at a time, so memory stays flat.",
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'application/x-ndjson: one activated order line per line' })
  @ApiBadRequestResponse({ description: 'A malformed since' })
  exportOrderLines(
    @Query() query: OrderLinesExportQuery,
    @Headers() headers: Record<string, string | undefined>,
  ): StreamableFile {
    const since = query.since ? new Date(query.since).toISOString() : new Date(0).toISOString();
    const csv = query.format === 'csv' ? csvWriter(csvDialectOf(headers)) : null;
    return new StreamableFile(Readable.from(this.lines(since, csv)), {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    });
  }

  private async *lines(since: string, csv: CsvWriter | null): AsyncGenerator<string> {
    if (csv) yield csv.header(ORDER_LINE_CSV_COLUMNS);
    for await (const rows of this.crm.activatedOrderLines(since)) {
      if (rows.length === 0) continue;
      yield csv
        ? rows.map((r) => csv.row(ORDER_LINE_CSV_COLUMNS, r)).join('')
        : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    }
  }
}
