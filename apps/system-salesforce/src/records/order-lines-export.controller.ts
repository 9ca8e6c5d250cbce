import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import type { CrmOrder } from '@revline/crm-port';
import { CrmPort } from '@revline/crm-port';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { Readable } from 'node:stream';
import { BEFORE_ALL_IDS } from '../capture/order-poller';

/** Orders read per page: one SOQL page of changed ids, then one read of those orders with their lines. */
const PAGE = 200;

export class OrderLinesExportQuery {
  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00.000Z',
    description: 'Only orders changed at or after this instant (default: every order)',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/, { message: 'since must be an ISO date or UTC date-time' })
  since?: string;

  @ApiPropertyOptional({ enum: ['ndjson', 'csv'], description: 'csv: a header row, then one row per line' })
  @IsOptional()
  @IsIn(['ndjson', 'csv'], { message: 'format must be ndjson or csv' })
  format?: 'ndjson' | 'csv';
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

const csvCell = (value: string | null): string =>
  value === null ? '' : /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** One activated order line as reconciliation reads it. */
export interface OrderLineRow {
  orderId: string;
  orderKind: string;
  contractId: string | null;
  activatedAt: string | null;
  effectiveDate: string;
  endDate: string | null;
  currency: string | null;
  lineId: string;
  revisesLineId: string | null;
  productCode: string | null;
  quantity: string;
  unitPrice: string;
}

function rowsOf(order: CrmOrder): OrderLineRow[] {
  return order.lines.map((line) => ({
    orderId: order.id,
    orderKind: order.kind,
    contractId: order.contractId,
    activatedAt: order.activatedAt,
    effectiveDate: order.effectiveDate,
    endDate: order.endDate,
    currency: order.currency,
    lineId: line.id,
    revisesLineId: line.revisesLineId,
    productCode: line.productCode,
    quantity: line.quantity,
    unitPrice: line.unitPrice,
  }));
}

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
      "Walks the orders by change stamp (the poller's SOQL cursor) a page at a time and reads each page's orders with their lines, so memory stays flat.",
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'application/x-ndjson: one activated order line per line' })
  @ApiBadRequestResponse({ description: 'A malformed since' })
  exportOrderLines(@Query() query: OrderLinesExportQuery): StreamableFile {
    const since = query.since ? new Date(query.since).toISOString() : new Date(0).toISOString();
    const csv = query.format === 'csv';
    return new StreamableFile(Readable.from(this.lines(since, csv)), {
      type: csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
    });
  }

  private async *lines(since: string, csv: boolean): AsyncGenerator<string> {
    if (csv) yield `${ORDER_LINE_CSV_COLUMNS.join(',')}\n`;
    let cursor = { stamp: since, id: BEFORE_ALL_IDS };
    for (;;) {
      const page = await this.crm.changedOrdersSince(cursor, PAGE);
      const ids = page.changes.filter((c) => !c.deleted).map((c) => c.id);
      if (ids.length > 0) {
        const orders = (await this.crm.readOrders(ids)).filter((o) => o.activated && !o.deleted);
        const rows = orders.flatMap(rowsOf);
        if (rows.length > 0)
          yield csv
            ? rows.map((r) => `${ORDER_LINE_CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')}\n`).join('')
            : `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
      }
      if (page.done || page.changes.length === 0) return;
      cursor = page.next;
    }
  }
}
