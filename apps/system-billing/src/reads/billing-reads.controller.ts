import { Controller, Get, Headers, Logger, Param, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { BillingPort } from '@revline/billing-port';
import type { BillingDocumentRow, InvoiceLineView, SubscriptionItemRow } from '@revline/billing-port';
import { INVOICE_LINE_FIELDS } from '@revline/billing-port';
import { csvDialectOf, csvWriter, DomainError } from '@revline/http';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import {
  ExportQuery,
  InvoiceLinesExportQuery,
  InvoicesQuery,
  InvoiceViewDto,
  ItemsExportQuery,
  SubscriptionViewDto,
} from './billing-reads.dto';

/** The CSV export's columns, in order (the header row names them): the view's fields, flat. */
export const INVOICE_LINE_CSV_COLUMNS = INVOICE_LINE_FIELDS;

/** The subscription-items CSV export's columns, in order. */
export const SUBSCRIPTION_ITEM_CSV_COLUMNS = [
  'subscriptionId',
  'customerId',
  'status',
  'contractId',
  'itemId',
  'lineId',
  'priceId',
  'quantity',
  'unitAmountMinor',
  'currency',
  'interval',
  'currentPeriodStart',
  'currentPeriodEnd',
  'startDate',
] as const satisfies ReadonlyArray<keyof SubscriptionItemRow>;

/** The documents CSV export's columns (credit notes and payments), in order. */
export const DOCUMENT_CSV_COLUMNS = [
  'kind',
  'documentId',
  'invoiceId',
  'customerId',
  'totalMinor',
  'taxMinor',
  'currency',
  'date',
] as const satisfies ReadonlyArray<keyof BillingDocumentRow>;

/** Each CSV column's cell of an invoice line. */
const INVOICE_LINE_CELLS: Record<
  (typeof INVOICE_LINE_CSV_COLUMNS)[number],
  (line: InvoiceLineView) => string | number | boolean | null
> = {
  invoiceId: (l) => l.invoiceId,
  lineId: (l) => l.lineId,
  customerId: (l) => l.customerId,
  description: (l) => l.description,
  amountMinor: (l) => l.amount.amountMinor,
  taxMinor: (l) => l.taxMinor,
  currency: (l) => l.amount.currency,
  proration: (l) => l.proration,
  priceId: (l) => l.priceId,
  quantity: (l) => l.quantity,
  periodStart: (l) => l.periodStart,
  periodEnd: (l) => l.periodEnd,
  issuedOn: (l) => l.issuedOn,
};

/** The columns asked for (`columns=a,b`: known, each once, in the order asked), or all of them. */
function invoiceLineColumns(
  asked: string | undefined,
): ReadonlyArray<(typeof INVOICE_LINE_CSV_COLUMNS)[number]> {
  if (asked === undefined) return INVOICE_LINE_CSV_COLUMNS;
  const names = asked.split(',');
  const unknown = names.filter((n) => !(INVOICE_LINE_CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0 || new Set(names).size !== names.length)
    throw new DomainError(
      400,
      `columns must name each of ${INVOICE_LINE_CSV_COLUMNS.join(', ')} at most once`,
      [
        {
          field: 'columns',
          problem: unknown.length > 0 ? `unknown: ${unknown.join(', ')}` : 'a column twice',
        },
      ],
    );
  return names as Array<(typeof INVOICE_LINE_CSV_COLUMNS)[number]>;
}

function checkPeriod(from: string, to: string): void {
  if (from > to)
    throw new DomainError(400, 'from must not be after to', [{ field: 'from', problem: 'after to' }]);
}

const logger = new Logger('BillingReads');

/** Whether the socket drained (true) or closed first (false: the client went away). */
function drained(socket: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (socket.destroyed) {
      resolve(false);
      return;
    }
    const onDrain = () => {
      socket.removeListener('close', onClose);
      resolve(true);
    };
    const onClose = () => {
      socket.removeListener('drain', onDrain);
      resolve(false);
    };
    socket.once('drain', onDrain);
    socket.once('close', onClose);
  });
}

/**
 * Streams pages of rows as NDJSON, or as CSV (a header, then `csv.row` per row), waiting for the socket to drain; a
 * client that goes away stops the export (and with it the reads behind the pages). A failure before the first page
 * is answered as an error; one after the first bytes were sent aborts the response, so the reader sees an export
 * cut short, never a shorter one that looks whole.
 */
async function streamPages<T>(
  reply: FastifyReply,
  pages: AsyncIterable<readonly T[]>,
  csv: { header: string; row: (row: T) => string } | null,
): Promise<void> {
  const iterator = pages[Symbol.asyncIterator]();
  let step = await iterator.next();
  reply.raw.writeHead(200, {
    'content-type': csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
  });
  if (csv) reply.raw.write(csv.header);
  try {
    for (; !step.done; step = await iterator.next()) {
      const page = step.value;
      const chunk = csv
        ? page.map(csv.row).join('')
        : page.map((row) => JSON.stringify(row)).join('\n') + '\n';
      if (!reply.raw.write(chunk) && !(await drained(reply.raw))) {
        await iterator.return?.();
        return;
      }
    }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    logger.error(`An export failed after it began, and was cut short: ${failure.message}`);
    reply.raw.destroy(failure);
    return;
  }
  reply.raw.end();
}

/** Reads for the process layer, in Revline's terms, whatever the billing platform. */
@ApiTags('billing')
@Controller('v1')
export class BillingReadsController {
  constructor(private readonly billing: BillingPort) {}

