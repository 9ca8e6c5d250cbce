import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { MappingDefinition } from './mapping-definition';
import { DEFAULT_MAPPING } from './default-mapping';
import type { MappingStatus, MappingVersionEntity } from './mapping-version.entity';

export class MappingVersionDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: ['proposed', 'active', 'superseded', 'rejected'], example: 'active' })
  status: MappingStatus;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 1,
    description: 'The active version it was proposed against',
  })
  basedOnVersion: number | null;

  @ApiProperty({ example: 'Add the premium analytics product' })
  summary: string;

  @ApiProperty({
    description: 'Field mappings, product catalogue and systems of record (schema MappingDefinition)',
    example: DEFAULT_MAPPING,
  })
  definition: MappingDefinition;

  @ApiProperty({ example: 'api-key:6f1c… (alice)' })
  proposedBy: string;

  @ApiProperty({ example: '2026-03-01T10:00:00.000Z' })
  proposedAt: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'api-key:9a2e… (bob)' })
  decidedBy: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-03-01T11:00:00.000Z' })
  decidedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  decisionReason: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-03-01T11:00:00.000Z' })
  activatedAt: string | null;
}

export class MappingVersionSummaryDto {
  @ApiProperty({ example: 2 })
  version: number;

  @ApiProperty({ enum: ['proposed', 'active', 'superseded', 'rejected'], example: 'superseded' })
  status: MappingStatus;

  @ApiPropertyOptional({ type: Number, nullable: true, example: 1 })
  basedOnVersion: number | null;

  @ApiProperty({ example: 'Add the premium analytics product' })
  summary: string;

  @ApiProperty({ example: 'api-key:6f1c… (alice)' })
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

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toMappingVersionDto(row: MappingVersionEntity): MappingVersionDto {
  return {
    version: row.version,
    status: row.status,
    basedOnVersion: row.basedOnVersion,
    summary: row.summary,
    definition: row.definition,
    proposedBy: row.proposedBy,
    proposedAt: row.proposedAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: iso(row.decidedAt),
    decisionReason: row.decisionReason,
    activatedAt: iso(row.activatedAt),
  };
}

export function toMappingVersionSummary(row: MappingVersionEntity): MappingVersionSummaryDto {
  return {
    version: row.version,
    status: row.status,
    basedOnVersion: row.basedOnVersion,
    summary: row.summary,
    proposedBy: row.proposedBy,
    proposedAt: row.proposedAt.toISOString(),
    decidedBy: row.decidedBy,
    decidedAt: iso(row.decidedAt),
    fieldMappings: row.definition.fieldMappings.length,
    products: row.definition.productCatalogue.length,
  };
}
