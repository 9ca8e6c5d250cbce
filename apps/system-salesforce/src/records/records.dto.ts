import { ApiProperty } from '@nestjs/swagger';
import { IsDateString } from 'class-validator';

export class StartBackfillDto {
  @ApiProperty({
    example: '2026-03-01T00:00:00Z',
    description: 'Re-read every activated order changed since this instant',
  })
  @IsDateString({ strict: true }, { message: 'from must be an ISO 8601 date or datetime' })
  from: string;
}

export class BackfillDto {
  @ApiProperty({ example: '3f0b0c1e-6f1e-4c3a-9a55-0d8c1c7f9e21' })
  id: string;

  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' })
  from: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed'], example: 'running' })
  status: string;

  @ApiProperty({ example: 0 })
  ordersQueued: number;

  @ApiProperty({ example: '2026-03-15T10:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  completedAt: string | null;
}
