import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { DIFF_SECTIONS } from './mapping-diff';
import type { DiffSection, MappingDiff, MappingDiffEntry } from './mapping-diff';

const STATUSES = ['proposed', 'active', 'superseded', 'rejected'];

export class MappingVersionSummaryDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: STATUSES, example: 'superseded' })
  status: string;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 1 })
  basedOnVersion: number | null;

  @ApiProperty({ example: 'Add the premium analytics product' })
  summary: string;

  @ApiProperty({
    example: 'api-key:6f1c… (alice) via api-key:0b2d… (experience-finance (service))',
    description: 'The key that proposed it (and the service key that carried the request, when one did)',
  })
  proposedBy: string;

  @ApiProperty({ example: '2026-03-01T10:00:00.000Z' })
  proposedAt: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  decidedBy: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  decidedAt: string | null;

  @ApiProperty({ example: 24, description: 'Number of field mappings' })
  fieldMappings: number;

  @ApiProperty({ example: 4, description: 'Number of products in the catalogue' })
  products: number;
}

export class MappingVersionDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: STATUSES, example: 'active' })
  status: string;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 1 })
  basedOnVersion: number | null;

  @ApiProperty({ example: 'Add the premium analytics product' })
  summary: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      "`fieldMappings` (target, source, valueMap?, default?), `productCatalogue` (productCode, billingPriceId, erpItemId, revenueTreatment, ssp, unitPricePeriod, pobId, productClass…) and `systemsOfRecord`: process-q2c's MappingDefinition",
  })
  definition: Record<string, unknown>;

  @ApiProperty({ example: 'api-key:6f1c… (alice) via api-key:0b2d… (experience-finance (service))' })
  proposedBy: string;

  @ApiProperty({ example: '2026-03-01T10:00:00.000Z' })
  proposedAt: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  decidedBy: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  decidedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  decisionReason: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  activatedAt: string | null;
}

export class MappingDiffEntryDto implements MappingDiffEntry {
  @ApiProperty({ enum: DIFF_SECTIONS, example: 'productCatalogue' })
  section: DiffSection;

  @ApiProperty({
    example: 'ANALYTICS',
    description:
      "The entry's key: a field mapping's canonical target, a product code, a system-of-record domain",
  })
  key: string;

  @ApiProperty({
    nullable: true,
    description: 'The entry in the `from` version (null: added)',
    example: null,
  })
  before: unknown;

  @ApiProperty({
    nullable: true,
    description: 'The entry in the `to` version (null: removed)',
    example: { productCode: 'ANALYTICS', billingPriceId: 'price_analytics' },
  })
  after: unknown;

  @ApiProperty({
    type: [String],
    example: ['ssp'],
    description: 'The fields that differ (every field of an added or removed entry)',
  })
  fields: string[];
}

export class MappingDiffDto implements MappingDiff {
  @ApiProperty({ example: 1 })
  from: number;

  @ApiProperty({ example: 2 })
  to: number;

  @ApiProperty({ type: [MappingDiffEntryDto] })
  added: MappingDiffEntryDto[];

  @ApiProperty({ type: [MappingDiffEntryDto] })
  removed: MappingDiffEntryDto[];

  @ApiProperty({ type: [MappingDiffEntryDto] })
  changed: MappingDiffEntryDto[];
}

export class MappingDiffQuery {
  @ApiProperty({ example: 1, description: 'The version to compare from' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  from: number;

  @ApiProperty({ example: 2, description: 'The version to compare to' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  to: number;
}
