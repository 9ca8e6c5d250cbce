import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

export const EXCEPTION_STATUSES = ['open', 'retrying', 'resolved'] as const;
export type ExceptionStatus = (typeof EXCEPTION_STATUSES)[number];

/** The system an exception arose with, by its queue: crm.* Salesforce, billing.* billing, erp.* the ERP, else Revline. */
export const EXCEPTION_SYSTEMS = ['salesforce', 'billing', 'erp', 'revline'] as const;
export type ExceptionSystem = (typeof EXCEPTION_SYSTEMS)[number];

export function systemOfQueue(queue: string): ExceptionSystem {
  if (queue.startsWith('crm.')) return 'salesforce';
  if (queue.startsWith('billing.')) return 'billing';
  if (queue.startsWith('erp.')) return 'erp';
  return 'revline';
}

export class ListExceptionsQuery {
  @ApiPropertyOptional({ example: 'unmapped_product', description: 'Exception category' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  category?: string;

  @ApiPropertyOptional({
    enum: EXCEPTION_SYSTEMS,
    example: 'salesforce',
    description: 'The system, by queue: crm.* salesforce, billing.* billing, erp.* erp, any other revline',
  })
  @IsOptional()
  @IsIn(EXCEPTION_SYSTEMS)
  system?: ExceptionSystem;

  @ApiPropertyOptional({ enum: EXCEPTION_STATUSES, example: 'open' })
  @IsOptional()
  @IsIn(EXCEPTION_STATUSES)
  status?: ExceptionStatus;

  @ApiPropertyOptional({
    example: '801Dn00000Booking1',
    description: 'Contract (or Salesforce order) the exception concerns',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  contractId?: string;

  @ApiPropertyOptional({
    example: 60,
    description: 'Only exceptions first seen at least this many minutes ago',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minAgeMinutes?: number;

  @ApiPropertyOptional({
    example: 1440,
    description: 'Only exceptions first seen at most this many minutes ago',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  maxAgeMinutes?: number;

  @ApiPropertyOptional({
    example: '2026-03',
    description: 'Only exceptions first seen in this month (YYYY-MM, UTC)',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be a month as YYYY-MM, e.g. 2026-03' })
  period?: string;

  @ApiPropertyOptional({
    example: 100,
    default: 100,
    minimum: 1,
    maximum: 500,
    description: 'Items per page',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    example: 'MTc5NjUyMDg2MDc2NDc2MiA2YTFmMGU5Yy0zYjBjLTRmNWUtOWQzOC0yYzZmMGE3YjFlMTE',
    description: 'nextCursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}

export class ExceptionDto {
  @ApiProperty({ example: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11' })
  id: string;

  @ApiProperty({ example: 'unmapped_product' })
  category: string;

  @ApiProperty({
    example:
      'Product ANALYTICS-PREMIUM (order line 802Dn00000AmendL02) is not in the product catalogue of mapping version 1: add its billing price, ERP item and revenue treatment in a new mapping version',
  })
  reason: string;

  @ApiProperty({ enum: EXCEPTION_STATUSES, example: 'open' })
  status: ExceptionStatus;

  @ApiPropertyOptional({ type: String, nullable: true, example: '801Dn00000Booking1' })
  contractId: string | null;

  @ApiProperty({ example: 'crm.record-changed' })
  job: string;

  @ApiProperty({ example: 'crm.changes' })
  queue: string;

  @ApiProperty({
    enum: EXCEPTION_SYSTEMS,
    example: 'salesforce',
    description: 'The system, by queue (the `system` filter)',
  })
  system: ExceptionSystem;

  @ApiProperty({ example: 'c0ffee00-0000-4000-8000-000000000001' })
  correlationId: string;

  @ApiProperty({ example: 1 })
  occurrences: number;

  @ApiProperty({ example: '2026-03-15T09:30:00.000Z' })
  firstSeenAt: string;

  @ApiProperty({ example: '2026-03-15T09:30:00.000Z' })
  lastSeenAt: string;

  @ApiProperty({ example: 35, description: 'Minutes since first seen' })
  ageMinutes: number;

  @ApiPropertyOptional({ type: String, nullable: true })
  resolvedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  resolution: string | null;

  @ApiProperty({ description: 'The problems found, each with its category, field and reason', example: {} })
  details: object;
}

export class ExceptionPageDto {
  @ApiProperty({ type: ExceptionDto, isArray: true, description: 'Oldest first' })
  items: ExceptionDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'MTc5NjUyMDg2MDc2NDc2MiA2YTFmMGU5Yy0zYjBjLTRmNWUtOWQzOC0yYzZmMGE3YjFlMTE',
    description: 'Pass it back as `cursor` for the next page; null on the last page',
  })
  nextCursor: string | null;
}

export class RetryExceptionsDto {
  @ApiProperty({ type: String, isArray: true, example: ['6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  ids: string[];
}

export class ResolveExceptionDto {
  @ApiProperty({ example: 'Order cancelled in Salesforce; nothing to sync' })
  @IsString()
  @Length(3, 1000)
  reason: string;
}

export class RetryOutcomeDto {
  @ApiProperty({ example: '6a1f0e9c-3b0c-4f5e-9d38-2c6f0a7b1e11' })
  id: string;

  @ApiProperty({ enum: ['retrying', 'skipped'], example: 'retrying' })
  outcome: 'retrying' | 'skipped';

  @ApiPropertyOptional({ example: 'already resolved' })
  note?: string;
}
