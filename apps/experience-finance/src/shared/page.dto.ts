import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

/** limit and cursor of every paged list. */
export class PageQuery {
  @ApiPropertyOptional({ example: 50, minimum: 1, maximum: 500, description: 'Items per page' })
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
