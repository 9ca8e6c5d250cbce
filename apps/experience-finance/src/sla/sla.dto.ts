import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SlaDto } from '@revline/finance-api';

export class BreakCategoryCountsDto {
  @ApiProperty({ example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 'amount_mismatch' })
  category: string;

  @ApiProperty({ example: 4, description: 'Opened in the window' })
  opened: number;

  @ApiProperty({ example: 3, description: 'Closed in the window by a later run that found them fixed' })
  autoClosed: number;

  @ApiProperty({ example: 1, description: 'Open now' })
  open: number;
}

export class BreakFiguresDto {
  @ApiProperty({ example: 4 })
  opened: number;

  @ApiProperty({ example: 3, description: 'Auto-resolved: closed by a reconciliation run' })
  autoClosed: number;

  @ApiProperty({ example: 1 })
  open: number;

  @ApiProperty({ type: BreakCategoryCountsDto, isArray: true })
  byCategory: BreakCategoryCountsDto[];
}

export class FinanceSlaDto extends SlaDto {
  @ApiPropertyOptional({
    type: BreakFiguresDto,
    nullable: true,
    description:
      'Reconciliation breaks in the window; null when process-q2c could not give them (see breaksUnavailable)',
  })
  breaks: BreakFiguresDto | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  breaksUnavailable: string | null;
}
