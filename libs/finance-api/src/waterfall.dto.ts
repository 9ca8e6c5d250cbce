import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ACCOUNTING_PERIOD, ACCOUNTING_PERIOD_PROBLEM } from './periods';

export class WaterfallQuery {
  @ApiProperty({
    example: '2026-01',
    description: 'First period: a month (YYYY-MM), or a fiscal period (FY2026-P01) on a fiscal calendar',
  })
  @Matches(ACCOUNTING_PERIOD, { message: `from ${ACCOUNTING_PERIOD_PROBLEM}` })
  from: string;

  @ApiProperty({
    example: '2026-12',
    description: 'Last period, of the same calendar as `from`, at most 120 periods after it',
  })
  @Matches(ACCOUNTING_PERIOD, { message: `to ${ACCOUNTING_PERIOD_PROBLEM}` })
  to: string;

  @ApiPropertyOptional({ example: '801Dn00000Booking1', description: 'One contract only' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  contractId?: string;

  @ApiPropertyOptional({ example: 'USD', description: 'One currency only' })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as USD' })
  currency?: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    example: 'json',
    description: 'csv answers text/csv (as does `Accept: text/csv`)',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class WaterfallMonthDto {
  @ApiProperty({ example: '2026-01' })
  period: string;

  @ApiProperty({ example: '0', description: 'Deferred revenue at the start of the month, minor units' })
  openingDeferredMinor: string;

  @ApiProperty({
    example: '0',
    description: 'Unbilled receivable (contract asset: recognised before billed) at the start of the month',
  })
  openingUnbilledMinor: string;

  @ApiProperty({ example: '1200000', description: 'Invoiced less credited in the month (excluding tax)' })
  billedMinor: string;

  @ApiProperty({ example: '101918', description: 'Revenue recognised in the month' })
  recognisedMinor: string;

  @ApiProperty({
    example: '1098082',
    description:
      'Deferred revenue at the month end (contracts billed ahead of revenue), never negative: closing deferred − closing unbilled = opening deferred − opening unbilled + billed − recognised',
  })
  closingDeferredMinor: string;

  @ApiProperty({
    example: '0',
    description:
      'Unbilled receivable at the month end (contracts whose revenue ran ahead of billing), never negative',
  })
  closingUnbilledMinor: string;

  @ApiPropertyOptional({
    example: '101918',
    description:
      'Revenue the month’s revenue runs posted to the ERP (period close), minor units; absent before the month’s first run. It differs from `recognisedMinor` by catch-ups of changes effective in months already closed, and by changes since the latest run.',
  })
  postedToErpMinor?: string;
}

export class WaterfallCurrencyDto {
  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ example: '0' })
  openingDeferredMinor: string;

  @ApiProperty({ example: '0' })
  openingUnbilledMinor: string;

  @ApiProperty({ example: '1200000' })
  billedMinor: string;

  @ApiProperty({ example: '1200000' })
  recognisedMinor: string;

  @ApiProperty({ example: '0' })
  closingDeferredMinor: string;

  @ApiProperty({ example: '0' })
  closingUnbilledMinor: string;

  @ApiProperty({ type: WaterfallMonthDto, isArray: true })
  months: WaterfallMonthDto[];
}

export class WaterfallDto {
  @ApiProperty({ example: '2026-01' })
  from: string;

  @ApiProperty({ example: '2026-12' })
  to: string;

  @ApiProperty({ example: 1, description: 'Contracts whose schedules are included' })
  contracts: number;

  @ApiProperty({ type: WaterfallCurrencyDto, isArray: true, description: 'One roll-forward per currency' })
  currencies: WaterfallCurrencyDto[];
}
