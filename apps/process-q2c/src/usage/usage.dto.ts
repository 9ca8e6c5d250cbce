import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class UsageRowDto {
  @ApiProperty({ example: 'evt-2026-03-0001', description: 'Unique per event; a repeat is counted once' })
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

/** A billing.report-usage command: one customer's usage of one meter, summed per UTC day of use. */
export class UsageCommandDto {
  @ApiProperty({ example: 'cus_123' })
  customerId: string;

  @ApiProperty({ example: 'api_calls' })
  meterEventName: string;

  @ApiProperty({
    example: 1000,
    description: 'Usage events the command reports, summed into one Stripe meter event per UTC day of use',
  })
  events: number;

  @ApiProperty({
    example: 'usage:cus_123:api_calls:6edd298d-f3b0-4202-a811-0edbe190a29d:0',
    description: 'usage:{customer}:{meter}:{ingestion id}:{chunk of 100 days}',
  })
  idempotencyKey: string;
}

export class UsageRejectDto {
  @ApiProperty({
    example: 42,
    description: 'The line of the body (1-based; a CSV header is line 1), or a JSON array item’s number',
  })
  line: number;

  @ApiProperty({ example: 'quantity', description: 'The field at fault, `(line)` for the whole line' })
  field: string;

  @ApiProperty({ example: 'must be a non-negative whole number or decimal string' })
  problem: string;
}

export class UsageOutcomeDto {
  @ApiProperty({ format: 'uuid', description: 'The ingestion record: GET /v1/usage/ingestions/{id}' })
  ingestionId: string;

  @ApiProperty({ example: 3, description: 'Events read (blank lines not counted)' })
  received: number;

  @ApiProperty({ example: 2, description: 'New events staged and reported' })
  staged: number;

  @ApiProperty({
    example: 1,
    description: 'Events whose identifier was seen before (in this upload or earlier), counted once',
  })
  duplicates: number;

  @ApiProperty({
    example: 0,
    description:
      'Events of a contract not booked yet, kept until its booking completes (USAGE_UNKNOWN_CONTRACT=park; GET /v1/usage/parked)',
  })
  parked: number;

  @ApiProperty({
    example: 0,
    description: 'Bad lines (only with mode=partial: otherwise the upload is refused)',
  })
  rejected: number;

  @ApiProperty({ type: UsageRejectDto, isArray: true, description: 'The first 100 bad lines, in line order' })
  rejects: UsageRejectDto[];

  @ApiProperty({ type: UsageCommandDto, isArray: true })
  commands: UsageCommandDto[];
}

export class UsageAcceptedDto {
  @ApiProperty({ format: 'uuid' })
  ingestionId: string;

  @ApiProperty({ example: 'running' })
  state: 'running';

  @ApiProperty({ example: '/v1/usage/ingestions/5b0c…', description: 'Also in the Location header' })
  location: string;
}

export class UsageIngestionDto {
  @ApiProperty({ format: 'uuid' })
  ingestionId: string;

  @ApiProperty({ enum: ['whole', 'partial'] })
  mode: string;

  @ApiProperty({
    enum: ['running', 'applied', 'rejected', 'failed'],
    description:
      '`running` while the body is read; `applied` (committed), `rejected` (bad lines or a bad body: nothing written), `failed` (an error of ours or a broken connection: nothing written)',
  })
  state: string;

  @ApiProperty({ example: 'application/x-ndjson' })
  contentType: string;

  @ApiProperty({ example: 200000, description: 'Events read so far (updated every 20,000 while running)' })
  linesRead: number;

  @ApiProperty({ example: 199998 })
  accepted: number;

  @ApiProperty({ example: 0 })
  duplicates: number;

  @ApiProperty({ example: 0, description: 'Events kept for their contract’s booking' })
  parked: number;

  @ApiProperty({ example: 2 })
  rejected: number;

  @ApiProperty({ type: UsageRejectDto, isArray: true, description: 'The first 100 bad lines, once finished' })
  rejects: UsageRejectDto[];

  @ApiPropertyOptional({ description: 'Why a rejected or failed ingestion stopped' })
  detail?: string;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiPropertyOptional({ format: 'date-time' })
  finishedAt?: string;
}

export class ParkedUsageDto {
  @ApiProperty({ example: '801Fiscal00001' })
  contractId: string;

  @ApiProperty({ example: 1200, description: 'Events waiting for the contract’s booking' })
  events: number;

  @ApiProperty({ format: 'date-time', description: 'When the first of them was parked' })
  firstParkedAt: string;

  @ApiProperty({ format: 'date-time', description: 'The earliest time of use among them' })
  firstOccurredAt: string;
}
