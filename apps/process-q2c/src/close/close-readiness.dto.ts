import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RevenueRunDto } from '@revline/finance-api';

export class RevenueTotalDto {
  @ApiProperty({ example: '101918' })
  expectedMinor: string;

  @ApiProperty({ example: '101918' })
  postedMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;
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
    example: ['2 reconciliation breaks open (billing-erp missing_in_erp: 1, …)'],
    type: [String],
  })
  reasons: string[];

  @ApiProperty({ example: 0 })
  openExceptions: number;

  @ApiProperty({ example: 2 })
  openBreaks: number;

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
