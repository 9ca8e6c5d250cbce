import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DAY } from './periods';

export class SlaQuery {
  @ApiProperty({ example: '2026-03-01', description: 'First day (YYYY-MM-DD, UTC), inclusive' })
  @Matches(DAY, { message: 'from must be a date as YYYY-MM-DD' })
  from: string;

  @ApiProperty({
    example: '2026-03-31',
    description: 'Last day (YYYY-MM-DD, UTC), inclusive; at most 366 days on',
  })
  @Matches(DAY, { message: 'to must be a date as YYYY-MM-DD' })
  to: string;

  @ApiPropertyOptional({ example: 24, default: 24, description: 'An open exception older than this is aged' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(24 * 365)
  agedAfterHours?: number;
}

export class LatencyDto {
  @ApiProperty({ example: 'all', description: '`all`, or a kind of change (booking, expansion…)' })
  kind: string;

  @ApiProperty({ example: 42, description: 'Changes completed in the window' })
  count: number;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 0.84, description: 'Seconds' })
  p50Seconds: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 1.6 })
  p90Seconds: number | null;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 1.95 })
  p99Seconds: number | null;
}

export class ExceptionCountsDto {
  @ApiProperty({ example: 'unmapped_product' })
  category: string;

  @ApiProperty({ example: 3, description: 'First seen in the window' })
  opened: number;

  @ApiProperty({ example: 2, description: 'Resolved in the window' })
  resolved: number;

  @ApiProperty({ example: 1, description: 'Open (or retrying) now' })
  open: number;

  @ApiProperty({ example: 1, description: 'Open now and older than agedAfterHours' })
  aged: number;
}

export class SlaDto {
  @ApiProperty({ example: '2026-03-01' })
  from: string;

  @ApiProperty({ example: '2026-03-31' })
  to: string;

  @ApiProperty({ example: 24 })
  agedAfterHours: number;

  @ApiProperty({
    type: LatencyDto,
    isArray: true,
    description:
      'Sync latency (Salesforce commit → last ERP posting) of the changes completed in the window: `all` first, then per kind',
  })
  syncLatency: LatencyDto[];

  @ApiProperty({ type: ExceptionCountsDto, isArray: true, description: 'Per category, most opened first' })
  exceptions: ExceptionCountsDto[];

  @ApiProperty({ type: ExceptionCountsDto, description: 'All categories together (category `all`)' })
  exceptionTotals: ExceptionCountsDto;
}
