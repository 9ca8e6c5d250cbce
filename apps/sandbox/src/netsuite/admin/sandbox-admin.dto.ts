import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';

export class FaultsDto {
  @ApiPropertyOptional({
    example: 5,
    description: 'Milliseconds added to every request while it holds its slot',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60_000)
  latencyMs?: number;

  @ApiPropertyOptional({ example: 0.1, description: 'Share of requests answered 503 UNEXPECTED_ERROR' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  serverErrorRate?: number;

  @ApiPropertyOptional({
    example: 0.1,
    description: 'Share of requests answered 429 SSS_REQUEST_LIMIT_EXCEEDED',
  })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  rateLimitRate?: number;

  @ApiPropertyOptional({ example: 0.3, description: 'Share of successful writes saved but never answered' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  timeoutAfterSaveRate?: number;

  @ApiPropertyOptional({
    example: 0,
    description: 'How long such a response hangs before the socket is destroyed',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(120_000)
  timeoutAfterSaveMs?: number;

  @ApiPropertyOptional({ example: 42, description: 'Seed of the fault dice' })
  @IsOptional()
  @IsInt()
  seed?: number;
}

export class ConcurrencyDto {
  @ApiProperty({ example: 5, description: 'Requests the account runs at once' })
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number;

  @ApiPropertyOptional({
    example: 3,
    nullable: true,
    description:
      "Threads allocated to Revline's integration record (Integration Governance); null gives them back",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  integrationLimit?: number | null;
}
