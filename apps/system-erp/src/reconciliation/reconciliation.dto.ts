import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches, ValidateIf } from 'class-validator';
import type { ExportFormat } from '@revline/http';
import { ExportFormatProperty } from '@revline/http';

const PERIOD = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
export const DOCUMENT_KINDS = ['invoice', 'creditMemo', 'payment', 'revenueJournal'] as const;

export class MoneyDto {
  @ApiProperty({ example: '1200000', description: 'Integer minor units' })
  amountMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;
}

/** A period, or (instead) the days of a fiscal period: its period-close journals are dated its last day. */
export class PeriodQuery {
  @ApiPropertyOptional({ example: '2026-01', description: 'Accounting period YYYY-MM (or from and to)' })
  @ValidateIf((q: PeriodQuery) => q.from === undefined && q.to === undefined)
  @Matches(PERIOD, { message: 'period must be YYYY-MM, or give from and to' })
  period?: string;

  @ApiPropertyOptional({
    example: '2025-12-28',
    description:
      'Instead of period, with to: the transactions dated from this day to `to` inclusive (a fiscal period)',
  })
  @ValidateIf((q: PeriodQuery) => q.period === undefined || q.from !== undefined)
  @Matches(DAY, { message: 'from must be a day YYYY-MM-DD, with to, instead of period' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-01-24', description: 'The last day of the dates, with from' })
  @ValidateIf((q: PeriodQuery) => q.period === undefined || q.to !== undefined)
  @Matches(DAY, { message: 'to must be a day YYYY-MM-DD, with from, instead of period' })
  to?: string;
}

export class DocumentsQuery extends PeriodQuery {
  @ApiProperty({ enum: DOCUMENT_KINDS, example: 'invoice' })
  @IsIn(DOCUMENT_KINDS, { message: `kind must be one of ${DOCUMENT_KINDS.join(', ')}` })
  kind: (typeof DOCUMENT_KINDS)[number];
}

export class DocumentsExportQuery extends DocumentsQuery {
  @ExportFormatProperty('ndjson (default) or csv with a header row')
  format?: ExportFormat;
}

export class BalancesQuery {
  @ApiProperty({ example: '2026-01', description: 'Balances at the end of this period (YYYY-MM)' })
  @Matches(PERIOD, { message: 'asOf must be YYYY-MM' })
  asOf: string;
}

export class BalancesExportQuery extends BalancesQuery {
  @ExportFormatProperty('ndjson (default) or csv with a header row')
  format?: ExportFormat;
}

export class ErpDocumentDto {
  @ApiProperty({ enum: DOCUMENT_KINDS, example: 'invoice' })
  kind: string;

  @ApiProperty({ example: '101', description: "The ERP's internal id" })
  erpId: string;

  @ApiPropertyOptional({ example: 'in_1PqR2026', nullable: true, type: String })
  externalId: string | null;

  @ApiProperty({ example: '2026-01-01' })
  tranDate: string;

  @ApiProperty({ example: '2026-01' })
  period: string;

  @ApiPropertyOptional({ example: '100', nullable: true, type: String })
  customerErpId: string | null;

  @ApiPropertyOptional({ example: 'C-G1', nullable: true, type: String })
  contractId: string | null;

  @ApiProperty({ type: MoneyDto, description: 'The total, tax included' })
  total: MoneyDto;

  @ApiPropertyOptional({
    type: MoneyDto,
    nullable: true,
    example: { amountMinor: '96000', currency: 'USD' },
    description: "An invoice's or credit memo's tax total (0 when untaxed); null for a payment or journal",
  })
  tax: MoneyDto | null;
}

export class ErpDocumentListDto {
  @ApiProperty({
    example: '2026-01',
    description: 'The period asked for, or the dates as an ISO 8601 interval (2025-12-28/2026-01-24)',
  })
  period: string;

  @ApiProperty({ example: 'invoice' })
  kind: string;

  @ApiProperty({ type: [ErpDocumentDto] })
  items: ErpDocumentDto[];
}

export class RevenuePostingDto {
  @ApiProperty({ example: '2026-01' })
  period: string;

  @ApiPropertyOptional({ example: 'C-G1', nullable: true, type: String })
  contractId: string | null;

  @ApiPropertyOptional({ example: 'seats', nullable: true, type: String })
  obligationId: string | null;

  @ApiPropertyOptional({ example: 'SEAT', nullable: true, type: String })
  productClass: string | null;

  @ApiProperty({ example: '1', description: "The ERP's subsidiary id" })
  subsidiary: string;

  @ApiProperty({ type: MoneyDto, example: { amountMinor: '101918', currency: 'USD' } })
  amount: MoneyDto;
}

export class RevenuePostingListDto {
  @ApiProperty({
    example: '2026-01',
    description: 'The period asked for, or the dates as an ISO 8601 interval (2025-12-28/2026-01-24)',
  })
  period: string;

  @ApiProperty({ type: [RevenuePostingDto] })
  items: RevenuePostingDto[];
}

export class ContractBalanceDto {
  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ example: '1098082', description: 'Deferred revenue (a credit balance, shown positive)' })
  deferredMinor: string;

  @ApiProperty({ example: '101918', description: 'Revenue recognised to date' })
  recognisedMinor: string;

  @ApiProperty({ example: '1200000', description: 'Receivable outstanding' })
  receivableMinor: string;

  @ApiProperty({
    example: '0',
    description: 'Unbilled receivable (contract asset): revenue recognised ahead of billing, a debit balance',
  })
  unbilledMinor: string;
}

export class ContractBalancesDto {
  @ApiProperty({ example: 'C-G1' })
  contractId: string;

  @ApiProperty({ example: '2026-01' })
  asOfPeriod: string;

  @ApiProperty({ type: [ContractBalanceDto] })
  balances: ContractBalanceDto[];
}
