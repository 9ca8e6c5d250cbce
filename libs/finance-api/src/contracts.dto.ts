import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const LIFECYCLE_STATUSES = ['in_sync', 'in_flight', 'parked', 'failed'] as const;
export type LifecycleStatus = (typeof LIFECYCLE_STATUSES)[number];

export const CONTRACT_STATUSES = ['active', 'cancelled', 'not_booked'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export const SYSTEM_STATUSES = ['not_started', 'in_progress', 'done', 'failed'] as const;
export type SystemStatus = (typeof SYSTEM_STATUSES)[number];

export class ContractSummaryDto {
  @ApiProperty({ example: '801Dn00000Booking1' })
  contractId: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '001Dn00000Acme001',
    description: 'Salesforce account id of the customer (null when the order that was refused names none)',
  })
  customer: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'USD',
    description: 'Null for a contract not booked yet when its order does not say',
  })
  currency: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-01-01' })
  termStart: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-12-31' })
  termEnd: string | null;

  @ApiProperty({
    enum: CONTRACT_STATUSES,
    example: 'active',
    description:
      '`not_booked`: Revline has not stored the booking: it refused it as it was captured, or amendments wait for it (either way the contract is `parked`)',
  })
  contractStatus: ContractStatus;

  @ApiProperty({ enum: LIFECYCLE_STATUSES, example: 'in_sync' })
  lifecycleStatus: LifecycleStatus;

  @ApiProperty({ example: 2, description: 'Contract changes (booking and amendments) stored' })
  changes: number;

  @ApiProperty({ example: 2, description: 'Of which completed in all three systems' })
  completed: number;

  @ApiProperty({ example: 0 })
  inFlight: number;

  @ApiProperty({
    example: 0,
    description:
      'Changes waiting for an operator (a parked saga, or a change refused as it was captured: an open exception says why) or for their booking; those that started no saga are not counted in `changes`',
  })
  parked: number;

  @ApiProperty({
    example: 0,
    description:
      'Unfinished changes that a system failed: the latest hop in Salesforce, billing or the ERP is a refusal (rejected, exception, confirmation timeout)',
  })
  failed: number;

  @ApiProperty({ example: '2026-03-15T09:31:02.114Z' })
  updatedAt: string;
}

export class ContractPageDto {
  @ApiProperty({ type: ContractSummaryDto, isArray: true })
  items: ContractSummaryDto[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ODAxRG4wMDAwMEJvb2tpbmcx' })
  nextCursor: string | null;
}

export class LifecycleHopDto {
  @ApiProperty({ example: 'Invoice' })
  objectType: string;

  @ApiProperty({ example: 'in_1Q2c3D4e5F6g7H8i' })
  externalId: string;

  @ApiProperty({ example: 'issued' })
  status: string;

  @ApiProperty({ example: '2026-01-01T00:00:04.120Z' })
  occurredAt: string;
}

export class SystemLifecycleDto {
  @ApiProperty({ enum: SYSTEM_STATUSES, example: 'done' })
  status: SystemStatus;

  @ApiProperty({ example: 3, description: 'Commands Revline sent to this system for the change' })
  commandsSent: number;

  @ApiProperty({ example: 3, description: 'Of which the system confirmed' })
  commandsConfirmed: number;

  @ApiPropertyOptional({
    type: LifecycleHopDto,
    nullable: true,
    description: 'The latest hop in this system',
  })
  lastHop: LifecycleHopDto | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: "resource_missing: No such price: 'price_seat_monthly'",
    description: "Why the system is failed: the vendor's code and message of its refusal; null otherwise",
  })
  reason: string | null;
}

export class ContractChangeLifecycleDto {
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '0199a0c4-8f3e-7c2a-9b1d-3f4e5a6b7c8d',
    description: 'Null for a change that never started a saga (refused, or waiting for its booking)',
  })
  sagaId: string | null;

  @ApiProperty({
    example: 'booking',
    description:
      'booking, expansion, reduction, cancellation, renewal…; for a change not stored, the order kind (booking, amendment, renewal)',
  })
  kind: string;

  @ApiProperty({ example: 'c0ffee00-0000-4000-8000-000000000001' })
  correlationId: string;

  @ApiProperty({
    enum: ['running', 'waiting', 'parked', 'completed'],
    example: 'completed',
    description:
      'A change that started no saga is `parked` at step `normalise` (refused as it was captured; `lastError` says why) or `await_booking` (an amendment waiting for the booking of its contract)',
  })
  status: string;

  @ApiProperty({ example: 'done', description: 'The saga step it is at' })
  step: string;

  @ApiProperty({ example: '2026-01-01T00:00:00.000Z', description: 'When Salesforce committed the change' })
  committedAt: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: '2026-01-01T00:00:07.512Z' })
  completedAt: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  lastError: string | null;

  @ApiProperty({ type: SystemLifecycleDto })
  salesforce: SystemLifecycleDto;

  @ApiProperty({ type: SystemLifecycleDto })
  billing: SystemLifecycleDto;

  @ApiProperty({ type: SystemLifecycleDto })
  erp: SystemLifecycleDto;
}

export class ContractLifecycleDto {
  @ApiProperty({ type: ContractSummaryDto })
  contract: ContractSummaryDto;

  @ApiProperty({ type: ContractChangeLifecycleDto, isArray: true, description: 'Oldest first' })
  changes: ContractChangeLifecycleDto[];
}
