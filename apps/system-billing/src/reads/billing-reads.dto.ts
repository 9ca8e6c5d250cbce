import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Type } from 'class-transformer';
import type { ExportFormat } from '@revline/http';
import { ExportFormatProperty } from '@revline/http';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export class MoneyView {
  @ApiProperty({ example: '480000' })
  amountMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;
}

export class SubscriptionItemView {
  @ApiProperty({ example: 'si_NffrFeUfNV2Hib' })
  itemId: string;

  @ApiProperty({ example: 'OL-001', nullable: true, type: String })
  lineId: string | null;

  @ApiProperty({ example: 'price_1Seat' })
  priceId: string;

  @ApiProperty({ example: 15 })
  quantity: number;
}

export class SubscriptionViewDto {
  @ApiProperty({ example: 'sub_1MowQVLkdIwHu7ix' })
  subscriptionId: string;

  @ApiProperty({ example: 'cus_NffrFeUfNV2Hib' })
  customerId: string;

  @ApiProperty({ example: 'active' })
  status: string;

  @ApiProperty({ example: 'C-2026-001', nullable: true, type: String })
  contractId: string | null;

  @ApiProperty({ example: '2026-01-01' })
  currentPeriodStart: string;

  @ApiProperty({ example: '2027-01-01' })
  currentPeriodEnd: string;

  @ApiProperty({ example: false })
  cancelAtPeriodEnd: boolean;

  @ApiProperty({ type: [SubscriptionItemView] })
  items: SubscriptionItemView[];
}

export class InvoiceViewDto {
  @ApiProperty({ example: 'in_1MtHbELkdIwHu7ixl4OzzPMv' })
  invoiceId: string;

  @ApiProperty({ example: 'RVL-000042', nullable: true, type: String })
  number: string | null;

  @ApiProperty({ example: 'cus_NffrFeUfNV2Hib' })
  customerId: string;

  @ApiProperty({ example: 'sub_1MowQVLkdIwHu7ix', nullable: true, type: String })
  subscriptionId: string | null;

  @ApiProperty({ example: 'open' })
  status: string;

  @ApiProperty({ example: '2026-03-15', nullable: true, type: String })
  issuedOn: string | null;

  @ApiProperty({ type: MoneyView })
  total: MoneyView;

  @ApiProperty({ type: MoneyView })
  amountDue: MoneyView;

  @ApiProperty({ type: MoneyView })
  amountPaid: MoneyView;
}

export class PeriodQuery {
  @ApiProperty({ example: '2026-03-01', description: 'First day, inclusive (UTC)' })
  @Matches(ISO_DATE, { message: 'from must be an ISO date (YYYY-MM-DD)' })
  from: string;

  @ApiProperty({ example: '2026-03-31', description: 'Last day, inclusive (UTC)' })
  @Matches(ISO_DATE, { message: 'to must be an ISO date (YYYY-MM-DD)' })
  to: string;
}

export class InvoicesQuery extends PeriodQuery {
  @ApiPropertyOptional({ example: 'cus_NffrFeUfNV2Hib' })
  @IsOptional()
  @Matches(/^cus_[A-Za-z0-9]+$/, { message: 'customerId must be a Stripe customer id' })
  customerId?: string;
}

export class ExportQuery extends PeriodQuery {
  @ExportFormatProperty(
    'ndjson (default) or csv with a header row, ready for COPY … FROM STDIN (FORMAT csv, HEADER)',
  )
  format?: ExportFormat;

  @ApiPropertyOptional({ example: 1000, description: 'Lines fetched per page from the billing platform' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10_000)
  pageSize?: number;
}

export class ItemsExportQuery {
  @ExportFormatProperty('ndjson (default) or csv with a header row')
  format?: ExportFormat;
}

export class InvoiceLinesExportQuery extends ExportQuery {
  @ApiPropertyOptional({
    example: 'invoiceId,amountMinor,taxMinor,currency,issuedOn',
    description:
      "With format=csv, only these columns, in this order (comma-separated names of the full export's columns): a reader that compares invoice totals needs five of the thirteen",
  })
  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'columns must be comma-separated column names' })
  columns?: string;
}
