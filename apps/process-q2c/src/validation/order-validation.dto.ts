import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PROBLEM_CATEGORIES } from '../normalisation/problems';
import type { ProblemCategory } from '../normalisation/problems';

export class OrderProblemDto {
  @ApiProperty({ enum: PROBLEM_CATEGORIES, example: 'unmapped_product' })
  category: ProblemCategory;

  @ApiProperty({ example: 'lines[1].productCode' })
  field: string;

  @ApiProperty({
    example:
      'Product ANALYTICS-PREMIUM (order line 802Dn00000AmendL02) is not in the product catalogue of mapping version 1: add its billing price, ERP item and revenue treatment in a new mapping version',
  })
  reason: string;
}

export class OrderValidationDto {
  @ApiProperty({ example: false, description: 'True when normalisation would accept the order as it stands' })
  valid: boolean;

  @ApiProperty({ example: 1, description: 'The mapping version it was checked with' })
  mappingVersion: number;

  @ApiPropertyOptional({ enum: ['new', 'amendment', 'renewal'], nullable: true, example: 'amendment' })
  orderType: 'new' | 'amendment' | 'renewal' | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '801Dn00000Booking1',
    description: 'The Revline contract it books or changes',
  })
  contractId: string | null;

  @ApiProperty({ type: OrderProblemDto, isArray: true })
  problems: OrderProblemDto[];
}
