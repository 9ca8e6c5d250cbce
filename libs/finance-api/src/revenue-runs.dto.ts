import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length } from 'class-validator';
import { MoneyViewDto } from './money-view';

export class RevenueRunJournalDto {
  @ApiProperty({
    example: 'rr:2026-03:US:USD:1:1',
    description: 'The journal’s ERP external id (deterministic)',
  })
  externalId: string;

  @ApiProperty({ example: 'US' })
  subsidiary: string;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({
    example: 1,
    description: 'Detail mode: the chunk (at most 1,000 lines each); summary mode: 1',
  })
  chunk: number;

  @ApiProperty({ example: 2, description: 'Journal lines' })
  lines: number;

  @ApiProperty({ example: '1019180', description: 'Total debits (equal to total credits), minor units' })
  debitMinor: string;

  @ApiProperty({ enum: ['sent', 'posted', 'rejected'] })
  status: 'sent' | 'posted' | 'rejected';

  @ApiPropertyOptional({ example: '5512', description: 'The ERP’s internal id, once posted' })
  erpId?: string;

  @ApiPropertyOptional({ example: 'Period 2026-03 is closed.' })
  error?: string;
}

export class RevenueRunDto {
  @ApiProperty({ format: 'uuid' })
  runId: string;

  @ApiProperty({ example: '2026-03' })
  period: string;

  @ApiProperty({
    example: 1,
    description: '1 for the period’s close; 2 and up for adjustment runs after late changes',
  })
  sequence: number;

  @ApiProperty({ enum: ['close', 'adjustment'] })
  kind: 'close' | 'adjustment';

  @ApiProperty({ enum: ['summary', 'detail'] })
  mode: 'summary' | 'detail';

  @ApiProperty({
    enum: ['posting', 'posted', 'failed'],
    description:
      'posting: journals sent, not all confirmed; posted: every journal posted (or nothing to post); failed: the ERP refused a journal (see reason and the workbench)',
  })
  state: 'posting' | 'posted' | 'failed';

  @ApiProperty({ example: 'scheduler', description: 'Who asked: the scheduler or a person' })
  requestedBy: string;

  @ApiProperty({ example: 'c0a8012e-…', description: 'The correlation id the run and its journals carry' })
  correlationId: string;

  @ApiProperty({ example: 120, description: 'Contracts with a line in this run' })
  contracts: number;

  @ApiProperty({ example: 240, description: 'Contract-level lines (obligations and contract assets)' })
  lines: number;

  @ApiPropertyOptional({ example: 'NetSuite refused rr:2026-03:US:USD:1:1: period 2026-03 is closed' })
  reason?: string;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;

  @ApiProperty({ type: RevenueRunJournalDto, isArray: true })
  journals: RevenueRunJournalDto[];
}

export class RevenueRunListDto {
  @ApiProperty({ example: '2026-03' })
  period: string;

  @ApiProperty({ type: RevenueRunDto, isArray: true, description: 'Oldest first' })
  items: RevenueRunDto[];
}

export class StartRevenueRunResultDto extends RevenueRunDto {
  @ApiProperty({
    description: 'true when a run of the period was still posting and is returned instead of a new one',
  })
  resumed: boolean;
}

/** What process-q2c is told when a person starts a run through the experience API. */
export class StartRevenueRunBody {
  @ApiPropertyOptional({
    example: 'api-key:… (close team)',
    description: 'Who asked (set by the experience API)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  requestedBy?: string;
}

export class RevenueScheduleLineDto {
  @ApiProperty({ example: 'POB-SUBSCRIPTION-801Dn00000Booking1-1' })
  obligationId: string;

  @ApiProperty({ example: 'SEAT' })
  productCode: string;

  @ApiProperty({ example: '2026-03', description: 'The accounting period (a month, or FYyyyy-Pnn)' })
  period: string;

  @ApiProperty({ type: MoneyViewDto, description: 'Revenue recognised in the period under this version' })
  amount: MoneyViewDto;
}

export class RevenueScheduleVersionDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: ['booking', 'amendment'], example: 'amendment', description: 'What made the version' })
  cause: string;

  @ApiProperty({
    example: 'prospective',
    description: "`booking`, or the amendment's ASC 606 modification treatment",
  })
  treatment: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '0199a0c4-8f3e-7c2a-9b1d-3f4e5a6b7c8d',
    description: 'The canonical event (ContractBooked or ContractAmended) behind it',
  })
  eventId: string | null;

  @ApiProperty({ type: String, nullable: true, example: '802Dn00000Amend01' })
  amendmentId: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-03-15T09:30:00.412Z',
    description: 'When Revline stored that event',
  })
  createdAt: string | null;

  @ApiProperty({ example: 'USD' })
  currency: string;

  @ApiProperty({ type: MoneyViewDto, description: 'Every line of the version summed' })
  total: MoneyViewDto;

  @ApiProperty({ type: RevenueScheduleLineDto, isArray: true, description: 'Per obligation and period' })
  lines: RevenueScheduleLineDto[];
}
