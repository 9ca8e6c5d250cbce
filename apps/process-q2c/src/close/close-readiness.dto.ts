import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MoneyViewDto, OpenBreakGroupDto, RevenueRunDto } from '@revline/finance-api';

export class RevenueTotalDto {
  @ApiProperty({ example: '101918' })
  expectedMinor: string;

  @ApiProperty({ example: '101918' })
  postedMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ type: MoneyViewDto, description: 'expectedMinor with its currency and display string' })
  expected: MoneyViewDto;

  @ApiProperty({ type: MoneyViewDto, description: 'postedMinor with its currency and display string' })
  posted: MoneyViewDto;
}

export class CloseReadinessDto {
  @ApiProperty({
    example: '2026-01',
    description: 'The period: a month YYYY-MM, or a fiscal period FYyyyy-Pnn',
  })
  period: string;

  @ApiProperty({ example: false })
  ready: boolean;

  @ApiProperty({
    example: [
      '1 reconciliation break(s) open: billing-erp missing_in_erp 1 (contracts 801Dn00000Booking1; run 019ac5a0-7f4e-7c1a-9e55-1f2d3c4b5a69)',
      'revenue USD: 35,416.50 USD posted, 35,516.50 USD expected (-100.00 USD difference)',
    ],
    type: [String],
  })
  reasons: string[];

  @ApiProperty({ example: 0 })
  openExceptions: number;

  @ApiProperty({ example: 2 })
  openBreaks: number;

  @ApiProperty({ type: [OpenBreakGroupDto], description: 'The open breaks by checkpoint and category' })
  breaks: OpenBreakGroupDto[];

  @ApiProperty({ example: 0 })
  sagasInFlight: number;

  @ApiProperty({ type: [RevenueTotalDto] })
  revenue: RevenueTotalDto[];

  @ApiPropertyOptional({
    type: RevenueRunDto,
    description:
      'Under period close (REVENUE_POSTING=period_close): the period’s latest revenue run, with its state and journals',
  })
  revenueRun?: RevenueRunDto;

  @ApiPropertyOptional({
    example: 0,
    description:
      'Under period close: contract lines a revenue run would post now (changes since the latest run)',
  })
  revenueRunPending?: number;

  @ApiProperty({ example: '2026-02-03T09:00:00.000Z' })
  checkedAt: string;
}
