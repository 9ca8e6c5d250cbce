import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { DomainError } from '@revline/http';
import { ProcessQ2cClient } from '../process-q2c/process-q2c.client';
import { PERIOD } from '@revline/finance-api';
import { ApiBadRequest, ApiCommonProblems } from '../shared/problem-docs';

export class RevenueCheckDto {
  @ApiProperty({ example: '1019180', description: 'Revenue the schedules expect in the period, minor units' })
  expectedMinor: string;

  @ApiProperty({ example: '1019180', description: 'Revenue the ERP has posted for the period, minor units' })
  postedMinor: string;

  @ApiProperty({ example: 'USD' })
  currency: string;
}

export class CloseReadinessDto {
  @ApiProperty({ example: '2026-03' })
  period: string;

  @ApiProperty({ example: false, description: 'Yes or no: may the period be closed?' })
  ready: boolean;

  @ApiProperty({
    type: String,
    isArray: true,
    example: ['2 open exceptions touch 2026-03', 'USD revenue posted 10,191.80 but 10,191.81 expected'],
    description: 'Why not (empty when ready)',
  })
  reasons: string[];

  @ApiProperty({ example: 2 })
  openExceptions: number;

  @ApiProperty({ example: 0 })
  openBreaks: number;

  @ApiProperty({ example: 0, description: 'Contract changes still on their way through the systems' })
  sagasInFlight: number;

  @ApiProperty({ type: RevenueCheckDto, isArray: true, description: 'Per currency' })
  revenue: RevenueCheckDto[];

  @ApiProperty({ example: '2026-04-02T08:00:00.000Z' })
  checkedAt: string;
}

@ApiTags('close')
@Roles('finance.viewer')
@Controller('v1/close')
export class CloseController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get(':period/readiness')
  @ApiOperation({
    summary: 'May this month be closed? Yes or no, with the reasons',
    description:
      'Checks the open exceptions and reconciliation breaks that touch the month, the contract changes still in flight, and, per currency, the revenue the ERP has posted for the month against what the schedules expect. `ready` is true only when all of them are clear; `reasons` says what stands in the way. Role finance.viewer.',
  })
  @ApiParam({ name: 'period', example: '2026-03', description: 'The month, YYYY-MM' })
  @ApiOkResponse({ type: CloseReadinessDto })
  @ApiBadRequest('period must be a month as YYYY-MM, e.g. 2026-03', 'period', '/v1/close/2026-13/readiness')
  @ApiCommonProblems('finance.viewer', '/v1/close/2026-03/readiness')
  getCloseReadiness(@Param('period') period: string): Promise<CloseReadinessDto> {
    if (!PERIOD.test(period))
      throw new DomainError(400, 'period must be a month as YYYY-MM, e.g. 2026-03', [
        { field: 'period', problem: 'must be a month as YYYY-MM' },
      ]);
    return this.q2c.get(`/v1/close/${period}/readiness`);
  }
}
