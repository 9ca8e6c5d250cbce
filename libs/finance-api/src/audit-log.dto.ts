import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class ListAuditLogQuery {
  @ApiPropertyOptional({
    example: 'api-key:6f1c',
    description: 'Rows whose actor contains this text (a key id, a key name, a service name)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  actor?: string;

  @ApiPropertyOptional({ example: 'mapping.approve', description: 'Rows of this action' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  action?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: 'From (inclusive)',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO 8601 date-time, e.g. 2026-03-01T00:00:00Z' })
  from?: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2026-04-01T00:00:00Z',
    description: 'To (exclusive)',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO 8601 date-time, e.g. 2026-04-01T00:00:00Z' })
  to?: Date;

  @ApiPropertyOptional({ example: 100, default: 100, minimum: 1, maximum: 500, description: 'Rows per page' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ example: 'MTI4', description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  cursor?: string;
}

export class AuditLogRowDto {
  @ApiProperty({ example: '128', description: 'Position in the chain (a bigint, as a string)' }) id: string;
  @ApiProperty({ format: 'date-time', example: '2026-03-02T09:15:00.000Z' }) at: string;
  @ApiProperty({ example: 'api-key:9a2e… (bob)' }) actor: string;
  @ApiProperty({ example: 'mapping.approve' }) action: string;
  @ApiProperty({ example: 'mapping-version:2' }) target: string;
  @ApiProperty({ type: Object, nullable: true, example: { status: 'proposed' } }) before: object | null;
  @ApiProperty({ type: Object, nullable: true, example: { status: 'active' } }) after: object | null;
  @ApiProperty({ type: String, nullable: true, example: 'c0rr-3b2f' }) correlationId: string | null;
  @ApiProperty({
    example: 'e3b0c442…',
    description: 'The hash of the row before (64 zeros for the first row)',
  })
  prevHash: string;
  @ApiProperty({
    example: '9f86d081…',
    description:
      'SHA-256 (hex) of the RFC 8785 canonical JSON of {prevHash, at, actor, action, target, before, after, correlationId}',
  })
  hash: string;

  @ApiProperty({
    enum: ['rfc8785-sha256', 'legacy'],
    description:
      'How `hash` was computed: `legacy` rows (written before canonical hashing) can only be checked for their links',
  })
  hashScheme: string;
}

export class AuditLogPageDto {
  @ApiProperty({ type: AuditLogRowDto, isArray: true, description: 'Newest first' })
  items: AuditLogRowDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'MTI4',
    description: 'Pass it back as `cursor` for the next (older) page; null on the last page',
  })
  nextCursor: string | null;
}

export class AuditChainHeadDto {
  @ApiProperty({ example: '128' }) id: string;
  @ApiProperty({ example: '9f86d081…' }) hash: string;
}

export class AuditChainBreakDto {
  @ApiProperty({ example: '57', description: 'The first row at which the chain does not hold' }) id: string;

  @ApiProperty({
    enum: ['content', 'link'],
    description:
      '`content`: the row was changed (its hash is not its content). `link`: its prevHash is not the hash of the row before (that row was removed or rewritten with a new hash)',
  })
  problem: 'content' | 'link';

  @ApiProperty({ type: String, nullable: true, example: '56', description: 'The row before it in the chain' })
  previousId: string | null;
}

export class AuditVerificationDto {
  @ApiProperty({ example: true }) intact: boolean;
  @ApiProperty({ example: 128, description: 'Rows found intact, from the first' }) checkedRows: number;

  @ApiProperty({
    example: 0,
    description:
      'Of the intact rows, those written before canonical hashing: linked, but their content cannot be checked. The number never grows: keep it with the head hash',
  })
  legacyRows: number;

  @ApiProperty({
    type: AuditChainHeadDto,
    nullable: true,
    description: 'The last row that holds: compare its hash with one anchored outside the database',
  })
  head: AuditChainHeadDto | null;

  @ApiProperty({ type: AuditChainBreakDto, nullable: true }) firstBrokenRow: AuditChainBreakDto | null;
}