  @Get('customers/:customerId/subscriptions')
  @Roles('finance.viewer')
  @ApiOperation({ summary: "A customer's subscriptions, every status" })
  @ApiParam({ name: 'customerId', example: 'cus_NffrFeUfNV2Hib' })
  @ApiOkResponse({ type: [SubscriptionViewDto] })
  listCustomerSubscriptions(@Param('customerId') customerId: string): Promise<SubscriptionViewDto[]> {
    if (!/^cus_[A-Za-z0-9]+$/.test(customerId))
      throw new DomainError(400, 'customerId must be a Stripe customer id', [
        { field: 'customerId', problem: 'not cus_…' },
      ]);
    return this.billing.customerSubscriptions(customerId);
  }

  @Get('invoices')
  @Roles('finance.viewer')
  @ApiOperation({ summary: 'Invoices issued in a period, optionally for one customer' })
  @ApiOkResponse({ type: [InvoiceViewDto] })
  @ApiBadRequestResponse({ description: 'A malformed or inverted period' })
  listPeriodInvoices(@Query() query: InvoicesQuery): Promise<InvoiceViewDto[]> {
    checkPeriod(query.from, query.to);
    return this.billing.invoicesOfPeriod(query);
  }

  @Get('invoice-lines/export')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Every invoice line of a period, streamed as NDJSON (or CSV) for reconciliation',
    description:
      'One JSON object per line, or with format=csv a header row and one CSV row per line (the columns of INVOICE_LINE_CSV_COLUMNS, amounts in minor units, the amount tax excluded, the tax of the line in taxMinor), lines of invoices created in the period that are not drafts. Read from the invoice list by default, page by page, so memory stays flat. With STRIPE_INVOICE_LINES_EXPORT=sigma (an opt-in for accounts with the Sigma Query Run API, a preview) from Stripe Sigma (a query run, its CSV result streamed) and, for invoices created since the Sigma snapshot, from the invoice list; an invoice created before the snapshot then shows as it was then (Sigma lags the API by up to a few hours); an account that refuses the query run is read through the list.',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'application/x-ndjson or text/csv: one invoice line per line' })
  @ApiBadRequestResponse({
    description: "A malformed or inverted period, an unknown format, or columns that are not the export's",
  })
  async exportInvoiceLines(
    @Query() query: InvoiceLinesExportQuery,
    @Headers() headers: Record<string, string | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const dialect = csvDialectOf(headers);
    checkPeriod(query.from, query.to);
    if (query.columns !== undefined && query.format !== 'csv')
      throw new DomainError(400, 'columns needs format=csv', [
        { field: 'columns', problem: 'without format=csv' },
      ]);
    const columns = invoiceLineColumns(query.columns);
    const cells = columns.map((c) => INVOICE_LINE_CELLS[c]);
    const pages = this.billing.exportInvoiceLines({
      from: query.from,
      to: query.to,
      pageSize: query.pageSize ?? 1000,
      ...(query.columns === undefined ? {} : { fields: columns }),
    });
    const csv = csvWriter(dialect);
    const row = (line: InvoiceLineView) => csv.line(cells.map((cell) => cell(line)));
    await streamPages(reply, pages, query.format === 'csv' ? { header: csv.header(columns), row } : null);
  }

  @Get('exports/subscription-items')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Every item of every subscription, streamed as NDJSON for reconciliation',
    description:
      'One JSON object per subscription item (contract and line ids from the metadata Revline writes, quantity, unit amount, currency, current period); read page by page from the billing platform.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({ description: 'application/x-ndjson: one subscription item per line' })
  async exportSubscriptionItems(
    @Query() query: ItemsExportQuery,
    @Headers() headers: Record<string, string | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const dialect = csvDialectOf(headers);
    const pages = this.billing.exportSubscriptionItems({ pageSize: 1000 });
    const csv =
      query.format === 'csv'
        ? {
            header: csvWriter(dialect).header(SUBSCRIPTION_ITEM_CSV_COLUMNS),
            row: (row: SubscriptionItemRow) => csvWriter(dialect).row(SUBSCRIPTION_ITEM_CSV_COLUMNS, row),
          }
        : null;
    await streamPages(reply, pages, csv);
  }

  @Get('exports/documents')
  @Roles('finance.viewer')
  @ApiOperation({
    summary: 'Every credit note and payment of a period, streamed as NDJSON (or CSV) for reconciliation',
    description:
      'One JSON object per credit note (not void) or paid invoice payment created in the period, or with format=csv a header row and one row per document (the columns of DOCUMENT_CSV_COLUMNS, amounts in minor units, taxMinor empty when the document carries no tax figure).',
  })
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOkResponse({ description: 'application/x-ndjson or text/csv: one credit note or payment per line' })
  @ApiBadRequestResponse({ description: 'A malformed or inverted period, or an unknown format' })
  async exportDocuments(
    @Query() query: ExportQuery,
    @Headers() headers: Record<string, string | undefined>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const dialect = csvDialectOf(headers);
    checkPeriod(query.from, query.to);
    const pages = this.billing.exportDocuments({
      from: query.from,
      to: query.to,
      pageSize: query.pageSize ?? 1000,
    });
    const csv =
      query.format === 'csv'
        ? {
            header: csvWriter(dialect).header(DOCUMENT_CSV_COLUMNS),
            row: (row: BillingDocumentRow) => csvWriter(dialect).row(DOCUMENT_CSV_COLUMNS, row),
          }
        : null;
    await streamPages(reply, pages, csv);
  }
}
