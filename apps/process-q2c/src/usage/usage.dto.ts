import { ApiProperty } from '@nestjs/swagger';

export class UsageRowDto {
  @ApiProperty({ example: 'evt-2026-03-0001', description: 'Unique per event; a repeat is ignored' })
  identifier: string;

  @ApiProperty({ example: '801000000000001AAA' })
  contractId: string;

  @ApiProperty({ example: 'API-CALLS', description: 'A usage product of the active catalogue' })
  productCode: string;

  @ApiProperty({ example: '130000', description: 'Whole number, or a decimal string' })
  quantity: string;

  @ApiProperty({ example: '2026-03-31T23:00:00Z' })
  occurredAt: string;
}

export class UsageCommandDto {
  @ApiProperty({ example: 'cus_123' })
  customerId: string;

  @ApiProperty({ example: 'api_calls' })
  meterEventName: string;

  @ApiProperty({ example: 1000 })
  events: number;

  @ApiProperty({ example: 'usage:cus_123:api_calls:3f2a…' })
  idempotencyKey: string;
}

export class UsageOutcomeDto {
  @ApiProperty({ example: 3 })
  received: number;

  @ApiProperty({ example: 2, description: 'New events staged and reported' })
  staged: number;

  @ApiProperty({
    example: 1,
    description: 'Events whose identifier was seen before (in this upload or earlier)',
  })
  duplicates: number;

  @ApiProperty({ type: UsageCommandDto, isArray: true })
  commands: UsageCommandDto[];
}
