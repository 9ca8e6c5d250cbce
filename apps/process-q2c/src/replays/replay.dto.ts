import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional, IsString, Length } from 'class-validator';

/** What to replay: one contract, or the sagas started in a time window; a dry run posts nothing. */
export class ReplayRequestDto {
  @ApiPropertyOptional({ example: '801000000000001AAA', description: 'The contract (its booking order id)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  contractId?: string;

  @ApiPropertyOptional({
    example: '2026-11-01T00:00:00Z',
    description: 'Sagas started at or after (with `to`)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-02T00:00:00Z', description: 'Sagas started before (with `from`)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ example: true, default: true, description: 'List only; post nothing' })
  @IsOptional()
  @IsBoolean()
  dryRun?: boolean;
}

export type CommandDifference = 'none' | 'not_sent' | 'unconfirmed' | 'payload_differs' | 'not_expected';

/** One ERP command: what the saga would post now beside what it posted. */
export class ReplayCommandDto {
  @ApiProperty({ example: '0195f3c2-8a1b-7c3d-9e4f-5a6b7c8d9e0f' })
  sagaId: string;

  @ApiProperty({ example: '801000000000001AAA' })
  contractId: string;

  @ApiProperty({ example: 'erp.post-invoice' })
  job: string;

  @ApiProperty({ example: 'saga:0195f3c2-…:erp-invoice:in_1' })
  idempotencyKey: string;

  @ApiProperty({ example: 'INV-in_1' })
  externalId: string;

  @ApiProperty({ nullable: true, description: 'The payload the saga would send now (null: not expected)' })
  wouldPost: object | null;

  @ApiProperty({ nullable: true, description: 'The payload the saga sent (null: never sent)' })
  posted: object | null;

  @ApiProperty({
    example: 'confirmed',
    nullable: true,
    description: 'sent | confirmed, from the command log',
  })
  postedStatus: string | null;

  @ApiProperty({ example: '1042', nullable: true, description: 'The ERP id the confirmation carried' })
  erpId: string | null;

  @ApiProperty({ enum: ['none', 'not_sent', 'unconfirmed', 'payload_differs', 'not_expected'] })
  difference: CommandDifference;
}

export class SkippedSagaDto {
  @ApiProperty({ example: '0195f3c2-8a1b-7c3d-9e4f-5a6b7c8d9e0f' })
  sagaId: string;

  @ApiProperty({ example: '801000000000001AAA' })
  contractId: string;

  @ApiProperty({ example: 'waiting' })
  status: string;
}

export class ReplayResultDto {
  @ApiProperty({ example: '0195f3c2-8a1b-7c3d-9e4f-5a6b7c8d9e10' })
  replayId: string;

  @ApiProperty({ example: true })
  dryRun: boolean;

  @ApiProperty({ example: 3, description: 'Completed sagas replayed (or that would be)' })
  sagas: number;

  @ApiProperty({ example: 0, description: 'Commands whose difference is not `none`' })
  differences: number;

  @ApiProperty({ example: 0, description: 'Commands sent again (0 on a dry run)' })
  resent: number;

  @ApiProperty({ type: ReplayCommandDto, isArray: true })
  commands: ReplayCommandDto[];

  @ApiProperty({
    type: SkippedSagaDto,
    isArray: true,
    description: 'Sagas not completed: they move on by themselves',
  })
  skipped: SkippedSagaDto[];
}
