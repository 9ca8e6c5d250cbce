import { ApiPropertyOptional } from '@nestjs/swagger';
import { ContractFilterQuery } from '@revline/finance-api';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class ListContractsQuery extends ContractFilterQuery {
  @ApiPropertyOptional({ example: 50, default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({
    example: 'ODAxRG4wMDAwMEJvb2tpbmcx',
    description: 'nextCursor of the previous page',
  })
  @IsOptional()
  @IsString()
  @Length(1, 400)
  cursor?: string;
}
