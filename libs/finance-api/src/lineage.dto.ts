import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class LineageHopDto {
  @ApiProperty({ enum: ['salesforce', 'revline', 'billing', 'erp'], example: 'revline' })
  system: string;

  @ApiProperty({ example: 'ContractAmended' })
  objectType: string;

  @ApiProperty({ example: '0199a0c4-8f3e-7c2a-9b1d-3f4e5a6b7c8d' })
  externalId: string;

  @ApiProperty({ example: 'normalised' })
  status: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '801Dn00000Booking1' })
  contractId: string | null;

  @ApiProperty({ example: 'c0ffee00-0000-4000-8000-000000000001' })
  correlationId: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '0199a0c4-0000-7000-8000-000000000001' })
  causationId: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'expansion, mapping version 2' })
  detail: string | null;

  @ApiProperty({ example: '2026-03-15T09:30:00.000Z' })
  occurredAt: string;

  @ApiProperty({ example: '2026-03-15T09:30:00.412Z' })
  recordedAt: string;
}

export class ContractChangeLineageDto {
  @ApiProperty({ example: 'c0ffee00-0000-4000-8000-000000000001' })
  correlationId: string;

  @ApiProperty({ example: 'normalised', description: 'Status of the latest hop' })
  lastStatus: string;

  @ApiProperty({ example: 'revline' })
  lastSystem: string;

  @ApiProperty({ type: LineageHopDto, isArray: true })
  hops: LineageHopDto[];
}

export class ContractLineageDto {
  @ApiProperty({ example: '801Dn00000Booking1' })
  contractId: string;

  @ApiProperty({
    type: ContractChangeLineageDto,
    isArray: true,
    description: 'One entry per contract change (correlation id), oldest first, each with its hops in order',
  })
  changes: ContractChangeLineageDto[];
}
