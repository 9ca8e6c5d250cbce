import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { CHECKPOINTS, SCOPES } from './checkpoints/checkpoint';
import type { Scope } from './checkpoints/checkpoint';
import {
  ACCOUNTING_PERIOD,
  ACCOUNTING_PERIOD_PROBLEM,
  BreakDetailsDto,
  RunSubjectDto,
} from '@revline/finance-api';

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class StartRunDto extends RunSubjectDto {
  @ApiPropertyOptional({ enum: SCOPES, example: 'all', default: 'all' })
  @IsOptional()
  @IsIn(SCOPES)
  scope?: Scope;

  @ApiPropertyOptional({
    example: '2026-03',
    description:
      'A period of the tenant’s fiscal calendar (REVENUE_FISCAL_CALENDAR): a month YYYY-MM, or a fiscal period FYyyyy-Pnn (default: the period today is in)',
  })
  @IsOptional()
  @Matches(ACCOUNTING_PERIOD, { message: `period ${ACCOUNTING_PERIOD_PROBLEM}` })
  period?: string;
}

export class CheckpointTallyDto {
  @ApiProperty({ enum: CHECKPOINTS, example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 1204, description: 'Objects compared' })
  compared: number;

  @ApiProperty({ example: 2, description: 'Breaks this run saw first' })
  opened: number;

  @ApiProperty({ example: 1, description: 'Breaks seen before and still there' })
  stillOpen: number;

  @ApiProperty({ example: 3, description: 'Breaks fixed since the last run, closed by this one' })
  closed: number;
}

export class ReconciliationRunDto {
  @ApiProperty({ example: '019ac5a0-7f4e-7c1a-9e55-1f2d3c4b5a69' })
  runId: string;

  @ApiProperty({ enum: SCOPES, example: 'all' })
  scope: string;

  @ApiProperty({ example: '2026-03' })
  period: string;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'The contract the run is limited to',
  })
  contractId: string | null;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'The customer the run is limited to',
  })
  customerId: string | null;

  @ApiProperty({ enum: ['schedule', 'on_demand'], example: 'on_demand' })
  trigger: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed'], example: 'completed' })
  status: string;

  @ApiProperty({ example: '2026-04-01T02:00:00.000Z' })
  startedAt: string;

  @ApiProperty({ example: '2026-04-01T02:00:09.412Z', nullable: true, type: String })
  finishedAt: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  error: string | null;

  @ApiProperty({ type: [CheckpointTallyDto] })
  checkpoints: CheckpointTallyDto[];
}

export class RunListDto {
  @ApiProperty({ type: [ReconciliationRunDto] })
  items: ReconciliationRunDto[];

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'Pass as cursor for the next page',
  })
  nextCursor: string | null;
}

export class PageQuery {
  @ApiPropertyOptional({ example: 50, default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be a nextCursor this API returned' })
  cursor?: string;
}

/** The filters every break list takes. */
export class BreakFiltersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CHECKPOINTS })
  @IsOptional()
  @IsIn(CHECKPOINTS)
  checkpoint?: string;

  @ApiPropertyOptional({ example: 'missing_in_erp' })
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'category must be a break category (lower case and _)' })
  category?: string;

  @ApiPropertyOptional({ example: '801Dn00000Booking1' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  contractId?: string;
}

export class BreaksQuery extends BreakFiltersQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed'] })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: 'open' | 'closed';

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    description: 'csv streams every matching break (or send Accept: text/csv)',
  })
  @IsOptional()
  @IsIn(['json', 'csv'])
  format?: 'json' | 'csv';
}

export class OpenBreaksQuery extends BreakFiltersQuery {
  @ApiPropertyOptional({ example: 'cus_NffrFeUfNV2Hib', description: 'The billing customer' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  customerId?: string;
}

export class BreakDto extends BreakDetailsDto {
  @ApiProperty({ example: '5f0c1a8e-2d7b-4c39-9f51-8e0b7d6a4c21' })
  breakId: string;

  @ApiProperty({ enum: CHECKPOINTS, example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 'missing_in_erp' })
  category: string;

  @ApiProperty({ example: '801Dn00000Booking1', nullable: true, type: String })
  contractId: string | null;

  @ApiProperty({ example: 'Invoice' })
  objectType: string;

  @ApiProperty({ example: 'in_1MtHbELkdIwHu7ix' })
  objectId: string;

  @ApiProperty({ example: 'erpDocument', nullable: true, type: String })
  field: string | null;

  @ApiProperty({ example: '1200000', nullable: true, type: String })
  expected: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  actual: string | null;

  @ApiProperty({ example: '-1200000', nullable: true, type: String })
  difference: string | null;

  @ApiProperty({ example: 'c-01J9Z8K3', nullable: true, type: String })
  correlationId: string | null;

  @ApiProperty({ example: '019ac5a0-7f4e-7c1a-9e55-1f2d3c4b5a69' })
  firstRunId: string;

  @ApiProperty({ example: '019ac5a0-7f4e-7c1a-9e55-1f2d3c4b5a69' })
  lastRunId: string;

  @ApiProperty({ enum: ['open', 'closed'], example: 'open' })
  status: string;

  @ApiProperty({ example: '2026-04-01T02:00:05.000Z' })
  openedAt: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  closedAt: string | null;

  @ApiProperty({ example: null, nullable: true, type: String })
  closedByRunId: string | null;
}

export class BreakListDto {
  @ApiProperty({ type: [BreakDto] })
  items: BreakDto[];

  @ApiProperty({ example: null, nullable: true, type: String })
  nextCursor: string | null;
}

export class SummaryQuery {
  @ApiProperty({ example: '2026-03-01' })
  @Matches(ISO_DATE, { message: 'from must be an ISO date (YYYY-MM-DD)' })
  from: string;

  @ApiProperty({ example: '2026-03-31' })
  @Matches(ISO_DATE, { message: 'to must be an ISO date (YYYY-MM-DD)' })
  to: string;
}

export class CategorySummaryDto {
  @ApiProperty({ enum: CHECKPOINTS, example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 'missing_in_erp' })
  category: string;

  @ApiProperty({ example: 3 })
  opened: number;

  @ApiProperty({ example: 2 })
  autoClosed: number;

  @ApiProperty({ example: 1 })
  open: number;
}

export class BreakSummaryDto {
  @ApiProperty({ example: '2026-03-01' })
  from: string;

  @ApiProperty({ example: '2026-03-31' })
  to: string;

  @ApiProperty({ example: 3, description: 'Breaks opened between from and to' })
  opened: number;

  @ApiProperty({ example: 2, description: 'Breaks closed by a run between from and to' })
  autoClosed: number;

  @ApiProperty({ example: 1, description: 'Breaks open now' })
  open: number;

  @ApiProperty({ type: [CategorySummaryDto] })
  byCategory: CategorySummaryDto[];
}
