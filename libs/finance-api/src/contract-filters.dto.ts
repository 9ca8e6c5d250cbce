import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { LIFECYCLE_STATUSES } from './contracts.dto';
import type { LifecycleStatus } from './contracts.dto';

/** The filters of the contracts list, the same on process-q2c and the experience API (paging is each app's). */
export class ContractFilterQuery {
  @ApiPropertyOptional({
    enum: LIFECYCLE_STATUSES,
    example: 'parked',
    description:
      'in_sync: every change completed in all three systems; in_flight: a change is still on its way; parked: a change waits for an operator (a parked saga, or a change refused as it was captured, a booking Revline never stored included) or an amendment for its booking; failed: a system (Salesforce, billing, the ERP) refused an unfinished change',
  })
  @IsOptional()
  @IsIn(LIFECYCLE_STATUSES)
  status?: LifecycleStatus;

  @ApiPropertyOptional({ example: '001Dn00000Acme001', description: 'Salesforce account id of the customer' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  customer?: string;

  @ApiPropertyOptional({
    example: '801Dn00000Amend01',
    description:
      'A Salesforce Order id: the contract that order booked, amended or renewed (a booking order id is its contract id)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  order?: string;

  @ApiPropertyOptional({
    example: '2026-03-01T00:00:00Z',
    description: 'Only contracts changed at or after this instant (ISO 8601)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  updatedSince?: string;
}
