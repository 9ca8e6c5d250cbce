import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DAY } from '@revline/finance-api';
import { FinanceSlaDto } from '../sla/sla.dto';
import { IsOptional, Matches } from 'class-validator';

export class SyncHealthDto {
  @ApiProperty({ example: 3, description: 'GET /v1/contracts?status=in_flight lists them' })
  inFlight: number;

  @ApiProperty({ example: 2, description: 'GET /v1/contracts?status=parked lists them' })
  parked: number;

  @ApiProperty({ example: 0, description: 'GET /v1/contracts?status=failed lists them' })
  failed: number;
}

export class AgeBucketsDto {
  @ApiProperty({ example: 1, description: 'First seen less than an hour ago: `maxAgeMinutes=60`' })
  lt1h: number;

  @ApiProperty({ example: 0, description: 'One hour to a day: `minAgeMinutes=60&maxAgeMinutes=1440`' })
  lt24h: number;

  @ApiProperty({ example: 1, description: 'One day to a week: `minAgeMinutes=1440&maxAgeMinutes=10080`' })
  lt7d: number;

  @ApiProperty({ example: 0, description: 'A week or more: `minAgeMinutes=10080`' })
  gte7d: number;
}

export class ExceptionCategoryCountDto {
  @ApiProperty({ example: 'unmapped_product' })
  category: string;

  @ApiProperty({ example: 2, description: 'GET /v1/exceptions?status=open&category= lists them' })
  open: number;

  @ApiProperty({ type: AgeBucketsDto, description: "The open ones by age, each with the list's age filters" })
  ageBuckets: AgeBucketsDto;
}

export class LastRunDto {
  @ApiProperty({ example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: '0199a0c4-1111-7c2a-9b1d-3f4e5a6b7c8d' })
  runId: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed'], example: 'completed' })
  status: string;

  @ApiProperty({ example: '2026-04-01T02:00:00.000Z' })
  startedAt: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 3,
    description:
      'Breaks open after the run at this checkpoint (opened + still open); GET /v1/reconciliation-runs/{runId}/breaks?checkpoint= lists them. Null while it runs.',
  })
  breaks: number | null;
}

export class PeriodReadinessDto {
  @ApiProperty({ example: '2026-03' })
  period: string;

  @ApiProperty({ example: false })
  ready: boolean;

  @ApiProperty({
    type: String,
    isArray: true,
    description: 'Why not, as GET /v1/close/{period}/readiness says',
  })
  reasons: string[];
}

export class OverviewDto {
  @ApiProperty({ type: SyncHealthDto })
  syncHealth: SyncHealthDto;

  @ApiProperty({ type: ExceptionCategoryCountDto, isArray: true })
  exceptionsByCategory: ExceptionCategoryCountDto[];

  @ApiProperty({ type: FinanceSlaDto, description: 'The GET /v1/sla body' })
  sla: FinanceSlaDto;

  @ApiProperty({
    type: LastRunDto,
    isArray: true,
    description: 'The latest whole-book run of each checkpoint (one that ran it: its own scope or all)',
  })
  lastRuns: LastRunDto[];

  @ApiProperty({
    type: PeriodReadinessDto,
    isArray: true,
    description: 'The current month, then the previous one',
  })
  readiness: PeriodReadinessDto[];
}

export class OverviewQuery {
  @ApiPropertyOptional({
    example: '2026-03-15',
    description:
      'The day (YYYY-MM-DD, UTC) the overview is of: its month and the one before; today when absent',
  })
  @IsOptional()
  @Matches(DAY, { message: 'at must be a date as YYYY-MM-DD' })
  at?: string;
}
