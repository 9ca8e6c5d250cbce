import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import {
  ACCOUNTING_PERIOD,
  ACCOUNTING_PERIOD_PROBLEM,
  BreakDetailsDto,
  RunSubjectDto,
} from '@revline/finance-api';
import { PageQuery } from '../shared/page.dto';

export const SCOPES = ['all', 'salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage'] as const;
export const CHECKPOINTS = ['salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage'] as const;
const RUN_ID = '0199a0c4-1111-7c2a-9b1d-3f4e5a6b7c8d';

export class StartRunDto extends RunSubjectDto {
  @ApiPropertyOptional({
    enum: SCOPES,
    default: 'all',
    example: 'all',
    description: 'Which comparison to run',
  })
  @IsOptional()
  @IsIn(SCOPES)
  scope?: (typeof SCOPES)[number];

  @ApiPropertyOptional({
    example: '2026-03',
    description:
      'Period to reconcile, of the tenant’s fiscal calendar: a month YYYY-MM, or a fiscal period FYyyyy-Pnn; default the current one',
  })
  @IsOptional()
  @Matches(ACCOUNTING_PERIOD, { message: `period ${ACCOUNTING_PERIOD_PROBLEM}` })
  period?: string;
}

export class CheckpointResultDto {
  @ApiProperty({ enum: CHECKPOINTS, example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 1250, description: 'Records compared' })
  compared: number;

  @ApiProperty({ example: 2, description: 'Breaks this run opened' })
  opened: number;

  @ApiProperty({ example: 1, description: 'Breaks found before and still there' })
  stillOpen: number;

  @ApiProperty({ example: 3, description: 'Breaks this run found fixed (closed automatically)' })
  closed: number;
}

export class ReconciliationRunDto {
  @ApiProperty({ example: RUN_ID })
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

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-04-01T02:00:04.812Z' })
  finishedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  error: string | null;

  @ApiProperty({ type: CheckpointResultDto, isArray: true })
  checkpoints: CheckpointResultDto[];
}

export class ReconciliationRunPageDto {
  @ApiProperty({ type: ReconciliationRunDto, isArray: true, description: 'Newest first' })
  items: ReconciliationRunDto[];

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  nextCursor: string | null;
}

/** The filters every break list takes. */
export class BreakFiltersQuery extends PageQuery {
  @ApiPropertyOptional({ enum: CHECKPOINTS, example: 'billing-erp' })
  @IsOptional()
  @IsIn(CHECKPOINTS)
  checkpoint?: string;

  @ApiPropertyOptional({ example: 'amount_mismatch', description: 'Break category' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  category?: string;

  @ApiPropertyOptional({ example: '801Dn00000Booking1' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  contractId?: string;
}

export class ListBreaksQuery extends BreakFiltersQuery {
  @ApiPropertyOptional({ enum: ['open', 'closed'], example: 'open' })
  @IsOptional()
  @IsIn(['open', 'closed'])
  status?: string;

  @ApiPropertyOptional({
    enum: ['json', 'csv'],
    example: 'json',
    description: 'csv streams every matching break as CSV (as does `Accept: text/csv`)',
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
  @ApiProperty({ example: '0199a0c4-2222-7c2a-9b1d-3f4e5a6b7c8d' })
  breakId: string;

  @ApiProperty({ enum: CHECKPOINTS, example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 'amount_mismatch' })
  category: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '801Dn00000Booking1' })
  contractId: string | null;

  @ApiProperty({ example: 'invoice' })
  objectType: string;

  @ApiProperty({ example: 'in_1Q2c3D4e5F6g7H8i' })
  objectId: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'total' })
  field: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '1200000' })
  expected: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '1100000' })
  actual: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '-100000' })
  difference: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'c0ffee00-0000-4000-8000-000000000001' })
  correlationId: string | null;

  @ApiProperty({ example: RUN_ID })
  firstRunId: string;

  @ApiProperty({ example: RUN_ID })
  lastRunId: string;

  @ApiProperty({ enum: ['open', 'closed'], example: 'open' })
  status: string;

  @ApiProperty({ example: '2026-04-01T02:00:03.100Z' })
  openedAt: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  closedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  closedByRunId: string | null;
}

export class BreakPageDto {
  @ApiProperty({ type: BreakDto, isArray: true })
  items: BreakDto[];

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  nextCursor: string | null;
}
